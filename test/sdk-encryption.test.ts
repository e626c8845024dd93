import { createECDH, createHash } from "node:crypto";
import { FpnnServer, type Payload } from "@rtmkit/fpnn";
import { RTMServerClient } from "@rtmkit/rtm-server-sdk";
import { afterEach, describe, expect, it } from "vitest";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

describe("RTMServerClient over an encrypted connection", () => {
  it.each([
    { curve: "secp256r1", bits: 256, streamMode: true },
    { curve: "secp256k1", bits: 128, streamMode: false },
  ] as const)("sendChat on $curve, $bits bits, streamMode $streamMode", async ({ curve, bits, streamMode }) => {
    const serverKey = createECDH(curve === "secp256r1" ? "prime256v1" : curve);
    serverKey.generateKeys();
    const server = new FpnnServer({ encryption: { privateKey: serverKey.getPrivateKey().toString("hex").padStart(64, "0"), curve } });
    const methods: string[] = [];
    const received: Payload[] = [];
    server.handle("sendmsg", (payload, { connection }) => {
      received.push(payload);
      expect(connection.stats.framesReceived).toBeGreaterThan(1); // *key came first
      return { mtime: 1795634291123n };
    });
    const { port } = await server.listen(0);
    cleanups.push(() => server.close());
    const client = new RTMServerClient({
      pid: 11000001,
      secret: "secret",
      endpoint: `127.0.0.1:${port}`,
      keepAlive: false,
      encryption: { publicKey: serverKey.getPublicKey(), curve, bits, streamMode },
      hooks: { quest: (event) => void (event.direction === "out" && methods.push(event.method)) },
    });
    cleanups.push(() => client.close());

    const result = await client.sendChat(1001n, 1002n, "hello over AES", "{}");
    expect(result.mtime).toBe(1795634291123n);
    expect(methods).toEqual(["*key", "sendmsg"]);
    const payload = received[0]!;
    expect(payload).toMatchObject({ mtype: 30, from: 1001, to: 1002, msg: "hello over AES", attrs: "{}", pid: 11000001 });
    const expectedSign = createHash("md5").update(`11000001:secret:${String(payload.salt)}:sendmsg:${String(payload.ts)}`).digest("hex").toUpperCase();
    expect(payload.sign).toBe(expectedSign);
  });
});
