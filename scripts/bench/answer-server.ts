/**
 * The benchmark's answer server, run as a child process so the client's CPU figures are the client's
 * alone. Kinds: "raw" decodes frame headers and answers every two-way quest with one pre-encoded
 * `{mtime}` answer (as cheap as a server can be); "raw-aes" is the same behind the `*key` exchange
 * (any mode and key size the client asks for, key in bench-key.ts); "fpnn" is FpnnServer with a
 * `sendmsg` handler.
 * Protocol with the parent (IPC): parent sends nothing; child sends {port}; on {cpu: true} it replies {cpuMicros}.
 */
import { createServer, type Socket } from "node:net";
import {
  FpnnServer,
  FrameDecoder,
  FrameType,
  createServerKeyExchange,
  encodeAnswer,
  packPayload,
  type FrameCipher,
} from "@rtmkit/fpnn";
import { BENCH_PRIVATE_KEY } from "./bench-key.js";

const MTIME = 1795634291123n;
const answerTemplate = encodeAnswer(0, packPayload({ mtime: MTIME }));

/** The answers to `seqs` back to back, each after `prefixSize` bytes left for a cipher's prefix. */
function answersFor(seqs: readonly number[], prefixSize = 0): Buffer {
  const stride = prefixSize + answerTemplate.length;
  const out = Buffer.allocUnsafe(seqs.length * stride);
  for (let i = 0; i < seqs.length; i++) {
    const at = i * stride + prefixSize;
    answerTemplate.copy(out, at);
    out.writeUInt32LE(seqs[i]!, at + 12);
  }
  return out;
}

/** Every answer has the template's size: one table, grown when a batch is larger. */
let answerSizes = new Uint32Array(0);
function answerSizesFor(count: number): Uint32Array {
  if (answerSizes.length < count) answerSizes = new Uint32Array(Math.max(count, 2 * answerSizes.length)).fill(answerTemplate.length);
  return answerSizes;
}

function serveRaw(socket: Socket): void {
  socket.setNoDelay(true);
  const decoder = new FrameDecoder();
  socket.on("data", (chunk) => {
    decoder.push(chunk);
    const seqs: number[] = [];
    for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) {
      if (frame.type === FrameType.Twoway) seqs.push(frame.seq);
    }
    if (seqs.length > 0) socket.write(answersFor(seqs));
  });
  socket.on("error", () => socket.destroy());
}

const keyExchange = createServerKeyExchange({ privateKey: BENCH_PRIVATE_KEY });
const emptyAnswer = packPayload({});

/** serveRaw behind the key exchange: the first frame must be `*key`; the answers of one chunk are sealed in one call. */
function serveRawEncrypted(socket: Socket): void {
  socket.setNoDelay(true);
  const decoder = new FrameDecoder();
  let cipher: FrameCipher | undefined;
  socket.on("data", (chunk) => {
    decoder.push(cipher === undefined ? chunk : cipher.open(chunk));
    const seqs: number[] = [];
    for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) {
      if (cipher === undefined) {
        if (frame.method !== "*key") return void socket.destroy();
        cipher = keyExchange.acceptEncoded(frame.payload);
        const rest = decoder.takeRemaining();
        if (rest.length > 0) decoder.push(cipher.open(rest));
        socket.write(cipher.seal(encodeAnswer(frame.seq, emptyAnswer)));
      } else if (frame.type === FrameType.Twoway) {
        seqs.push(frame.seq);
      }
    }
    if (seqs.length === 0 || cipher === undefined) return;
    socket.write(cipher.sealFrames(answersFor(seqs, cipher.framePrefixSize), answerSizesFor(seqs.length), seqs.length));
  });
  socket.on("error", () => socket.destroy());
}

async function listenWith(serve: (socket: Socket) => void): Promise<number> {
  const server = createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

const servers: Record<string, () => Promise<number>> = {
  raw: () => listenWith(serveRaw),
  "raw-aes": () => listenWith(serveRawEncrypted),
  fpnn: async () => {
    const server = new FpnnServer();
    server.handle("sendmsg", () => ({ mtime: MTIME }));
    return (await server.listen(0)).port;
  },
};

const kind = process.argv[2] ?? "raw";
const start = servers[kind];
if (start === undefined) {
  console.error(`unknown server kind ${kind}; known: ${Object.keys(servers).join(", ")}`);
  process.exit(2);
}
const port = await start();
process.send?.({ port });
process.on("message", (message: { cpu?: boolean }) => {
  if (message.cpu) {
    const usage = process.cpuUsage();
    process.send?.({ cpuMicros: usage.user + usage.system });
  }
});
process.on("disconnect", () => process.exit(0));
