import { readFileSync } from "node:fs";
import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { encodeQuest } from "../src/frame.js";
import {
  EncryptionError,
  createClientKeyExchange,
  createServerKeyExchange,
  type ClientKeyExchange,
  type CurveName,
  type KeyBits,
} from "../src/encryption/index.js";

interface KexVector {
  curve: CurveName;
  serverPrivateKey: string;
  serverPublicKey: string;
  clientPrivateKey: string;
  clientPublicKey: string;
  key128: string;
  iv128: string;
  key256: string;
  iv256: string;
  keyQuestFrame: string;
  frame1: string;
  frame2: string;
  package128_frame1: string;
  package128_frame2: string;
  package256_frame1: string;
  stream128_frame1: string;
  stream128_frame2_continued: string;
  serverPublicKeyPem: string;
}

/** Copies of the reference vectors (test/vectors/) kept in the repo so the test runs from a clean clone. */
const vectorsDir = new URL("../../../test/vectors/", import.meta.url);
const vectors = ["secp256k1", "secp256r1"].map(
  (curve) => JSON.parse(readFileSync(new URL(`fpnn-kex-${curve}.json`, vectorsDir), "utf8")) as KexVector,
);
const hex = (text: string) => Buffer.from(text, "hex");
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const packr = new Packr({ useRecords: false });

/** An FPNN two-way quest frame, header written by hand (docs/protocol/fpnn-frame.md, "Frame layout"). */
function questFrame(method: string, payload: Uint8Array, seq: number): Buffer {
  const header = Buffer.alloc(16);
  header.write("FPNN", 0, "latin1");
  header[4] = 1;
  header[5] = 0x80;
  header[6] = 1;
  header[7] = method.length;
  header.writeUInt32LE(payload.length, 8);
  header.writeUInt32LE(seq, 12);
  return Buffer.concat([header, Buffer.from(method, "latin1"), payload]);
}

describe.each(vectors)("key exchange vectors $curve", (v) => {
  const client = (bits: KeyBits, streamMode: boolean, publicKey: string = v.serverPublicKey): ClientKeyExchange =>
    createClientKeyExchange({ publicKey, curve: v.curve, bits, streamMode }, { privateKey: v.clientPrivateKey });
  const server = createServerKeyExchange({ privateKey: v.serverPrivateKey, curve: v.curve });

  it("derives the published public keys from the private keys", () => {
    expect(toHex(client(128, false).publicKey)).toBe(v.clientPublicKey);
    expect(toHex(server.publicKey)).toBe(v.serverPublicKey);
    expect(server.curve).toBe(v.curve);
  });

  it("derives key and IV for 128 and 256 bits", () => {
    const k128 = client(128, false).sessionKeys;
    const k256 = client(256, false).sessionKeys;
    expect([toHex(k128.key), toHex(k128.iv)]).toEqual([v.key128, v.iv128]);
    expect([toHex(k256.key), toHex(k256.iv)]).toEqual([v.key256, v.iv256]);
  });

  it("reads the curve from the PEM key and derives the same keys", () => {
    const fromPem = createClientKeyExchange({ publicKey: v.serverPublicKeyPem, bits: 256 }, { privateKey: v.clientPrivateKey });
    expect(fromPem.curve).toBe(v.curve);
    expect(toHex(fromPem.sessionKeys.key)).toBe(v.key256);
  });

  it("encodes the *key quest frame byte for byte", () => {
    const kex = client(128, false);
    expect(toHex(questFrame("*key", kex.encodedKeyQuestPayload, 1))).toBe(v.keyQuestFrame);
    expect(toHex(encodeQuest("*key", kex.encodedKeyQuestPayload, 1))).toBe(v.keyQuestFrame);
  });

  it("seals frames in package mode, 128 and 256", () => {
    const cipher128 = client(128, false).createFrameCipher();
    expect(toHex(cipher128.seal(hex(v.frame1)))).toBe(v.package128_frame1);
    expect(toHex(cipher128.seal(hex(v.frame2)))).toBe(v.package128_frame2);
    expect(toHex(client(256, false).createFrameCipher().seal(hex(v.frame1)))).toBe(v.package256_frame1);
  });

  it("seals frames in stream mode, the cipher continuing across frames", () => {
    const cipher = client(128, true).createFrameCipher();
    expect(toHex(cipher.seal(hex(v.frame1)))).toBe(v.stream128_frame1);
    expect(toHex(cipher.seal(hex(v.frame2)))).toBe(v.stream128_frame2_continued);
  });

  it("client -> server: the server accepts the vector *key payload and opens the vector packages", () => {
    const payload = hex(v.keyQuestFrame).subarray(16 + 4);
    const serverCipher = server.acceptEncoded(payload);
    const wire = Buffer.concat([hex(v.package128_frame1), hex(v.package128_frame2)]);
    expect(toHex(serverCipher.open(wire))).toBe(v.frame1 + v.frame2);
  });

  it("client -> server in stream mode and at 256 bits", () => {
    const stream = client(128, true);
    const streamServer = server.acceptEncoded(stream.encodedKeyQuestPayload);
    expect(toHex(streamServer.open(hex(v.stream128_frame1)))).toBe(v.frame1);
    expect(toHex(streamServer.open(hex(v.stream128_frame2_continued)))).toBe(v.frame2);

    const wide = client(256, false);
    expect(toHex(server.acceptEncoded(wide.encodedKeyQuestPayload).open(hex(v.package256_frame1)))).toBe(v.frame1);
  });

  it("server -> client: the server seals the same bytes and the client opens them", () => {
    const kex = client(128, false);
    const serverCipher = server.acceptEncoded(kex.encodedKeyQuestPayload);
    expect(toHex(serverCipher.seal(hex(v.frame1)))).toBe(v.package128_frame1);
    expect(toHex(kex.createFrameCipher().open(hex(v.package128_frame1)))).toBe(v.frame1);

    const stream = client(128, true);
    const serverStream = server.acceptEncoded(stream.encodedKeyQuestPayload);
    const clientStream = stream.createFrameCipher();
    expect(toHex(serverStream.seal(hex(v.frame1)))).toBe(v.stream128_frame1);
    expect(toHex(serverStream.seal(hex(v.frame2)))).toBe(v.stream128_frame2_continued);
    expect(toHex(clientStream.open(hex(v.stream128_frame1 + v.stream128_frame2_continued)))).toBe(v.frame1 + v.frame2);
  });

  it("accepts the payload msgpackr-encoded (publicKey as bin) and decoded", () => {
    const kex = client(256, true);
    const packed = packr.pack(kex.keyQuestPayload);
    expect(packed.includes(Buffer.from([0xc4, kex.publicKey.length]))).toBe(true);
    const viaRaw = server.acceptEncoded(packed);
    const viaDecoded = server.accept(packr.unpack(packed));
    const sealed = kex.createFrameCipher().seal(hex(v.frame1));
    expect(toHex(viaRaw.open(sealed))).toBe(v.frame1);
    expect(toHex(viaDecoded.open(sealed))).toBe(v.frame1);
  });

  it("refuses a str publicKey that msgpackr decoded lossily, pointing to the raw decoder", () => {
    const decoded = packr.unpack(hex(v.keyQuestFrame).subarray(20));
    expect(typeof decoded.publicKey).toBe("string");
    expect(() => server.accept(decoded)).toThrow(/not valid UTF-8.*decodeKeyQuestPayload/);
    expect(() => server.accept(decoded)).toThrow(EncryptionError);
  });
});
