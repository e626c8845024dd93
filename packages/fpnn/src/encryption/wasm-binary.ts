/**
 * Just enough of the WebAssembly binary format (WebAssembly Core Specification 2.0, chapter 5) to write a module of a
 * few functions by hand: LEB128 numbers, the instructions used, and a module that imports its memory.
 */

export type Code = readonly number[];

export const valueType = { i32: 0x7f, i64: 0x7e } as const;

export function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

export function signedLeb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

/** Instructions, each as its bytes. Memory accesses take their static offset; alignment hints are the natural ones. */
export const op = {
  get: (local: number): Code => [0x20, ...unsignedLeb(local)],
  set: (local: number): Code => [0x21, ...unsignedLeb(local)],
  i32: (value: number): Code => [0x41, ...signedLeb(value)],
  i32Load: (offset = 0): Code => [0x28, 2, ...unsignedLeb(offset)],
  i32Load8: (offset = 0): Code => [0x2d, 0, ...unsignedLeb(offset)],
  i64Load: (offset = 0): Code => [0x29, 3, ...unsignedLeb(offset)],
  i32Store8: (offset = 0): Code => [0x3a, 0, ...unsignedLeb(offset)],
  i64Store: (offset = 0): Code => [0x37, 3, ...unsignedLeb(offset)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32And: [0x71],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32Xor: [0x73],
  i32GeU: [0x4f],
  i32GtU: [0x4b],
  i32LtU: [0x49],
  /** Pops c, b, a: a if c is not 0, else b. */
  select: [0x1b],
  i64Xor: [0x85],
} satisfies Record<string, Code | ((...args: number[]) => Code)>;

/** Instructions in order, written flat like a WebAssembly text listing. */
export function code(...parts: readonly Code[]): Code {
  return parts.flat();
}

/** `while (!(exit)) { body }`: a block around a loop; `exit` leaves an i32 on the stack. */
export function loopUntil(exit: Code, body: Code): Code {
  const block = 0x02;
  const loop = 0x03;
  const noResult = 0x40;
  const brIf = 0x0d;
  const br = 0x0c;
  const end = 0x0b;
  return [block, noResult, loop, noResult, ...exit, brIf, 1, ...body, br, 0, end, end];
}

export interface FunctionDefinition {
  readonly name: string;
  readonly params: readonly number[];
  readonly results: readonly number[];
  /** Locals after the parameters, by type. */
  readonly locals: readonly number[];
  readonly body: Code;
}

/** A module that imports its memory as env.memory and exports the given functions. */
export function moduleBytes(functions: readonly FunctionDefinition[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((t) => [t])), ...vector(f.results.map((t) => [t]))]);
  const memoryImport = [...name("env"), ...name("memory"), 0x02, 0x00, ...unsignedLeb(1)];
  const exports = functions.map((f, index) => [...name(f.name), 0x00, ...unsignedLeb(index)]);
  const bodies = functions.map((f) => {
    const code = [...vector(f.locals.map((type) => [...unsignedLeb(1), type])), ...f.body, 0x0b];
    return [...unsignedLeb(code.length), ...code];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(functions.map((_, index) => unsignedLeb(index)))),
    ...section(7, vector(exports)),
    ...section(10, vector(bodies)),
  ]);
}

function vector(items: readonly Code[]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

function section(id: number, body: Code): number[] {
  return [id, ...unsignedLeb(body.length), ...body];
}

function name(text: string): number[] {
  const bytes = Buffer.from(text, "utf8");
  return [...unsignedLeb(bytes.length), ...bytes];
}
