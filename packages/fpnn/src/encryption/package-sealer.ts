import { createCipheriv } from "node:crypto";
import { blockSize, viewOf, xorBytes } from "./block-xor.js";
import { grownCapacity, maxSegmentFrames } from "./segment.js";
import type { PackageSession } from "./session-keys.js";

const lengthPrefixSize = 4;
/** A frame of more blocks is always sealed by a cipher of its own: every round of a batch is one native call. */
export const maxRoundBlocks = 256;
/**
 * Measured on Node 20 (2 cores, AES-NI): a round (one ECB update() of a few KiB) costs about 1 us, a frame sealed by
 * its own cipher (createCipheriv + update) about 2.7 us; only their ratio matters to the cost model.
 */
const roundCost = 0.7;
const ownCipherCost = 2.7;

/**
 * Package-mode sealing of a whole batch in place: each frame becomes a 4-byte LE length + AES-CFB-128 of the frame,
 * with the cipher restarted from the session IV for every frame.
 *
 * Why not one createCipheriv per frame: Node has no way to reset a cipher, and a new cipher per frame cost 77% of the
 * throughput at 256 quests in flight. CFB-128 encryption is C_1 = P_1 xor E(IV), C_i = P_i xor E(C_{i-1}) (NIST
 * SP 800-38A, 6.3; a short final block takes the leading keystream bytes). The frames of a batch are independent
 * chains from the same IV, so block i of every frame is done together: one round runs ONE update() of a long-lived
 * AES-ECB cipher over the previous ciphertext block of every frame that has a block i, and XORs the keystream into
 * the plaintext. E(IV) is the same for every frame, so round 0 needs no AES call. AES stays OpenSSL's; only the CFB
 * feedback XOR is done here, a segment of the batch at a time (segment.ts).
 *
 * The frames in the rounds are ranked by block count, most first: the frames still going in a round are then always
 * the first ranks, so the feedback blocks stay where they are from round to round and the frames that end in a round
 * are the last ranks of it.
 *
 * Long frames would need one round per block, so a small cost model (rounds needed vs frames sealed alone) decides
 * which frames take the rounds and which get a cipher of their own.
 */
export class PackageSealer {
  /** Frames of the segment per block count (1..maxRoundBlocks). */
  private readonly blockCounts = new Int32Array(maxRoundBlocks + 2);
  /** Per block count: the next rank to give a frame of that many blocks. */
  private readonly nextRank = new Int32Array(maxRoundBlocks + 1);
  private readonly firstKeystream: DataView;
  /** Per rank: where the frame body starts in the staged bytes, and where it ends. */
  private starts = new Int32Array(0);
  private ends = new Int32Array(0);
  /** The previous ciphertext block of every frame still in the rounds, by rank: the input of one ECB update(). */
  private feedback = new Uint8Array(0);
  private feedbackView = viewOf(this.feedback);

  constructor(private readonly session: PackageSession) {
    this.firstKeystream = viewOf(session.firstKeystream);
  }

  /**
   * `staged` holds `count` frames back to back, each after 4 reserved bytes; `frameSizes[i]` is the size of frame i.
   * Writes every length prefix and replaces every frame by its ciphertext.
   */
  sealInPlace(staged: Uint8Array, frameSizes: Uint32Array, count: number): void {
    const view = viewOf(staged);
    let at = 0;
    for (let first = 0; first < count; first += maxSegmentFrames) {
      at = this.sealSegment(staged, view, at, frameSizes, first, Math.min(count, first + maxSegmentFrames));
    }
  }

  /** Frames first..end-1, the first of them at `at`: one batch of rounds. Returns where the segment ends. */
  private sealSegment(staged: Uint8Array, view: DataView, at: number, frameSizes: Uint32Array, first: number, end: number): number {
    const blockCounts = this.blockCounts;
    let mostBlocks = 0;
    const segmentAt = at;
    for (let i = first; i < end; i++) {
      const size = frameSizes[i]!;
      writeUint32LE(staged, at, size);
      const blocks = (size + blockSize - 1) >>> 4;
      if (blocks <= maxRoundBlocks) {
        blockCounts[blocks]!++;
        if (blocks > mostBlocks) mostBlocks = blocks;
      }
      at += lengthPrefixSize + size;
    }
    const rounds = this.cheapestRounds(end - first, mostBlocks);
    let inRounds = 0;
    for (let blocks = rounds; blocks >= 1; blocks--) {
      this.nextRank[blocks] = inRounds;
      inRounds += blockCounts[blocks]!;
    }
    this.reserveRanks(inRounds);
    at = segmentAt;
    for (let i = first; i < end; i++) {
      const size = frameSizes[i]!;
      const body = at + lengthPrefixSize;
      at = body + size;
      if (size === 0) continue;
      if (size > rounds * blockSize) {
        this.sealAlone(staged, body, size);
      } else {
        const rank = this.nextRank[(size + blockSize - 1) >>> 4]!++;
        this.starts[rank] = body;
        this.ends[rank] = body + size;
      }
    }
    if (inRounds > 0) this.runRounds(view, inRounds);
    blockCounts.fill(0, 0, mostBlocks + 1);
    return at;
  }

