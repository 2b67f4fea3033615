import { ownerState, ownerVariable, type ReapOptions, type ReapReport } from "@hermes/core";
import { posixQuote } from "./posix-quote.js";
import type { SshConnection } from "./ssh-connection.js";

/** Lists `pid owner environment-id` for every process of the remote user that carries an owner. */
const listOwnedProcesses = `for dir in /proc/[0-9]*; do
  vars=$(tr '\\0' '\\n' < "$dir/environ" 2>/dev/null) || continue
  owner=$(printf '%s\\n' "$vars" | sed -n 's/^${ownerVariable}=//p')
  [ -n "$owner" ] && printf '%s %s %s\\n' "\${dir#/proc/}" "$owner" "$(printf '%s\\n' "$vars" | sed -n 's/^HERMES_ENV_ID=//p')"
done; true`;

/**
 * Ends remote processes that environments of crashed processes on this machine left on the host (a command's
 * `nohup` or `&` child survives the connection): found by their `HERMES_OWNER` variable, whose owner process
 * here is gone. Processes owned from other machines are left alone. Needs /proc on the remote host.
 */
export async function reapRemoteProcesses(connection: SshConnection, host: string, options: ReapOptions = {}): Promise<ReapReport> {
  const listing = await runRemote(connection, `bash -c ${posixQuote(listOwnedProcesses)}`);
  const orphans = listing
    .split("\n")
    .map((line) => line.split(" "))
    .filter(([pid, owner]) => pid && owner && ownerState(owner) === "gone");
  if (orphans.length > 0 && !options.dryRun)
    await runRemote(connection, `kill -KILL ${orphans.map(([pid]) => pid).join(" ")} 2>/dev/null; true`);
  return { removed: orphans.map(([pid, , environment]) => `ssh process ${pid} on ${host} (environment ${environment || "?"})`) };
}

/** Runs `command` and gives its stdout; the connection is held meanwhile (an idle one would let Node exit). */
function runRemote(connection: SshConnection, command: string): Promise<string> {
  return connection.during(async () => {
    const channel = await connection.exec(command);
    const chunks: Buffer[] = [];
    channel.on("data", (chunk: Buffer) => chunks.push(chunk));
    channel.stderr.resume();
    await new Promise((resolve) => channel.once("close", resolve));
    return Buffer.concat(chunks).toString("utf8");
  });
}
