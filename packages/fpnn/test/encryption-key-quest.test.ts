import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import {
  EncryptionError,
  createClientKeyExchange,
  createServerKeyExchange,
  decodeKeyQuestPayload,
  encodeKeyQuestPayload,
} from "../src/encryption/index.js";

const packr = new Packr({ useRecords: false });
const server = createServerKeyExchange({ privateKey: "8dc4c5ef7965fa69bc0dba20968ebe3f8309377fe970e13d4004a85b821da5c6" });
const curve = server.curve;
const clientKey = createClientKeyExchange({ publicKey: server.publicKey }).publicKey;
const frame = Buffer.from("46504e4e0180010408000000020000006563686f82a16101a162a178", "hex");

/** Both decoders (raw bytes and msgpackr-decoded object) must reject the payload with this message. */
function expectRejected(payload: Record<string, unknown>, message: string | RegExp): void {
  const packed = packr.pack(payload);
  expect(() => server.acceptEncoded(packed)).toThrow(message);
  expect(() => server.accept(packr.unpack(packed))).toThrow(message);
  expect(() => server.acceptEncoded(packed)).toThrow(EncryptionError);
}

describe("*key quest validation on the server", () => {
  it("rejects bits other than 128 and 256", () => {
    expectRejected({ publicKey: clientKey, streamMode: false, bits: 192 }, "*key quest: bits must be 128 or 256, got number 192");
    expectRejected({ publicKey: clientKey, streamMode: false, bits: 0 }, /bits must be 128 or 256/);
    expect(() => server.acceptEncoded(packr.pack({ publicKey: clientKey, bits: "128" }))).toThrow(
      "*key quest: bits must be 128 or 256, got msgpack type 0xa3",
    );
    expect(() => server.accept({ publicKey: clientKey, bits: "128" })).toThrow('*key quest: bits must be 128 or 256, got string "128"');
  });

  it("rejects a streamMode that is not a msgpack bool", () => {
    expect(() => server.acceptEncoded(packr.pack({ publicKey: clientKey, streamMode: 1, bits: 128 }))).toThrow(
      "*key quest: streamMode must be a bool, got msgpack type 0x1",
    );
    expect(() => server.accept({ publicKey: clientKey, streamMode: 1, bits: 128 })).toThrow("*key quest: streamMode must be a bool, got number 1");
  });

  it("rejects a public key of the wrong length, missing, of the wrong type, or off the curve", () => {
    expectRejected({ publicKey: clientKey.subarray(1), bits: 128 }, "*key quest: publicKey has 63 bytes, secp256k1 needs 64 (raw X||Y)");
    expectRejected({ publicKey: Buffer.concat([Buffer.of(4), clientKey]), bits: 128 }, /publicKey has 65 bytes/);
    expectRejected({ streamMode: false, bits: 128 }, "*key quest: publicKey is missing");
    expectRejected({ publicKey: 12, bits: 128 }, /^\*key quest: publicKey must be bytes \(bin or str\), got /);
    const offCurve = Buffer.from(clientKey);
    offCurve[63]! ^= 1;
    expectRejected({ publicKey: offCurve, bits: 128 }, "*key quest: publicKey is not a point on secp256k1");
  });

  it("rejects payloads that are not one well-formed map", () => {
    expect(() => server.acceptEncoded(packr.pack([clientKey, false, 128]))).toThrow("*key quest: the payload is not a map");
    expect(() => server.accept([clientKey])).toThrow("*key quest: the payload is not a map");
    expect(() => server.accept(null)).toThrow("*key quest: the payload is not a map");
    const good = packr.pack({ publicKey: clientKey, streamMode: false, bits: 128 });
    for (let cut = 0; cut < good.length; cut++) {
      expect(() => server.acceptEncoded(good.subarray(0, cut))).toThrow(EncryptionError);
    }
    expect(() => server.acceptEncoded(Buffer.concat([good, Buffer.of(0xc0)]))).toThrow("*key quest: bytes after the payload map");
    expect(() => server.acceptEncoded(Buffer.from("81a178c1", "hex"))).toThrow("*key quest: invalid msgpack type byte 0xc1");
  });

  it("skips unknown fields of any type and defaults absent streamMode/bits to false/128", () => {
    const kex = createClientKeyExchange({ publicKey: server.publicKey });
    const extra = { meta: { nested: [1, -2, 3.5, "x".repeat(40), null, true, Buffer.alloc(300)], big: 2n ** 60n }, publicKey: kex.publicKey };
    const cipher = server.acceptEncoded(packr.pack(extra));
    expect(Buffer.from(cipher.open(kex.createFrameCipher().seal(frame)))).toEqual(frame);
    const quest = decodeKeyQuestPayload(packr.pack(extra), curve);
    expect([Buffer.from(quest.publicKey), quest.streamMode, quest.bits]).toEqual([kex.publicKey, false, 128]);
  });

  it("decodes publicKey sent as str (C++ peers), bin, and with map16 / bin16 headers", () => {
    const payload = { publicKey: clientKey, streamMode: true, bits: 256 as const };
    const decoded = (bytes: Uint8Array) => {
      const quest = decodeKeyQuestPayload(bytes, curve);
      return { ...quest, publicKey: Buffer.from(quest.publicKey) };
    };
    const asStr = encodeKeyQuestPayload(payload);
    expect(Buffer.from(asStr.subarray(0, 12)).toString("hex")).toBe("83a97075626c69634b6579d9");
    expect(Buffer.from(asStr.subarray(asStr.length - 3)).toString("hex")).toBe("cd0100");
    expect(decoded(asStr)).toEqual(payload);
    expect(decoded(packr.pack(payload))).toEqual(payload);
    const wide = Buffer.concat([
      Buffer.from("de0003", "hex"),
      packr.pack("bits"),
      Buffer.from("cd0100", "hex"),
      packr.pack("streamMode"),
      Buffer.of(0xc3),
      packr.pack("publicKey"),
      Buffer.from("c50040", "hex"),
      clientKey,
    ]);
    expect(decoded(wide)).toEqual(payload);
  });
});
