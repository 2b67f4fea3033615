import type { Readable } from "node:stream";
import { type BackendInstance, BackendUnavailableError, type RawProcess } from "@hermes/core";

export interface NamespaceAnchor {
  /** Its pid where it runs (the cluster host, or the allocation's node). */
  readonly pid: string;
  /** Ends it: its stdin closes, and the shell in it, waiting on a read, exits. */
  close(): void;
}

/**
 * Starts the process whose namespaces every other process of the environment joins (Charliecloud's
 * `--join-pid`): `argv` runs a shell in the container that prints its pid once the container is set up,
 * then waits on stdin. Processes that share its user namespace can read each other's /proc entries, which
 * core's kill by tag needs. (There is no PID namespace: the pid it prints is the one to join.)
 */
export async function startAnchor(
  start: BackendInstance["start"],
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  backendName: string,
): Promise<NamespaceAnchor> {
  const process = await start({ argv, env, stdin: "pipe" });
  const pid = await firstLine(process, backendName);
  process.unref?.();
  return {
    pid,
    close: () => {
      const stdin = process.stdin as NodeJS.WritableStream | WritableStream | null;
      if (stdin && "end" in stdin) stdin.end();
    },
  };
}

function firstLine(process: RawProcess, backendName: string): Promise<string> {
  const stdout = process.stdout as Readable;
  const stderr = process.stderr as Readable;
  return new Promise((resolve, reject) => {
    let text = "";
    let errors = "";
    stderr.on("data", (chunk: Buffer) => {
      errors += chunk.toString("utf8");
    });
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const line = /^(\d+)\n/.exec(text);
      if (line) {
        stdout.off("data", onData);
        stdout.resume();
        resolve(line[1] as string);
      }
    };
    stdout.on("data", onData);
    void Promise.resolve(process.wait()).then((exit) => {
      const reason = `the container did not start (exit ${exit.code ?? exit.signal})${errors.trim() ? `: ${errors.trim()}` : ""}`;
      reject(new BackendUnavailableError({ backend: backendName, reason, retryable: false }));
    }, reject);
  });
}
