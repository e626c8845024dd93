import { createECDH, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  EncryptionError,
  createClientKeyExchange,
  createServerKeyExchange,
  parsePrivateKey,
  parsePublicKey,
  type CurveName,
  type KeyInput,
} from "../src/encryption/index.js";

const curves: { name: CurveName; nodeName: string; size: number }[] = [
  { name: "secp256k1", nodeName: "secp256k1", size: 32 },
  { name: "secp256r1", nodeName: "prime256v1", size: 32 },
  { name: "secp224r1", nodeName: "secp224r1", size: 28 },
  { name: "secp192r1", nodeName: "prime192v1", size: 24 },
];

const frame = Buffer.from("46504e4e0180010408000000020000006563686f82a16101a162a178", "hex");

function keyPair(nodeName: string) {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: nodeName });
  const spkiDer = publicKey.export({ format: "der", type: "spki" });
  const sec1Der = privateKey.export({ format: "der", type: "sec1" });
  const size = sec1Der[6]!; // SEQUENCE(2) INTEGER version(3) OCTET STRING tag, length
  return {
    spkiPem: publicKey.export({ format: "pem", type: "spki" }) as string,
    spkiDer,
    point: spkiDer.subarray(spkiDer.length - (2 * size + 1)),
    sec1Pem: privateKey.export({ format: "pem", type: "sec1" }) as string,
    pkcs8Pem: privateKey.export({ format: "pem", type: "pkcs8" }) as string,
    sec1Der,
    pkcs8Der: privateKey.export({ format: "der", type: "pkcs8" }),
    scalar: sec1Der.subarray(7, 7 + size),
  };
}

/** Both sides agree (the client's sealed frame opens on the server) with the keys in the given forms. */
function exchange(publicKey: KeyInput, privateKey: KeyInput, curve?: CurveName) {
  const server = createServerKeyExchange({ privateKey, ...(curve ? { curve } : {}) });
  const client = createClientKeyExchange({ publicKey, ...(curve ? { curve } : {}), bits: 256 });
  const serverCipher = server.acceptEncoded(client.encodedKeyQuestPayload);
  expect(Buffer.from(serverCipher.open(client.createFrameCipher().seal(frame)))).toEqual(frame);
  return { server, client };
}

describe.each(curves)("key formats on $name", (curve) => {
  const keys = keyPair(curve.nodeName);
  const raw = keys.point.subarray(1);

  it("parses the public key raw, 0x04-prefixed, hex, PEM and DER to the same point", () => {
    const forms: [KeyInput, CurveName | undefined][] = [
      [raw, curve.name],
      [new Uint8Array(raw), curve.name],
      [keys.point, curve.name],
      [raw.toString("hex"), curve.name],
      [`0x${keys.point.toString("hex")}`, curve.name],
      [Buffer.from(`${raw.toString("hex")}\n`), curve.name],
      [keys.spkiPem, undefined],
      [Buffer.from(keys.spkiPem), undefined],
      [keys.spkiDer, undefined],
      [keys.spkiDer.toString("hex"), undefined],
      [keys.spkiPem, curve.name],
    ];
    expect(raw.length).toBe(2 * curve.size);
    for (const [input, option] of forms) {
      const parsed = parsePublicKey(input, option);
      expect(parsed.curve.name).toBe(curve.name);
      expect(parsed.point).toEqual(keys.point);
    }
  });

  it("parses the private key raw, hex, SEC1 and PKCS#8 in PEM and DER to the same scalar", () => {
    const forms: [KeyInput, CurveName | undefined][] = [
      [keys.scalar, curve.name],
      [keys.scalar.toString("hex"), curve.name],
      [Buffer.from(`${keys.scalar.toString("hex")}\n`), curve.name], // a hex key file's bytes
      [keys.sec1Pem, undefined],
      [keys.pkcs8Pem, undefined],
      [Buffer.from(keys.pkcs8Pem), undefined],
      [keys.sec1Der, undefined],
      [keys.pkcs8Der, curve.name],
    ];
    for (const [input, option] of forms) {
      const parsed = parsePrivateKey(input, option);
      expect(parsed.curve.name).toBe(curve.name);
      expect(parsed.scalar).toEqual(keys.scalar);
    }
  });

  it("runs the exchange with PEM on one side and raw on the other", () => {
    const { server, client } = exchange(raw, keys.sec1Pem, curve.name);
    expect(server.publicKey).toEqual(raw);
    expect(client.curve).toBe(curve.name);
    expect(client.publicKey.length).toBe(2 * curve.size);
    exchange(keys.spkiPem, keys.scalar.toString("hex"), curve.name);
    exchange(keys.spkiDer, keys.pkcs8Der);
  });

  it("derives a 256-bit key by SHA-256 when the secret is shorter than 32 bytes", () => {
    const { client } = exchange(keys.spkiPem, keys.pkcs8Pem);
    expect(client.sessionKeys.key.length).toBe(32);
    expect(client.sessionKeys.iv.length).toBe(16);
  });

  it("rejects a point that is not on the curve", () => {
    const bad = Buffer.from(raw);
    bad[bad.length - 1]! ^= 1;
    expect(() => parsePublicKey(bad, curve.name)).toThrow(new EncryptionError(`publicKey: not a point on ${curve.name}`));
  });

  it("rejects a private key of zero or not below the curve order", () => {
    expect(() => parsePrivateKey(Buffer.alloc(curve.size), curve.name)).toThrow(/not a valid .* private key/);
    expect(() => parsePrivateKey(Buffer.alloc(curve.size, 0xff), curve.name)).toThrow(/not a valid .* private key/);
  });

  it("rejects a PEM key whose curve contradicts the curve option", () => {
    const other: CurveName = curve.name === "secp256k1" ? "secp256r1" : "secp256k1";
    expect(() => parsePublicKey(keys.spkiPem, other)).toThrow(`publicKey: the key is on ${curve.name} but the curve option says ${other}`);
    expect(() => parsePrivateKey(keys.sec1Pem, other)).toThrow(`privateKey: the key is on ${curve.name} but the curve option says ${other}`);
  });
});

