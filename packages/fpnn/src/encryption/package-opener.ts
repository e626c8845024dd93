import { createDecipheriv } from "node:crypto";
import { frameMagicWord, wrongKeyError } from "./magic.js";
import type { PackageSession } from "./session-keys.js";
import { maxSegmentBytes, maxSegmentFrames, xorKernel } from "./xor-kernel.js";

const lengthPrefixSize = 4;

/**
 * Package-mode opening of every package one read brought: each package is an AES-CFB-128 encryption of one frame
 * from the session IV. CFB decryption needs no chaining, P_1 = C_1 xor E(IV), P_i = C_i xor E(C_{i-1}) (NIST
 * SP 800-38A, 6.3): every keystream block comes from ciphertext already received, so all the keystream of a segment
 * of packages is one update() of a long-lived AES-ECB cipher over their blocks (pipelined by AES-NI). OpenSSL's own
 * CFB decrypt would go block after block (~1.4 ns/byte) and need a decipher per package to restart from the IV.
 * Gathering those blocks and the XOR are the WebAssembly kernel's (xor-kernel.ts); E(IV) is computed once per session.
 */
export class PackageOpener {
  private readonly kernel = xorKernel();

  constructor(private readonly session: PackageSession) {}

  /**
   * Package i is sources[i][starts[i], starts[i] + lengths[i]); returns their frames back to back in a new buffer (the
   * decoder keeps slices of it). Throws if a frame does not start with the FPNN magic: the peers' keys differ.
   */
  open(sources: readonly Uint8Array[], starts: Int32Array, lengths: Int32Array, count: number): Buffer {
    let frameBytes = 0;
    for (let i = 0; i < count; i++) frameBytes += lengths[i]!;
    const frames = Buffer.allocUnsafe(frameBytes);
    let to = 0;
    for (let first = 0; first < count; ) {
      if (lengths[first]! > maxSegmentBytes) {
        const start = starts[first]!;
        const ciphertext = sources[first]!.subarray(start, start + lengths[first]!);
        frames.set(createDecipheriv(this.session.algorithm, this.session.key, this.session.iv).update(ciphertext), to);
        to = this.checked(frames, to, lengths, first, first + 1);
        first++;
        continue;
      }
      const end = this.stageSegment(sources, starts, lengths, first, count);
      const feedback = this.kernel.gatherFeedback(end - first);
      const keystream = feedback.length === 0 ? feedback : this.session.ecb.update(feedback);
      let bytes = 0;
      for (let i = first; i < end; i++) bytes += lengths[i]!;
      this.kernel.openFrames(end - first, keystream, frames, to, bytes);
      to = this.checked(frames, to, lengths, first, end);
      first = end;
    }
    return frames;
  }

  /**
   * Copies packages first.. into the kernel while they fit one segment; returns the end of the segment. Packages
   * back to back in one source (the usual case: one read of many) go in as one run, length prefixes included.
   */
  private stageSegment(sources: readonly Uint8Array[], starts: Int32Array, lengths: Int32Array, first: number, count: number): number {
    const kernel = this.kernel;
    kernel.setFirstKeystream(this.session.firstKeystream);
    let runSource = sources[first]!;
    let runStart = starts[first]!;
    let runAt = 0;
    let at = 0; // where the segment's last package ends
    let end = first;
    for (; end < count && end - first < maxSegmentFrames; end++) {
      const source = sources[end]!;
      const start = starts[end]!;
      const length = lengths[end]!;
      const followsRun = end > first && source === runSource && start === starts[end - 1]! + lengths[end - 1]! + lengthPrefixSize;
      const bodyAt = followsRun ? at + lengthPrefixSize : at;
      if (bodyAt + length > maxSegmentBytes) break;
      if (!followsRun && end > first) {
        kernel.stage(runSource, runStart, starts[end - 1]! + lengths[end - 1]!, runAt);
        runSource = source;
        runStart = start;
        runAt = at;
      }
      kernel.setFrame(end - first, bodyAt, bodyAt + length);
      at = bodyAt + length;
    }
    kernel.stage(runSource, runStart, starts[end - 1]! + lengths[end - 1]!, runAt);
    return end;
  }

  /** Checks that frames first..end-1, decrypted from `at` on, start with the magic; returns where the next one goes. */
  private checked(frames: Uint8Array, at: number, lengths: Int32Array, first: number, end: number): number {
    for (let i = first; i < end; i++) {
      const word = frames[at]! | (frames[at + 1]! << 8) | (frames[at + 2]! << 16) | (frames[at + 3]! << 24);
      if (word !== frameMagicWord) throw wrongKeyError();
      at += lengths[i]!;
    }
    return at;
  }
}
