import { blockSize } from "./block-xor.js";
import { EncryptionError } from "./errors.js";
import { wasmBase64 } from "./xor-kernel-wasm.js";

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
  Global: new (descriptor: { value: "i32"; mutable: false }, value: number) => object;
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
/**
 * The CFB XOR of package mode as small WebAssembly functions (xor-kernel.wat, assembled with wabt into
 * xor-kernel-wasm.ts): sealing's rounds (package-sealer.ts) and opening's gather and decrypt (package-opener.ts). In JS it went through DataViews at ~16 ns per 16-byte block (sixteen 4-byte
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
    const address = (value: number) => new wasm.Global({ value: "i32", mutable: false }, value);
    const layout = {
      firstKeystreamAt: address(firstKeystreamAt),
      startsAt: address(startsAt),
      endsAt: address(endsAt),
      feedbackAt: address(feedbackAt),
      keystreamAt: address(keystreamAt),
      openedAt: address(openedAt),
    };
    const { exports } = new wasm.Instance(new wasm.Module(Buffer.from(wasmBase64, "base64")), { env: { memory }, layout });
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