function publicKeyOf(nodeCurve: string, scalar: Buffer): Buffer {
  const ecdh = createECDH(nodeCurve);
  ecdh.setPrivateKey(scalar);
  return ecdh.getPublicKey();
}

describe("bad keys and options", () => {
  const k1 = keyPair("secp256k1");

  it("names the curve option when a raw key has the length of another curve", () => {
    const raw224 = keyPair("secp224r1").point.subarray(1);
    expect(() => parsePublicKey(raw224)).toThrow(
      "publicKey: wrong key length 56 for secp256k1: expected 64 bytes X||Y, 65 with the 0x04 prefix, PEM or DER (set the curve option for other curves)",
    );
    expect(() => parsePrivateKey(Buffer.alloc(28, 1))).toThrow(/privateKey: wrong key length 28 for secp256k1: expected a 32-byte raw key/);
  });

  it("takes a raw private scalar that lost its leading zero bytes, as ECDH.getPrivateKey() gives it", () => {
    for (const curve of ["secp256k1", "secp256r1", "secp224r1", "secp192r1"] as const) {
      const size = { secp256k1: 32, secp256r1: 32, secp224r1: 28, secp192r1: 24 }[curve];
      const full = Buffer.alloc(size);
      full[size - 1] = 5;
      full[size - 3] = 1; // two leading bytes would be zero when exported without them
      for (const short of [full.subarray(1), full.subarray(2)]) {
        const parsed = parsePrivateKey(short, curve);
        expect(parsed.scalar).toEqual(full);
        expect(publicKeyOf(parsed.curve.nodeName, parsed.scalar)).toEqual(publicKeyOf(parsed.curve.nodeName, full));
      }
      expect(() => parsePrivateKey(full.subarray(3), curve)).toThrow(/wrong key length/);
    }
  });

  it("rejects unknown curves, with the list of known ones", () => {
    expect(() => parsePublicKey(k1.point, "secp384r1")).toThrow('curve: unknown curve "secp384r1"; expected one of secp256k1, secp256r1, secp224r1, secp192r1');
    const p384 = generateKeyPairSync("ec", { namedCurve: "secp384r1" }).publicKey.export({ format: "pem", type: "spki" }) as string;
    expect(() => parsePublicKey(p384)).toThrow("publicKey: the key is on curve secp384r1, which FPNN does not support");
    expect(() => createClientKeyExchange({ publicKey: k1.point, curve: "P-256" as CurveName })).toThrow(/^encryption\.curve: unknown curve "P-256"/);
  });

  it("accepts node:crypto curve names", () => {
    expect(parsePublicKey(keyPair("prime256v1").point, "prime256v1").curve.name).toBe("secp256r1");
  });

  it("rejects non-EC keys, garbage PEM, bad hex and wrong types", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "pem", type: "spki" }) as string;
    expect(() => parsePublicKey(rsa)).toThrow("publicKey: not an EC key (found rsa)");
    expect(() => parsePublicKey("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")).toThrow(/publicKey: not a valid PEM public key/);
    expect(() => parsePublicKey("abc")).toThrow("publicKey: a string key must be PEM or hex (an even number of hex digits)");
    expect(() => parsePublicKey("zz".repeat(64))).toThrow(/must be PEM or hex/);
    expect(() => parsePublicKey(42)).toThrow("publicKey: expected a Buffer/Uint8Array (raw or DER), a hex string or a PEM string, got number");
    expect(() => parsePublicKey(Buffer.concat([Buffer.of(0x30), Buffer.alloc(70)]))).toThrow(/publicKey: not a valid DER \(SPKI\) public key/);
    expect(() => parsePrivateKey(Buffer.concat([Buffer.of(0x30), Buffer.alloc(70)]))).toThrow(/privateKey: not a valid DER \(PKCS#8 or SEC1\) private key/);
  });

  it("validates the client option object with field names", () => {
    expect(() => createClientKeyExchange({ publicKey: k1.point, bits: 192 as 128 })).toThrow("encryption.bits: must be 128 or 256, got 192");
    expect(() => createClientKeyExchange({ publicKey: k1.point, streamMode: "yes" as unknown as boolean })).toThrow(
      "encryption.streamMode: must be a boolean, got string",
    );
    expect(() => createClientKeyExchange({} as { publicKey: string })).toThrow("encryption.publicKey: missing");
    expect(() => createClientKeyExchange({ publicKey: k1.point.subarray(2) })).toThrow(/^encryption\.publicKey: wrong key length 63/);
    expect(() => createServerKeyExchange({ privateKey: "00" })).toThrow(/^encryption\.privateKey: wrong key length 1/);
  });
});
