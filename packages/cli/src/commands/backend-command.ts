import { parseArgs } from "node:util";
import { type Backend, type BackendInstanceConfig, BackendNotInstalledError, importBackendFactory, loadConfig } from "@hermes/core";
import type { CliIo } from "../cli-io.js";
import { exitCodes } from "../exit-codes.js";
import { formatTable } from "../format-table.js";
import { UsageError } from "../usage-error.js";

export const backendUsage = `hermes-env backend status [--config FILE] [--json]

Lists the configured backends and whether each can create an environment now:
ready, not installed (with the install command) or unreachable (with the reason).`;

/** A health check that takes longer than this is reported as unreachable. */
const healthTimeoutMs = 15_000;

export interface BackendStatusRow {
  backend: string;
  type: string;
  status: "ready" | "not installed" | "unreachable";
  reason?: string;
}

export async function backendCommand(args: string[], io: CliIo): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand !== "status") throw new UsageError(`unknown backend subcommand ${JSON.stringify(subcommand ?? "")}\n\n${backendUsage}`);
  const { values } = parseArgs({ args: rest, options: { config: { type: "string" }, json: { type: "boolean" } } });
  const config = await loadConfig(values.config, { env: io.env, cwd: io.cwd, home: io.home });
  for (const warning of config.warnings) io.stderr(`hermes-env: warning: ${warning}\n`);
  const rows = await Promise.all(Object.entries(config.backends).map(([name, instance]) => backendStatus(name, instance)));
  if (values.json) {
    io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    const cells = rows.map((row) => [
      row.backend + (row.backend === config.defaultBackend ? " (default)" : ""),
      row.type,
      row.reason ? `${row.status}: ${row.reason}` : row.status,
    ]);
    io.stdout(formatTable(["BACKEND", "TYPE", "STATUS"], cells));
  }
  return exitCodes.ok;
}

async function backendStatus(name: string, instance: BackendInstanceConfig): Promise<BackendStatusRow> {
  const row = { backend: name, type: instance.type };
  let backend: Backend;
  try {
    backend = (await importBackendFactory(instance.type))(instance.options as never);
  } catch (error) {
    if (BackendNotInstalledError.isInstance(error)) return { ...row, status: "not installed", reason: error.installCommand };
    return { ...row, status: "unreachable", reason: (error as Error).message };
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: false; reason: string }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${healthTimeoutMs / 1000}s` }), healthTimeoutMs);
  });
  const health = await Promise.race([backend.health(), timeout]).finally(() => clearTimeout(timer));
  return health.ok ? { ...row, status: "ready" } : { ...row, status: "unreachable", reason: health.reason ?? "unknown reason" };
}
