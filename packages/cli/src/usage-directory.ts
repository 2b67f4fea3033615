import { join } from "node:path";
import type { CliIo } from "./cli-io.js";

/** Where `createEnv` records usage for this user (as core resolves it, from the CLI's environment). */
export function usageDirectory(io: CliIo): string {
  return join(io.env.HERMES_HOME ?? join(io.home, ".hermes"), "usage");
}
