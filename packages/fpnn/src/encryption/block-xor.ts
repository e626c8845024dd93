/**
 * The XOR of AES-CFB with a keystream from AES-ECB (package-sealer.ts, package-opener.ts, stream-cipher.ts), four bytes
 * at a time through DataViews: frames sit at any offset, so no aligned typed arrays.
 */

export const blockSize = 16;

export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** target[to..] = source[from..] xor keystream[key..], `length` bytes; target may be source (same offsets: in place). */
export function xorBytes(source: DataView, from: number, keystream: DataView, key: number, target: DataView, to: number, length: number): void {
  let i = 0;
  // A block per iteration: 16-byte runs at random offsets took ~5.5 instead of ~8 ns (Node 20, in isolation).
  for (; i + 16 <= length; i += 16) {
    target.setInt32(to + i, source.getInt32(from + i, true) ^ keystream.getInt32(key + i, true), true);
    target.setInt32(to + i + 4, source.getInt32(from + i + 4, true) ^ keystream.getInt32(key + i + 4, true), true);
    target.setInt32(to + i + 8, source.getInt32(from + i + 8, true) ^ keystream.getInt32(key + i + 8, true), true);
    target.setInt32(to + i + 12, source.getInt32(from + i + 12, true) ^ keystream.getInt32(key + i + 12, true), true);
  }
  for (; i + 4 <= length; i += 4) target.setInt32(to + i, source.getInt32(from + i, true) ^ keystream.getInt32(key + i, true), true);
  for (; i < length; i++) target.setUint8(to + i, source.getUint8(from + i) ^ keystream.getUint8(key + i));
}

/** Copies `length` bytes between buffers (or towards the start within one), a block, then four bytes, at a time. */
export function copyBytes(source: DataView, from: number, target: DataView, to: number, length: number): void {
  let i = 0;
  for (; i + 16 <= length; i += 16) {
    target.setInt32(to + i, source.getInt32(from + i, true), true);
    target.setInt32(to + i + 4, source.getInt32(from + i + 4, true), true);
    target.setInt32(to + i + 8, source.getInt32(from + i + 8, true), true);
    target.setInt32(to + i + 12, source.getInt32(from + i + 12, true), true);
  }
  for (; i + 4 <= length; i += 4) target.setInt32(to + i, source.getInt32(from + i, true), true);
  for (; i < length; i++) target.setUint8(to + i, source.getUint8(from + i));
}
