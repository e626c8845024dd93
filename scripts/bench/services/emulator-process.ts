// The emulator under the services benchmark, in its own process (so it has a core to itself and its CPU
// and RSS are its own, read from /proc by the parent). Serves a file database; marks the benchmark's users
// online, since the emulator has no client gateway to log them in. Talks to the parent over IPC.
import { startEmulator } from "@rtmkit/rtm-emulator";

export interface ServicesReadyMessage {
  port: number;
}

const [path, pidText, secret, onlineText] = process.argv.slice(2);
if (path === undefined || pidText === undefined || secret === undefined || onlineText === undefined) {
  throw new Error("usage: emulator-process.ts DB_FILE PID SECRET ONLINE_USERS");
}
const pid = Number(pidText);
const emulator = await startEmulator({ projects: [{ pid, secret }], db: path });
for (let uid = 1; uid <= Number(onlineText); uid++) emulator.setOnline(pid, uid, true);
process.send!({ port: emulator.port } satisfies ServicesReadyMessage);

process.on("disconnect", () => {
  void emulator.close().then(() => process.exit(0));
});
