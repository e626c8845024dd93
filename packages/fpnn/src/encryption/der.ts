/** Just enough DER to pull the point out of an SPKI and the scalar out of a SEC1 key that node:crypto exported. */

export interface Tlv {
  readonly tag: number;
  /** Offset of the value. */
  readonly start: number;
  /** Offset just past the value. */
  readonly end: number;
}

export function readTlv(der: Uint8Array, offset: number): Tlv {
  const tag = der[offset];
  let lengthByte = der[offset + 1];
  if (tag === undefined || lengthByte === undefined) throw new RangeError("DER: truncated header");
  let start = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 3) throw new RangeError("DER: unsupported length");
    length = 0;
    for (let i = 0; i < count; i++) {
      lengthByte = der[start + i];
      if (lengthByte === undefined) throw new RangeError("DER: truncated length");
      length = length * 256 + lengthByte;
    }
    start += count;
  }
  const end = start + length;
  if (end > der.length) throw new RangeError("DER: value runs past the end");
  return { tag, start, end };
}

export const derTag = { integer: 0x02, bitString: 0x03, octetString: 0x04, sequence: 0x30 } as const;

export function expectTag(tlv: Tlv, tag: number): Tlv {
  if (tlv.tag !== tag) throw new RangeError(`DER: expected tag 0x${tag.toString(16)}, found 0x${tlv.tag.toString(16)}`);
  return tlv;
}
