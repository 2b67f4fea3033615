import { Writable } from "node:stream";
import {
  BackendUnavailableError,
  ownerVariable,
  type ProcessExit,
  type ProcessSpec,
  processTagVariable,
  type RawProcess,
} from "@hermes/core";
import { posixQuote } from "./posix-quote.js";
import type { SshConnection } from "./ssh-connection.js";

export interface SshProcessContext {
  connection: SshConnection;
  backendName: string;
  newTag(): string;
  /** The `hermes.owner` label every process carries, so a reaper can find what a crashed owner left. */
  owner: string | undefined;
  /** Signals the process (found by its tag) through the control shell. */
  signal(tag: string, signal: NodeJS.Signals): Promise<void>;
}

/**
 * A process on the remote host: one exec channel on the environment's connection. The command line is
 * read by the user's login shell (any POSIX sh), so it only exports, changes directory and execs.
 */
export async function startSshProcess(context: SshProcessContext, spec: ProcessSpec): Promise<RawProcess> {
  const tag = context.newTag();
  const env = { ...spec.env, [processTagVariable]: tag, ...(context.owner && { [ownerVariable]: context.owner }) };
  const steps = [
    ...(spec.cwd !== undefined ? [`cd ${posixQuote(spec.cwd)} || exit 127`] : []),
    ...Object.entries(env).map(([name, value]) => `export ${name}=${posixQuote(value)}`),
    `exec ${spec.argv.map(posixQuote).join(" ")}`,
  ];
  const channel = await context.connection.exec(steps.join("; "));
  // A running process keeps Node alive, as a local child does; core unrefs idle session shells.
  let held = true;
  let open = true;
  context.connection.hold();
  const setHeld = (hold: boolean) => {
    if (hold === held || (hold && !open)) return;
    held = hold;
    if (hold) context.connection.hold();
    else context.connection.release();
  };
  let exit: ProcessExit | undefined;
  // ssh2 names the signal as Node does ("SIGTERM"); the wire has "TERM".
  channel.on("exit", (code: number | null, signal?: string) => {
    exit = { code: code ?? null, signal: signal ? (signal.startsWith("SIG") ? signal : `SIG${signal}`) : null };
  });
  const exited = new Promise<ProcessExit>((resolve) => {
    channel.once("close", () => {
      setHeld(false);
      open = false;
      resolve(
        exit ?? {
          code: null,
          signal: null,
          error: new BackendUnavailableError({
            backend: context.backendName,
            reason: "the ssh connection was lost (the next call reconnects)",
            retryable: true,
          }),
        },
      );
    });
  });
  if (spec.stdin === "ignore") channel.end();
  const stdin =
    spec.stdin === "pipe"
      ? new Writable({
          write: (chunk: Buffer, _encoding, callback) => {
            if (channel.write(chunk)) callback();
            else channel.once("drain", () => callback());
          },
          final: (callback) => {
            channel.end();
            callback();
          },
        })
      : null;
  return {
    pid: undefined,
    stdin,
    stdout: channel,
    stderr: channel.stderr,
    exited,
    kill: (signal) => {
      void context.signal(tag, signal).catch(() => {});
    },
    unref: () => setHeld(false),
    ref: () => setHeld(true),
  };
}
