import { blockSize } from "./block-xor.js";
import { code, loopUntil, moduleBytes, op, valueType, type Code, type FunctionDefinition } from "./wasm-binary.js";

/** Staged bytes one segment may hold; a larger batch is sealed segment by segment (its frames are independent). */
export const maxSegmentBytes = 128 * 1024;
/** Frames one segment may hold (an FPNN frame is at least 12 bytes, plus its 4-byte length). */
export const maxSegmentFrames = maxSegmentBytes / 16;

/**
 * The part of the WebAssembly JS API used here. Node has it as a global, but TypeScript types it only in the DOM lib,
 * which this Node package does not load.
 */
interface WebAssemblyApi {
  Memory: new (descriptor: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
}
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: WebAssemblyApi };

const pageSize = 64 * 1024;
// The memory layout: the segment's staged bytes, then E(IV), then per rank the frame start and end, one feedback block
// and one keystream block.
const stagedAt = 0;
const firstKeystreamAt = stagedAt + maxSegmentBytes;
const startsAt = firstKeystreamAt + blockSize;
const endsAt = startsAt + 4 * maxSegmentFrames;
const feedbackAt = endsAt + 4 * maxSegmentFrames;
const keystreamAt = feedbackAt + blockSize * maxSegmentFrames;
const memoryPages = Math.ceil((keystreamAt + blockSize * maxSegmentFrames) / pageSize);

/**
 * `round(going, active, blockOffset, keystream, keyStep)`: seals block `blockOffset / 16` of the frames of ranks
 * 0..active-1. Ranks below `going` have a full block there and more after it: ciphertext = plaintext xor keystream
 * block, written in place and to the rank's feedback block. The other ranks end in this block (it may be short): only
 * their bytes are XORed. Rank r's keystream block is at `keystream + r * keyStep` (step 0: one block for all).
 */
function roundFunction(): FunctionDefinition {
  const [going, active, blockOffset, keystream, keyStep, rank, at, key, end, feedback, word] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const { get, set, i32 } = op;
  const rankEntry = (table: number, shift: number): Code => code(i32(table), get(rank), i32(shift), op.i32Shl, op.i32Add);
  const locate = code(
    rankEntry(startsAt, 2), op.i32Load(), get(blockOffset), op.i32Add, set(at), // at = starts[rank] + blockOffset
    get(keystream), get(rank), get(keyStep), op.i32Mul, op.i32Add, set(key), // key = keystream + rank * keyStep
  );
  // word = at[offset] ^ key[offset], stored back at `at` and in the rank's feedback block
  const xorWord = (offset: number): Code =>
    code(
      get(at), op.i64Load(offset), get(key), op.i64Load(offset), op.i64Xor, set(word),
      get(at), get(word), op.i64Store(offset),
      get(feedback), get(word), op.i64Store(offset),
    );
  const nextRank = code(get(rank), i32(1), op.i32Add, set(rank));
  const fullBlocks = loopUntil(code(get(rank), get(going), op.i32GeU), code(
    locate,
    rankEntry(feedbackAt, 4), set(feedback),
    xorWord(0),
    xorWord(8),
    nextRank,
  ));
  const lastBlocks = loopUntil(code(get(rank), get(active), op.i32GeU), code(
    locate,
    rankEntry(endsAt, 2), op.i32Load(), set(end),
    loopUntil(code(get(at), get(end), op.i32GeU), code(
      get(at), get(at), op.i32Load8(), get(key), op.i32Load8(), op.i32Xor, op.i32Store8(),
      get(at), i32(1), op.i32Add, set(at),
      get(key), i32(1), op.i32Add, set(key),
    )),
    nextRank,
  ));
  const { i32: int32, i64: int64 } = valueType;
  return {
    name: "round",
    params: [int32, int32, int32, int32, int32],
    locals: [int32, int32, int32, int32, int32, int64],
    body: code(fullBlocks, lastBlocks),
  };
}

/**
 * The CFB feedback XOR of package-mode sealing (see package-sealer.ts) as a small WebAssembly function: the JS version
 * went through DataViews at ~16 ns per 16-byte block (sixteen 4-byte accesses, V8 cannot do better on unaligned
 * offsets), this one does 64-bit loads and stores at any offset. AES itself stays OpenSSL's. One kernel serves the
 * whole process: sealing is synchronous, so no two batches use its memory at once.
 */
export class XorKernel {
  /** The whole kernel memory. */
  private readonly memory: Uint8Array;
  private readonly int32: Int32Array;
  private readonly round: (going: number, active: number, blockOffset: number, keystream: number, keyStep: number) => void;

  constructor() {
    const memory = new wasm.Memory({ initial: memoryPages, maximum: memoryPages });
    const instance = new wasm.Instance(new wasm.Module(moduleBytes([roundFunction()])), { env: { memory } });
    this.round = instance.exports.round as XorKernel["round"];
    this.memory = new Uint8Array(memory.buffer);
    this.int32 = new Int32Array(memory.buffer);
  }

  /** Copies a segment (at most maxSegmentBytes) in, and E(IV) for its round 0. */
  load(segment: Uint8Array, firstKeystream: Uint8Array): void {
    this.memory.set(segment, stagedAt);
    this.memory.set(firstKeystream, firstKeystreamAt);
  }

  /** Copies the sealed segment back out to `target` at `at`. */
  unload(target: Uint8Array, at: number, length: number): void {
    target.set(this.memory.subarray(stagedAt, stagedAt + length), at);
  }

  /** The frame of rank `rank` is segment[start, end). */
  setFrame(rank: number, start: number, end: number): void {
    this.int32[(startsAt >> 2) + rank] = stagedAt + start;
    this.int32[(endsAt >> 2) + rank] = stagedAt + end;
  }

  /** The feedback blocks of ranks 0..active-1, back to back: the input of a round's ECB update(). */
  feedback(active: number): Uint8Array {
    return this.memory.subarray(feedbackAt, feedbackAt + active * blockSize);
  }

  /** Round 0: E(IV) is every frame's first keystream block. */
  firstRound(going: number, active: number): void {
    this.round(going, active, 0, firstKeystreamAt, 0);
  }

  /** A later round, with the keystream block of every rank from the round's ECB update(). */
  nextRound(going: number, active: number, blockOffset: number, keystream: Uint8Array): void {
    this.memory.set(keystream, keystreamAt);
    this.round(going, active, blockOffset, keystreamAt, blockSize);
  }
}

let shared: XorKernel | undefined;

/** The process's kernel, compiled on first use (~64 KiB pages, about 450 KiB in all). */
export function xorKernel(): XorKernel {
  return (shared ??= new XorKernel());
}
