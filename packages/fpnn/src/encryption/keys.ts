import { ECDH, createECDH, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { curveOfNodeName, defaultCurve, resolveCurve, type Curve } from "./curves.js";
import { derTag, expectTag, readTlv } from "./der.js";
import { EncryptionError } from "./errors.js";

/** Raw bytes (Buffer or Uint8Array), a hex string of them, a PEM string, or DER bytes. */
export type KeyInput = Uint8Array | string;

export interface ParsedPublicKey {
  readonly curve: Curve;
  /** Uncompressed point 0x04||X||Y, what ECDH.computeSecret takes. */
  readonly point: Buffer;
}

export interface ParsedPrivateKey {
  readonly curve: Curve;
  /** The private scalar, curve.size bytes. */
  readonly scalar: Buffer;
}

const uncompressedPrefix = 0x04;

/**
 * Server public key for the client side. Raw X||Y (or 0x04||X||Y) uses the `curve` option (default secp256k1);
 * PEM and DER (SPKI) carry their curve, which must agree with the option when both are given.
 */
export function parsePublicKey(input: unknown, curveOption?: unknown, field = "publicKey"): ParsedPublicKey {
  const optionCurve = curveOption === undefined ? undefined : resolveCurve(curveOption, siblingField(field, "curve"));
  const pem = asPem(input);
  if (pem !== undefined) {
    return publicKeyFromKeyObject(importKey(() => createPublicKey(pem), field, "PEM public key"), optionCurve, field);
  }
  const bytes = toBytes(input, field);
  const curve = optionCurve ?? defaultCurve;
  const rawLength = 2 * curve.size;
  if (bytes.length === rawLength) {
    return { curve, point: checkedPoint(Buffer.concat([Buffer.of(uncompressedPrefix), bytes]), curve, field) };
  }
  if (bytes.length === rawLength + 1 && bytes[0] === uncompressedPrefix) {
    return { curve, point: checkedPoint(Buffer.from(bytes), curve, field) };
  }
  if (bytes[0] === derTag.sequence) {
    const der = Buffer.from(bytes);
    const key = importKey(() => createPublicKey({ key: der, format: "der", type: "spki" }), field, "DER (SPKI) public key");
    return publicKeyFromKeyObject(key, optionCurve, field);
  }
  throw new EncryptionError(
    `${field}: wrong key length ${bytes.length} for ${curve.name}: expected ${rawLength} bytes X||Y, ` +
      `${rawLength + 1} with the 0x04 prefix, PEM or DER` +
      (optionCurve === undefined ? " (set the curve option for other curves)" : ""),
  );
}

/**
 * A raw scalar may come this many bytes short: ECDH.getPrivateKey() and most big-number exports drop leading zero
 * bytes (one key in 256 comes out a byte short). Curve sizes differ by 4 bytes, so this stays unambiguous.
 */
const droppedZeroBytes = 2;

/**
 * Server private key. Raw scalar (curve-sized: 32, 28 or 24 bytes, or up to 2 bytes shorter) uses the `curve` option (default secp256k1);
 * PEM or DER (SEC1 "EC PRIVATE KEY" or PKCS#8) carry their curve.
 */
export function parsePrivateKey(input: unknown, curveOption?: unknown, field = "privateKey"): ParsedPrivateKey {
  const optionCurve = curveOption === undefined ? undefined : resolveCurve(curveOption, siblingField(field, "curve"));
  const pem = asPem(input);
  if (pem !== undefined) {
    return privateKeyFromKeyObject(importKey(() => createPrivateKey(pem), field, "PEM private key"), optionCurve, field);
  }
  const bytes = toBytes(input, field);
  const curve = optionCurve ?? defaultCurve;
  if (bytes.length <= curve.size && bytes.length >= curve.size - droppedZeroBytes) {
    const scalar = Buffer.alloc(curve.size);
    scalar.set(bytes, curve.size - bytes.length);
    return { curve, scalar: checkedScalar(scalar, curve, field) };
  }
  if (bytes[0] === derTag.sequence) {
    const der = Buffer.from(bytes);
    const key = importKey(
      () => {
        try {
          return createPrivateKey({ key: der, format: "der", type: "pkcs8" });
        } catch {
          return createPrivateKey({ key: der, format: "der", type: "sec1" });
        }
      },
      field,
      "DER (PKCS#8 or SEC1) private key",
    );
    return privateKeyFromKeyObject(key, optionCurve, field);
  }
  throw new EncryptionError(
    `${field}: wrong key length ${bytes.length} for ${curve.name}: expected a ${curve.size}-byte raw key, PEM or DER` +
      (optionCurve === undefined ? " (set the curve option for other curves)" : ""),
  );
}

/** Checks an uncompressed point lies on the curve (and normalises a compressed one). */
export function checkedPoint(point: Uint8Array, curve: Curve, field: string): Buffer {
  try {
    return ECDH.convertKey(point, curve.nodeName, undefined, undefined, "uncompressed") as Buffer;
  } catch (cause) {
    throw new EncryptionError(`${field}: not a point on ${curve.name}`, { cause });
  }
}

function checkedScalar(scalar: Buffer, curve: Curve, field: string): Buffer {
  try {
    createECDH(curve.nodeName).setPrivateKey(scalar);
  } catch (cause) {
    throw new EncryptionError(`${field}: not a valid ${curve.name} private key (zero or not below the curve order)`, { cause });
  }
  return scalar;
}

function publicKeyFromKeyObject(key: KeyObject, optionCurve: Curve | undefined, field: string): ParsedPublicKey {
  const curve = curveOfKey(key, optionCurve, field);
  const spki = key.export({ format: "der", type: "spki" });
  const outer = expectTag(readTlv(spki, 0), derTag.sequence);
  const algorithm = readTlv(spki, outer.start);
  const bits = expectTag(readTlv(spki, algorithm.end), derTag.bitString);
  // The first byte of a BIT STRING counts unused bits (0 here); the point follows.
  return { curve, point: checkedPoint(spki.subarray(bits.start + 1, bits.end), curve, field) };
}

function privateKeyFromKeyObject(key: KeyObject, optionCurve: Curve | undefined, field: string): ParsedPrivateKey {
  const curve = curveOfKey(key, optionCurve, field);
  // SEC1: SEQUENCE { INTEGER version, OCTET STRING privateKey, ... }
  const sec1 = key.export({ format: "der", type: "sec1" });
  const outer = expectTag(readTlv(sec1, 0), derTag.sequence);
  const version = expectTag(readTlv(sec1, outer.start), derTag.integer);
  const octets = expectTag(readTlv(sec1, version.end), derTag.octetString);
  const value = sec1.subarray(octets.start, octets.end);
  const scalar = Buffer.alloc(curve.size);
  value.copy(scalar, Math.max(0, curve.size - value.length), Math.max(0, value.length - curve.size));
  return { curve, scalar: checkedScalar(scalar, curve, field) };
}

function curveOfKey(key: KeyObject, optionCurve: Curve | undefined, field: string): Curve {
  if (key.asymmetricKeyType !== "ec") {
    throw new EncryptionError(`${field}: not an EC key (found ${key.asymmetricKeyType ?? "a secret key"})`);
  }
  const curve = curveOfNodeName(key.asymmetricKeyDetails?.namedCurve, field);
  if (optionCurve !== undefined && optionCurve !== curve) {
    throw new EncryptionError(`${field}: the key is on ${curve.name} but the curve option says ${optionCurve.name}`);
  }
  return curve;
}

function importKey(load: () => KeyObject, field: string, what: string): KeyObject {
  try {
    return load();
  } catch (cause) {
    const detail = cause instanceof Error ? `: ${cause.message}` : "";
    throw new EncryptionError(`${field}: not a valid ${what}${detail}`, { cause });
  }
}

/** "encryption.publicKey" -> "encryption.curve". */
function siblingField(field: string, name: string): string {
  return field.slice(0, field.lastIndexOf(".") + 1) + name;
}

function asPem(input: unknown): string | undefined {
  if (typeof input === "string" && input.trimStart().startsWith("-----BEGIN")) return input;
  if (input instanceof Uint8Array && input.length > 10 && Buffer.from(input.buffer, input.byteOffset, 10).toString("latin1") === "-----BEGIN") {
    return Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("latin1");
  }
  return undefined;
}

const hexPattern = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * The hex digits of a hex text file's bytes (a key file read with readFileSync), else undefined. Raw keys are
 * at most 65 bytes and never all hex digits in practice; DER never passes (its length bytes are not hex digits).
 */
function hexTextOf(bytes: Uint8Array): string | undefined {
  if (bytes.length < 48) return undefined;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1").trim().replace(/^0x/i, "");
  return hexPattern.test(text) ? text : undefined;
}

function toBytes(input: unknown, field: string): Uint8Array {
  if (input instanceof Uint8Array) {
    const hex = hexTextOf(input);
    return hex === undefined ? input : Buffer.from(hex, "hex");
  }
  if (typeof input === "string") {
    const hex = input.trim().replace(/^0x/i, "");
    if (!hexPattern.test(hex)) throw new EncryptionError(`${field}: a string key must be PEM or hex (an even number of hex digits)`);
    return Buffer.from(hex, "hex");
  }
  throw new EncryptionError(`${field}: expected a Buffer/Uint8Array (raw or DER), a hex string or a PEM string, got ${describe(input)}`);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}
