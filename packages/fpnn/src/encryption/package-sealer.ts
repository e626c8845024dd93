import { createCipheriv } from "node:crypto";
import { blockSize } from "./block-xor.js";
import type { PackageSession } from "./session-keys.js";
import { maxSegmentBytes, maxSegmentFrames, xorKernel } from "./xor-kernel.js";

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
 * the plaintext. E(IV) is the same for every frame, so round 0 needs no AES call. AES stays OpenSSL's; the XOR is the
 * WebAssembly kernel's (xor-kernel.ts), which works on a copy of the batch, a segment of at most 128 KiB at a time.
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
  private readonly kernel = xorKernel();

  constructor(private readonly session: PackageSession) {}

  /**
   * `staged` holds `count` frames back to back, each after 4 reserved bytes; `frameSizes[i]` is the size of frame i.
   * Writes every length prefix and replaces every frame by its ciphertext.
   */
  sealInPlace(staged: Uint8Array, frameSizes: Uint32Array, count: number): void {
    let first = 0;
    let at = 0;
    while (first < count) {
      let end = first;
      let bytes = 0;
      while (end < count && end - first < maxSegmentFrames) {
        const next = bytes + lengthPrefixSize + frameSizes[end]!;
        if (next > maxSegmentBytes && end > first) break;
        bytes = next;
        end++;
      }
      this.sealSegment(staged.subarray(at, at + bytes), frameSizes, first, end);
      at += bytes;
      first = end;
    }
  }

  /** Frames first..end-1, which `segment` holds: one batch of rounds (a lone frame over maxSegmentBytes is sealed alone). */
  private sealSegment(segment: Uint8Array, frameSizes: Uint32Array, first: number, end: number): void {
    const blockCounts = this.blockCounts;
    let mostBlocks = 0;
    let at = 0;
    for (let i = first; i < end; i++) {
      const size = frameSizes[i]!;
      writeUint32LE(segment, at, size);
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
    at = 0;
    for (let i = first; i < end; i++) {
      const size = frameSizes[i]!;
      const body = at + lengthPrefixSize;
      at = body + size;
      if (size === 0) continue;
      if (size > rounds * blockSize) this.sealAlone(segment, body, size);
      else this.kernel.setFrame(this.nextRank[(size + blockSize - 1) >>> 4]!++, body, body + size);
    }
    if (inRounds > 0) {
      this.kernel.stage(segment, 0, segment.length, 0);
      this.kernel.setFirstKeystream(this.session.firstKeystream);
      this.runRounds(inRounds);
      this.kernel.unstage(segment, 0, segment.length);
    }
    blockCounts.fill(0, 0, mostBlocks + 1);
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

  private sealAlone(segment: Uint8Array, body: number, size: number): void {
    const frame = segment.subarray(body, body + size);
    frame.set(createCipheriv(this.session.algorithm, this.session.key, this.session.iv).update(frame));
  }

  /**
   * Round r seals block r of the frames of ranks 0..active-1, which are the frames that have a block r; its last ranks
   * are the frames that end in it. Round 0's keystream is E(IV) for every frame, each later round's is one ECB update()
   * over the feedback blocks of ranks 0..active-1.
   */
  private runRounds(active: number): void {
    const kernel = this.kernel;
    const blockCounts = this.blockCounts;
    let going = active - blockCounts[1]!;
    kernel.firstRound(going, active);
    for (let round = 1; going > 0; round++) {
      active = going;
      going = active - blockCounts[round + 1]!;
      kernel.nextRound(going, active, round * blockSize, this.session.ecb.update(kernel.feedback(active)));
    }
  }
}

function writeUint32LE(target: Uint8Array, at: number, value: number): void {
  target[at] = value & 0xff;
  target[at + 1] = (value >>> 8) & 0xff;
  target[at + 2] = (value >>> 16) & 0xff;
  target[at + 3] = value >>> 24;
}
