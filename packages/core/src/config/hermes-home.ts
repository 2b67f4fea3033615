import { homedir } from "node:os";
import { join } from "node:path";

/** Where Hermes keeps its state on this machine (usage, audit logs, kept snapshots): `$HERMES_HOME`, else `~/.hermes`. */
export function hermesHome(): string {
  return process.env.HERMES_HOME ?? join(homedir(), ".hermes");
}
