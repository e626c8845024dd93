import { blockSize } from "./block-xor.js";
import { EncryptionError } from "./errors.js";
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
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: WebAssemblyApi | undefined };

const pageSize = 64 * 1024;
// The memory layout: the segment's staged bytes, E(IV), per frame (by rank when sealing) its start and end, its
// feedback and keystream blocks, and the frames an open decrypts, back to back.
const stagedAt = 0;
const firstKeystreamAt = stagedAt + maxSegmentBytes;
const startsAt = firstKeystreamAt + blockSize;
const endsAt = startsAt + 4 * maxSegmentFrames;
const feedbackAt = endsAt + 4 * maxSegmentFrames;
const keystreamAt = feedbackAt + blockSize * maxSegmentFrames;
const openedAt = keystreamAt + blockSize * maxSegmentFrames;
const memoryPages = Math.ceil((openedAt + maxSegmentBytes) / pageSize);
const { get, set, i32 } = op;
const { i32: int32, i64: int64 } = valueType;

/** The address of entry `index` of a table of 2^shift-byte entries. */
function entry(table: number, index: number, shift: number): Code {
  return code(i32(table), get(index), i32(shift), op.i32Shl, op.i32Add);
}

function increment(local: number, by: number): Code {
  return code(get(local), i32(by), op.i32Add, set(local));
}

/**
 * XORs memory[from, end) with the keystream at `key` into `to`, eight bytes at a time, then byte by byte. All five
 * are locals (`word` is an i64 scratch); from, key and to end up past what was done.
 */
function xorRun(from: number, end: number, key: number, to: number, word: number): Code {
  return code(
    loopUntil(code(get(from), i32(8), op.i32Add, get(end), op.i32GtU), code(
      get(from), op.i64Load(), get(key), op.i64Load(), op.i64Xor, set(word),
      get(to), get(word), op.i64Store(),
      increment(from, 8), increment(key, 8), increment(to, 8),
    )),
    loopUntil(code(get(from), get(end), op.i32GeU), code(
      get(to), get(from), op.i32Load8(), get(key), op.i32Load8(), op.i32Xor, op.i32Store8(),
      increment(from, 1), increment(key, 1), increment(to, 1),
    )),
  );
}

/**
 * `round(going, active, blockOffset, keystream, keyStep)`: seals block `blockOffset / 16` of the frames of ranks
 * 0..active-1. Ranks below `going` have a full block there and more after it: ciphertext = plaintext xor keystream
 * block, written in place and to the rank's feedback block. The other ranks end in this block (it may be short): only
 * their bytes are XORed. Rank r's keystream block is at `keystream + r * keyStep` (step 0: one block for all).
 */
function roundFunction(): FunctionDefinition {
  const [going, active, blockOffset, keystream, keyStep, rank, at, key, end, feedback, word, to] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const locate = code(
    entry(startsAt, rank, 2), op.i32Load(), get(blockOffset), op.i32Add, set(at), // at = starts[rank] + blockOffset
    get(keystream), get(rank), get(keyStep), op.i32Mul, op.i32Add, set(key), // key = keystream + rank * keyStep
  );
  // word = at[offset] ^ key[offset], stored back at `at` and in the rank's feedback block
  const xorWord = (offset: number): Code =>
    code(
      get(at), op.i64Load(offset), get(key), op.i64Load(offset), op.i64Xor, set(word),
      get(at), get(word), op.i64Store(offset),
      get(feedback), get(word), op.i64Store(offset),
    );
  const fullBlocks = loopUntil(code(get(rank), get(going), op.i32GeU), code(
    locate,
    entry(feedbackAt, rank, 4), set(feedback),
    xorWord(0),
    xorWord(8),
    increment(rank, 1),
  ));
  const lastBlocks = loopUntil(code(get(rank), get(active), op.i32GeU), code(
    locate,
    entry(endsAt, rank, 2), op.i32Load(), set(end),
    get(at), set(to), // in place, but xorRun advances its source and target pointers separately
    xorRun(at, end, key, to, word),
    increment(rank, 1),
  ));
  return {
    name: "round",
    params: [int32, int32, int32, int32, int32],
    results: [],
    locals: [int32, int32, int32, int32, int32, int64, int32],
    body: code(fullBlocks, lastBlocks),
  };
}

/**
 * `gather(count) -> bytes`: copies every block but the last of frames 0..count-1 (ciphertext that feeds the next
 * block's keystream) to the feedback area, back to back; returns how many bytes that is.
 */
function gatherFunction(): FunctionDefinition {
  const [count, frame, at, end, feedback] = [0, 1, 2, 3, 4];
  const copyWord = (offset: number): Code => code(get(feedback), get(at), op.i64Load(offset), op.i64Store(offset));
  return {
    name: "gather",
    params: [int32],
    results: [int32],
    locals: [int32, int32, int32, int32],
    body: code(
      i32(feedbackAt), set(feedback),
      loopUntil(code(get(frame), get(count), op.i32GeU), code(
        entry(startsAt, frame, 2), op.i32Load(), set(at),
        entry(endsAt, frame, 2), op.i32Load(), set(end),
        loopUntil(code(get(at), i32(blockSize), op.i32Add, get(end), op.i32GeU), code(
          copyWord(0), copyWord(8),
          increment(at, blockSize), increment(feedback, blockSize),
        )),
        increment(frame, 1),
      )),
      get(feedback), i32(feedbackAt), op.i32Sub,
    ),
  };
}

