import { createDecipheriv } from "node:crypto";
import { blockSize, copyBytes, viewOf, xorBytes } from "./block-xor.js";
import { frameMagicWord, wrongKeyError } from "./magic.js";
import { grownCapacity, maxSegmentFeedbackBytes, maxSegmentFrames } from "./segment.js";
import type { PackageSession } from "./session-keys.js";

/**
 * From this size on a native copy beats copyBytes() despite its fixed cost: on Node 20, 208 bytes took ~66 ns with
 * copyBytes() and ~108 ns with set(subarray()), 496 bytes ~156 and ~111 ns.
 */
const nativeCopyBytes = 256;
const empty = new Uint8Array(0);

/**
 * Package-mode opening of every package one read brought: each package is an AES-CFB-128 encryption of one frame
 * from the session IV. CFB decryption needs no chaining, P_1 = C_1 xor E(IV), P_i = C_i xor E(C_{i-1}) (NIST
 * SP 800-38A, 6.3): every keystream block comes from ciphertext already received, so all the keystream of a segment
 * of packages (segment.ts) is one update() of a long-lived AES-ECB cipher over their blocks, gathered back to back
 * (pipelined by AES-NI). OpenSSL's own CFB decrypt would go block after block (~1.4 ns/byte) and need a decipher per
 * package to restart from the IV. E(IV) is computed once per session.
 */
export class PackageOpener {
  private readonly firstKeystream: DataView;
  /** E(IV) as four little-endian words. */
  private readonly firstWords: readonly [number, number, number, number];
  /** The gathered ciphertext blocks of a segment: the input of its ECB update(). */
  private feedback = new Uint8Array(0);
  private feedbackView = viewOf(this.feedback);

  constructor(private readonly session: PackageSession) {
    this.firstKeystream = viewOf(session.firstKeystream);
    const word = (at: number): number => this.firstKeystream.getInt32(at, true);
    this.firstWords = [word(0), word(4), word(8), word(12)];
  }

  /**
   * Package i is sources[i][starts[i], starts[i] + lengths[i]); returns their frames back to back in a new buffer (the
   * decoder keeps slices of it). Throws if a frame does not start with the FPNN magic: the peers' keys differ.
   */
  open(sources: readonly Uint8Array[], starts: Int32Array, lengths: Int32Array, count: number): Buffer {
    let frameBytes = 0;
    for (let i = 0; i < count; i++) frameBytes += lengths[i]!;
    const frames = Buffer.allocUnsafe(frameBytes);
    const framesView = viewOf(frames);
    let to = 0;
    for (let first = 0; first < count; ) {
      if (feedbackSize(lengths[first]!) > maxSegmentFeedbackBytes) {
        const start = starts[first]!;
        const ciphertext = sources[first]!.subarray(start, start + lengths[first]!);
        frames.set(createDecipheriv(this.session.algorithm, this.session.key, this.session.iv).update(ciphertext), to);
        if (framesView.getInt32(to, true) !== frameMagicWord) throw wrongKeyError();
        to += lengths[first]!;
        first++;
        continue;
      }
      let end = first;
      let feedbackBytes = 0;
      for (; end < count && end - first < maxSegmentFrames; end++) {
        const next = feedbackBytes + feedbackSize(lengths[end]!);
        if (next > maxSegmentFeedbackBytes) break;
        feedbackBytes = next;
      }
      // No block to gather: every package is one block, decrypted with E(IV) alone.
      const keystream = feedbackBytes === 0 ? this.firstKeystream : viewOf(this.session.ecb.update(this.gather(sources, starts, lengths, first, end, feedbackBytes)));
      to = this.decrypt(sources, starts, lengths, first, end, keystream, framesView, to);
      first = end;
    }
    return frames;
  }

  /** The ECB input of packages first..end-1: every block but the last of each, back to back (a lone package is its own). */
  private gather(sources: readonly Uint8Array[], starts: Int32Array, lengths: Int32Array, first: number, end: number, size: number): Uint8Array {
    if (end - first === 1) return sources[first]!.subarray(starts[first]!, starts[first]! + size);
    if (size > this.feedback.length) {
      this.feedback = new Uint8Array(grownCapacity(this.feedback.length, size, 4096));
      this.feedbackView = viewOf(this.feedback);
    }
    const { feedback, feedbackView } = this;
    let source: Uint8Array = empty;
    let sourceView = feedbackView;
    let at = 0;
    for (let i = first; i < end; i++) {
      const bytes = feedbackSize(lengths[i]!);
      if (bytes === 0) continue;
      if (sources[i] !== source) {
        source = sources[i]!;
        sourceView = viewOf(source);
      }
      const start = starts[i]!;
      if (bytes < nativeCopyBytes) copyBytes(sourceView, start, feedbackView, at, bytes);
      else feedback.set(source.subarray(start, start + bytes), at);
      at += bytes;
    }
    return feedback.subarray(0, size);
  }

  /**
   * XORs packages first..end-1 into `frames` from `to` on: each first block with E(IV), the rest with `keystream`.
   * Throws if a frame does not start with the FPNN magic: the peers' keys differ.
   */
  private decrypt(
    sources: readonly Uint8Array[],
    starts: Int32Array,
    lengths: Int32Array,
    first: number,
    end: number,
    keystream: DataView,
    frames: DataView,
    to: number,
  ): number {
    const [first0, first1, first2, first3] = this.firstWords;
    let source: Uint8Array = empty;
    let sourceView = frames;
    let key = 0;
    for (let i = first; i < end; i++) {
      const length = lengths[i]!;
      const start = starts[i]!;
      if (sources[i] !== source) {
        source = sources[i]!;
        sourceView = viewOf(source);
      }
      const word = sourceView.getInt32(start, true) ^ first0;
      if (word !== frameMagicWord) throw wrongKeyError();
      if (length < blockSize) {
        xorBytes(sourceView, start, this.firstKeystream, 0, frames, to, length);
      } else {
        // The first block written out with E(IV) as four words: most packages are a few blocks, so this is most of the work.
        frames.setInt32(to, word, true);
        frames.setInt32(to + 4, sourceView.getInt32(start + 4, true) ^ first1, true);
        frames.setInt32(to + 8, sourceView.getInt32(start + 8, true) ^ first2, true);
        frames.setInt32(to + 12, sourceView.getInt32(start + 12, true) ^ first3, true);
        xorBytes(sourceView, start + blockSize, keystream, key, frames, to + blockSize, length - blockSize);
        key += feedbackSize(length);
      }
      to += length;
    }
    return to;
  }
}

/** Bytes of a package that feed the keystream of its next block: all its blocks but the last (which may be short). */
function feedbackSize(length: number): number {
  return ((length - 1) >>> 4) << 4;
}
