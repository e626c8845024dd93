/**
 * The benchmark's answer server, run as a child process so the client's CPU figures are the client's
 * alone. Kinds: "raw" decodes frame headers and answers every two-way quest with one pre-encoded
 * `{mtime}` answer (as cheap as a server can be); "fpnn" is FpnnServer with a `sendmsg` handler.
 * Other kinds (e.g. encrypted) are added to `servers` below.
 * Protocol with the parent (IPC): parent sends nothing; child sends {port}; on {cpu: true} it replies {cpuMicros}.
 */
import { createServer, type Socket } from "node:net";
import { FpnnServer, FrameDecoder, FrameType, encodeAnswer, packPayload } from "@rtmkit/fpnn";

const MTIME = 1795634291123n;
const answerTemplate = encodeAnswer(0, packPayload({ mtime: MTIME }));

function serveRaw(socket: Socket): void {
  socket.setNoDelay(true);
  const decoder = new FrameDecoder();
  socket.on("data", (chunk) => {
    decoder.push(chunk);
    const seqs: number[] = [];
    for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) {
      if (frame.type === FrameType.Twoway) seqs.push(frame.seq);
    }
    if (seqs.length === 0) return;
    const out = Buffer.allocUnsafe(seqs.length * answerTemplate.length);
    for (let i = 0; i < seqs.length; i++) {
      const at = i * answerTemplate.length;
      answerTemplate.copy(out, at);
      out.writeUInt32LE(seqs[i]!, at + 12);
    }
    socket.write(out);
  });
  socket.on("error", () => socket.destroy());
}

const servers: Record<string, () => Promise<number>> = {
  raw: async () => {
    const server = createServer(serveRaw);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as { port: number }).port;
  },
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
