import { afterEach, describe, expect, it } from "vitest";
import type { Connection } from "../src/connection.js";
import type { FrameCipher } from "../src/frame-cipher.js";
import { newClient, startServer } from "./helpers.js";

/** A stand-in stream cipher (XOR with a running key byte) to exercise the seam; real AES lives in src/encryption. */
class XorCipher implements FrameCipher {
  readonly framePrefixSize = 0;
  sealed = 0;
  opened = 0;
  private sendKey = 0x5a;
  private receiveKey = 0x5a;
  sealFrames(staged: Uint8Array, _frameSizes: Uint32Array, count: number): Uint8Array {
    this.sealed += count;
    return this.xor(staged);
  }
  seal(frame: Uint8Array): Uint8Array {
    this.sealed++;
    return this.xor(frame);
  }
  private xor(frame: Uint8Array): Uint8Array {
    const out = new Uint8Array(frame.length);
    for (let i = 0; i < frame.length; i++) out[i] = frame[i]! ^ (this.sendKey = (this.sendKey * 31 + 7) & 0xff);
    return out;
  }
  open(chunk: Uint8Array): Uint8Array {
    this.opened += chunk.length;
    const out = new Uint8Array(chunk.length);
    for (let i = 0; i < chunk.length; i++) out[i] = chunk[i]! ^ (this.receiveKey = (this.receiveKey * 31 + 7) & 0xff);
    return out;
  }
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

describe("encryption seam", () => {
  it("a handshake in beforeReady switches both sides to the cipher; queued quests wait for it", async () => {
    const { server, endpoint } = await startServer();
    cleanups.push(() => server.close());
    const serverCiphers: XorCipher[] = [];
    server.handle("*key", (_payload, { connection }) => {
      const cipher = new XorCipher();
      serverCiphers.push(cipher);
      connection.setCipher(cipher); // the answer and everything after it are sealed
      return {};
    });
    server.handle("echo", (p) => p);
    const clientCipher = new XorCipher();
    let handshakeDone = false;
    const client = newClient(endpoint, {
      beforeReady: async (connection: Connection) => {
        const answer = connection.quest("*key", { publicKey: Buffer.alloc(64, 1), streamMode: true, bits: 128 });
        connection.setCipher(clientCipher);
        // Same tick, so same TCP chunk as *key: the server must decrypt the rest of that chunk.
        const early = await connection.quest("echo", { early: true });
        expect(early).toEqual({ early: true });
        await answer;
        handshakeDone = true;
      },
    });
    cleanups.push(() => client.close());
    // Sent before the connection exists: must wait for the handshake, then travel encrypted.
    const queued = Array.from({ length: 20 }, (_, i) => client.quest("echo", { i, text: "secret" }));
    expect(await Promise.all(queued)).toEqual(Array.from({ length: 20 }, (_, i) => ({ i, text: "secret" })));
    expect(handshakeDone).toBe(true);
    expect(await client.quest("echo", { again: true })).toEqual({ again: true });
    expect(clientCipher.sealed).toBe(22); // every frame after *key
    expect(serverCiphers).toHaveLength(1);
    expect(serverCiphers[0]!.sealed).toBe(23); // the *key answer and 22 echo answers
    expect(client.connection!.stats.framesSent).toBe(23);
    expect(client.connection!.stats.writes).toBeLessThan(23);
  });
});