/**
 * `open(count)`: decrypts frames 0..count-1 into the opened area, back to back: the first block with E(IV), the rest
 * with the keystream area (as many blocks per frame as gather() gave it).
 */
function openFunction(): FunctionDefinition {
  const [count, frame, at, end, firstEnd, key, to, word] = [0, 1, 2, 3, 4, 5, 6, 7];
  return {
    name: "open",
    params: [int32],
    results: [],
    locals: [int32, int32, int32, int32, int32, int32, int64],
    body: code(
      i32(openedAt), set(to),
      i32(keystreamAt), set(key),
      loopUntil(code(get(frame), get(count), op.i32GeU), code(
        entry(startsAt, frame, 2), op.i32Load(), set(at),
        entry(endsAt, frame, 2), op.i32Load(), set(end),
        // firstEnd = min(at + 16, end); the first block takes E(IV), then key resumes where this frame's blocks start
        get(at), i32(blockSize), op.i32Add, get(end), get(at), i32(blockSize), op.i32Add, get(end), op.i32LtU, op.select, set(firstEnd),
        get(key), // kept on the stack while xorRun uses `key` for E(IV)
        i32(firstKeystreamAt), set(key),
        xorRun(at, firstEnd, key, to, word),
        set(key),
        xorRun(at, end, key, to, word),
        // next frame's keystream starts at a block boundary
        get(key), i32(blockSize - 1), op.i32Add, i32(-blockSize), op.i32And, set(key),
        increment(frame, 1),
      )),
    ),
  };
}

/**
 * The CFB XOR of package mode as small WebAssembly functions: sealing's rounds (package-sealer.ts) and opening's
 * gather and decrypt (package-opener.ts). In JS it went through DataViews at ~16 ns per 16-byte block (sixteen 4-byte
 * accesses: frames sit at any offset, so no aligned typed arrays, and V8 does no better); these do 64-bit loads and
 * stores at any offset. AES itself stays OpenSSL's. One kernel serves the whole process: sealing and opening are
 * synchronous, so no two batches use its memory at once.
 */
export class XorKernel {
  /** The whole kernel memory. */
  private readonly memory: Uint8Array;
  private readonly int32: Int32Array;
  private readonly round: (going: number, active: number, blockOffset: number, keystream: number, keyStep: number) => void;
  private readonly gather: (count: number) => number;
  private readonly open: (count: number) => void;

  constructor() {
    if (wasm === undefined) {
      throw new EncryptionError("package-mode encryption needs WebAssembly, which this Node process runs without (--jitless?)");
    }
    const memory = new wasm.Memory({ initial: memoryPages, maximum: memoryPages });
    const bytes = moduleBytes([roundFunction(), gatherFunction(), openFunction()]);
    const { exports } = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
    this.round = exports.round as XorKernel["round"];
    this.gather = exports.gather as XorKernel["gather"];
    this.open = exports.open as XorKernel["open"];
    this.memory = new Uint8Array(memory.buffer);
    this.int32 = new Int32Array(memory.buffer);
  }

  /** E(IV): every frame's first keystream block. */
  setFirstKeystream(firstKeystream: Uint8Array): void {
    this.memory.set(firstKeystream, firstKeystreamAt);
  }

  /** Copies source[start, end) into the segment area at `at` (the segment holds at most maxSegmentBytes). */
  stage(source: Uint8Array, start: number, end: number, at: number): void {
    this.memory.set(start === 0 && end === source.length ? source : source.subarray(start, end), stagedAt + at);
  }

  /** Copies segment[0, length) back out to `target` at `at`. */
  unstage(target: Uint8Array, at: number, length: number): void {
    target.set(this.memory.subarray(stagedAt, stagedAt + length), at);
  }

  /** Frame `index` (its rank, when sealing) is segment[start, end). */
  setFrame(index: number, start: number, end: number): void {
    this.int32[(startsAt >> 2) + index] = stagedAt + start;
    this.int32[(endsAt >> 2) + index] = stagedAt + end;
  }

  /** The feedback blocks of ranks 0..active-1, back to back: the input of a sealing round's ECB update(). */
  feedback(active: number): Uint8Array {
    return this.memory.subarray(feedbackAt, feedbackAt + active * blockSize);
  }

  /** Sealing's round 0: E(IV) is every frame's first keystream block. */
  firstRound(going: number, active: number): void {
    this.round(going, active, 0, firstKeystreamAt, 0);
  }

  /** A later sealing round, with the keystream block of every rank from the round's ECB update(). */
  nextRound(going: number, active: number, blockOffset: number, keystream: Uint8Array): void {
    this.memory.set(keystream, keystreamAt);
    this.round(going, active, blockOffset, keystreamAt, blockSize);
  }

  /** Opening, step 1: every ciphertext block of frames 0..count-1 that feeds a keystream block, back to back. */
  gatherFeedback(count: number): Uint8Array {
    return this.memory.subarray(feedbackAt, feedbackAt + this.gather(count));
  }

  /** Opening, step 2: with E() of those blocks, decrypts frames 0..count-1, `bytes` in all, into `target` at `at`. */
  openFrames(count: number, keystream: Uint8Array, target: Uint8Array, at: number, bytes: number): void {
    this.memory.set(keystream, keystreamAt);
    this.open(count);
    target.set(this.memory.subarray(openedAt, openedAt + bytes), at);
  }
}

let shared: XorKernel | undefined;

/** The process's kernel, compiled on first use (about 600 KiB of memory). */
export function xorKernel(): XorKernel {
  return (shared ??= new XorKernel());
}
