import { homedir } from "node:os";

/** What a command may touch of the outside world; tests give their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads all of stdin (used only when asked for with `--stdin`). */
  readStdin(): Promise<Uint8Array>;
  env: Record<string, string | undefined>;
  cwd: string;
  home: string;
  /** Subscribes to SIGINT/SIGTERM/SIGHUP while a command runs; returns the unsubscribe function. */
  onSignal(listener: (signal: NodeJS.Signals) => void): () => void;
}

export function processIo(): CliIo {
  // `hermes-env exec -- yes | head` must not die with EPIPE once the reader has gone.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => stream.destroy());
  return {
    stdout: (text) => writeIgnoringClosedPipe(process.stdout, text),
    stderr: (text) => writeIgnoringClosedPipe(process.stderr, text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    env: process.env,
    cwd: process.cwd(),
    home: homedir(),
    onSignal: (listener) => {
      const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
      for (const signal of signals) process.on(signal, listener);
      return () => {
        for (const signal of signals) process.off(signal, listener);
      };
    },
  };
}

function writeIgnoringClosedPipe(stream: NodeJS.WriteStream, text: string): void {
  if (!stream.destroyed) stream.write(text);
}
