import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("./answer-server.ts", import.meta.url));

/** An answer server in a child process (inherits tsx through execArgv). */
export class AnswerServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly endpoint: string,
  ) {}

  static async start(kind: string): Promise<AnswerServerProcess> {
    const child = fork(entry, [kind], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const port = await new Promise<number>((resolve, reject) => {
      child.once("message", (message: { port?: number }) => (message.port === undefined ? reject(new Error("no port")) : resolve(message.port)));
      child.once("exit", (code) => reject(new Error(`answer server (${kind}) exited with ${code}`)));
    });
    return new AnswerServerProcess(child, `127.0.0.1:${port}`);
  }

  /** The child's CPU time so far, in microseconds. */
  cpuMicros(): Promise<number> {
    return new Promise((resolve) => {
      const onMessage = (message: { cpuMicros?: number }): void => {
        if (message.cpuMicros === undefined) return;
        this.child.off("message", onMessage);
        resolve(message.cpuMicros);
      };
      this.child.on("message", onMessage);
      this.child.send({ cpu: true });
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.disconnect();
    await exited;
  }
}