  /**
   * How many rounds minimise (rounds after round 0) * roundCost + (frames sealed alone) * ownCipherCost; frames of more
   * blocks than that are sealed alone. A lone small frame therefore costs no more than a cipher of its own.
   */
  private cheapestRounds(count: number, mostBlocks: number): number {
    let alone = count;
    let best = 0;
    let bestCost = alone * ownCipherCost;
    for (let rounds = 1; rounds <= mostBlocks; rounds++) {
      alone -= this.blockCounts[rounds]!;
      const cost = (rounds - 1) * roundCost + alone * ownCipherCost;
      if (cost < bestCost) {
        bestCost = cost;
        best = rounds;
      }
    }
    return best;
  }

  private reserveRanks(frames: number): void {
    if (frames <= this.starts.length) return;
    const capacity = grownCapacity(this.starts.length, frames, 64);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.feedback = new Uint8Array(capacity * blockSize);
    this.feedbackView = viewOf(this.feedback);
  }

  private sealAlone(staged: Uint8Array, body: number, size: number): void {
    const frame = staged.subarray(body, body + size);
    frame.set(createCipheriv(this.session.algorithm, this.session.key, this.session.iv).update(frame));
  }

  /**
   * Round r seals block r of the frames of ranks 0..active-1, which are the frames that have a block r; its last ranks
   * are the frames that end in it. Round 0's keystream is E(IV) for every frame, each later round's is one ECB update()
   * over the feedback blocks of ranks 0..active-1.
   */
  private runRounds(staged: DataView, active: number): void {
    const { starts, ends, feedbackView: feedback, blockCounts } = this;
    let keystream = this.firstKeystream;
    let keyStep = 0;
    for (let round = 0; active > 0; round++) {
      if (round > 0) {
        keystream = viewOf(this.session.ecb.update(this.feedback.subarray(0, active * blockSize)));
        keyStep = blockSize;
      }
      const going = active - blockCounts[round + 1]!;
      const blockOffset = round * blockSize;
      let rank = 0;
      // Written out rather than calling a helper: V8 did not inline one here, and this loop is most of the sealing.
      for (; rank < going; rank++) {
        const at = starts[rank]! + blockOffset;
        const key = rank * keyStep;
        const to = rank * blockSize;
        const w0 = staged.getInt32(at, true) ^ keystream.getInt32(key, true);
        const w1 = staged.getInt32(at + 4, true) ^ keystream.getInt32(key + 4, true);
        const w2 = staged.getInt32(at + 8, true) ^ keystream.getInt32(key + 8, true);
        const w3 = staged.getInt32(at + 12, true) ^ keystream.getInt32(key + 12, true);
        staged.setInt32(at, w0, true);
        staged.setInt32(at + 4, w1, true);
        staged.setInt32(at + 8, w2, true);
        staged.setInt32(at + 12, w3, true);
        feedback.setInt32(to, w0, true);
        feedback.setInt32(to + 4, w1, true);
        feedback.setInt32(to + 8, w2, true);
        feedback.setInt32(to + 12, w3, true);
      }
      for (; rank < active; rank++) {
        const at = starts[rank]! + blockOffset;
        xorBytes(staged, at, keystream, rank * keyStep, staged, at, ends[rank]! - at);
      }
      active = going;
    }
  }
}

function writeUint32LE(target: Uint8Array, at: number, value: number): void {
  target[at] = value & 0xff;
  target[at + 1] = (value >>> 8) & 0xff;
  target[at + 2] = (value >>> 16) & 0xff;
  target[at + 3] = value >>> 24;
}
