/**
 * Temporary demo (the emulator replaces it): an FpnnServer and an FpnnClient on this machine doing a
 * small readable exchange: a quest, a server-initiated quest, a ping and an error answer.
 */
import { FpnnClient, FpnnError, FpnnServer } from "@rtmkit/fpnn";

const server = new FpnnServer();
server.handle("sendmsg", (payload, { connection }) => {
  console.log(`  server  <- sendmsg from ${String(payload.from)} to ${String(payload.to)}: ${JSON.stringify(payload.msg)}`);
  // Duplex: while answering, the server pushes a quest of its own to the client.
  connection.quest("pushmsg", { from: payload.from, msg: payload.msg }).then(
    (answer) => console.log(`  server  <- client answered pushmsg: ${JSON.stringify(answer)}`),
    (error: unknown) => console.log(`  server  <- pushmsg failed: ${String(error)}`),
  );
  return { mtime: BigInt(Date.now()) };
});

const { port, host } = await server.listen(0);
console.log(`FPNN server listening on ${host}:${port}`);

const client = new FpnnClient({ endpoint: `${host}:${port}`, timeout: 5 });
const pushed = new Promise<void>((resolve) =>
  client.onQuest("pushmsg", (payload) => {
    console.log(`  client  <- server quest pushmsg: ${JSON.stringify(payload.msg)}`);
    resolve();
    return { ok: true };
  }),
);
client.on("connect", () => console.log(`client connected to ${client.endpoint}`));

const mid = 7712190559145689089n;
console.log(`  client  -> sendmsg mid ${mid}`);
const { mtime } = await client.quest("sendmsg", { mtype: 30, from: 1001n, to: 1002n, mid, msg: "hello", attrs: "{}" });
console.log(`  client  <- answer {mtime: ${String(mtime)}} (${new Date(Number(mtime)).toISOString()})`);
await pushed;

const started = performance.now();
const { ts } = await client.quest("*ping", {});
console.log(`  client  -> *ping, server ts ${String(ts)}, round trip ${(performance.now() - started).toFixed(2)} ms`);

try {
  await client.quest("nosuchmethod", {});
} catch (error) {
  if (FpnnError.is(error)) console.log(`  client  <- error answer: code ${error.code} (${error.message})`);
}

await client.close();
await server.close();
console.log("done");
