import { BackendUnavailableError, type ProcessExit, type ProcessSpec, type RawProcess, shellCommandLine } from "@hermes/core";
import type { SshConnection } from "./ssh-connection.js";

/**
 * A process on the remote host: one exec channel on the connection. The command line is read by the
 * user's login shell (any POSIX sh), so it only exports, changes directory and execs. A server may ignore
 * a channel's signal request (RFC 4254, 6.9), so there is no `kill`: core signals the process by its tag.
 */
export async function startSshProcess(connection: SshConnection, backendName: string, spec: ProcessSpec): Promise<RawProcess> {
  const { channel, ended } = await connection.exec(shellCommandLine(spec));
  // A running process keeps Node alive, as a local child does; core unrefs idle session shells.
  let held = true;
  let open = true;
  connection.hold();
  const setHeld = (hold: boolean) => {
    if (hold === held || (hold && !open)) return;
    held = hold;
    if (hold) connection.hold();
    else connection.release();
  };
  const exited = ended.then((exit): ProcessExit => {
    setHeld(false);
    open = false;
    if (exit) return { code: exit.code, signal: exit.signal === null || exit.signal.startsWith("SIG") ? exit.signal : `SIG${exit.signal}` };
    return {
      code: null,
      signal: null,
      error: new BackendUnavailableError({
        backend: backendName,
        reason: "the ssh connection was lost (the next call reconnects)",
        retryable: true,
      }),
    };
  });
  if (spec.stdin === "ignore") channel.end();
  return {
    // The channel is a duplex: writes are the process's stdin, its end is an EOF there.
    stdin: spec.stdin === "pipe" ? channel : null,
    stdout: channel,
    stderr: channel.stderr,
    wait: () => exited,
    unref: () => setHeld(false),
    ref: () => setHeld(true),
  };
}
