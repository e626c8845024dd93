import { readFileSync } from "node:fs";
import { FpnnServer, type Payload } from "@rtmkit/fpnn";
import { RTMServerClient } from "../src/index.js";

export interface WireKey {
  key: string;
  wire: string;
  value: unknown;
}
export interface WireCall {
  call: string;
  method: string;
  frameHex: string;
  keys: WireKey[];
}
export interface WireVectors {
  pid: number;
  secret: string;
  sampleArgs: Record<string, unknown>;
  calls: WireCall[];
}

export const vectors: WireVectors = JSON.parse(readFileSync(new URL("../../../test/vectors/rtm-chat-wire.json", import.meta.url), "utf8"));

/** An FPNN server that records every quest it gets and answers with `answer(method, payload)`. */
export async function captureServer(answer: (method: string, payload: Payload) => Payload | Promise<Payload>, methods: readonly string[]) {
  const server = new FpnnServer();
  const received: { method: string; payload: Payload }[] = [];
  for (const m of methods) {
    server.handle(m, (payload) => {
      received.push({ method: m, payload });
      return answer(m, payload);
    });
  }
  const { port } = await server.listen(0, "127.0.0.1");
  const client = new RTMServerClient({ pid: vectors.pid, secret: vectors.secret, endpoint: `127.0.0.1:${port}`, autoReconnect: false });
  return {
    server,
    client,
    received,
    async close() {
      await client.close();
      await server.close();
    },
  };
}
