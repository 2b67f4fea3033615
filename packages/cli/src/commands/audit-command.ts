import { readFile } from "node:fs/promises";
import { verifyAuditLog } from "@hermes/core";
import type { CliIo } from "../cli-io.js";
import { exitCodes } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";

export const auditUsage = `hermes-env audit verify FILE

Checks an audit log's hash chain: exits 0 when every record follows the one before it unchanged, 1 naming
the first line that was edited, removed, inserted or moved.`;

export async function auditCommand(args: string[], io: CliIo): Promise<number> {
  const [subcommand, file, ...rest] = args;
  if (subcommand !== "verify" || !file || rest.length > 0) throw new UsageError(`usage: ${auditUsage.split("\n")[0]}`);
  const result = verifyAuditLog(await readFile(file, "utf8"));
  if (result.ok) {
    io.stdout(`${file}: intact, ${result.records} ${result.records === 1 ? "record" : "records"}\n`);
    return exitCodes.ok;
  }
  io.stdout(`${file}: line ${result.line}: ${result.problem}\n`);
  return exitCodes.failure;
}
