import { parseArgs } from "node:util";
import {
  type Backend,
  type BackendInstanceConfig,
  BackendNotInstalledError,
  backendHealth,
  ConfigError,
  type HealthReport,
  type HermesConfig,
  importBackendFactory,
  loadConfig,
  parseDuration,
  UsageStore,
  type UsageTotals,
} from "@hermes/core";
import type { CliIo } from "../cli-io.js";
import { exitCodes } from "../exit-codes.js";
import { formatTable } from "../format-table.js";
import { usageDirectory } from "../usage-directory.js";
import { UsageError } from "../usage-error.js";

export const backendUsage = `hermes-env backend status [--config FILE] [--json]
hermes-env backend reap [--config FILE] [--older-than DURATION] [--dry-run] [--json]

status: each configured backend, whether it can create an environment now (ready, with what the backend
tells, such as a cluster's queue state; not configured with what is missing; unreachable with the reason),
its last use, and today's usage and estimated cost (every process that used it on this machine adds up,
from ~/.hermes/usage or $HERMES_HOME/usage).

reap: removes what environments of crashed processes left behind (containers, processes), found by their
hermes.* labels: those whose owner process on this machine is gone; with --older-than, also another
machine's that are older than that.`;

/** A health check that takes longer than this is reported as unreachable. */
const healthTimeoutMs = 15_000;

export interface BackendStatusRow {
  backend: string;
  type: string;
  status: "ready" | "not configured" | "unreachable";
  /** Why not ready; when ready, what the backend tells (a cluster's queue state). */
  reason?: string;
  lastUse: string | null;
  usageToday: { commands: number; busySeconds: number };
  costTodayUsd: number;
}

export async function backendCommand(args: string[], io: CliIo): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === "status") return statusCommand(rest, io);
  if (subcommand === "reap") return reapCommand(rest, io);
  throw new UsageError(`unknown backend subcommand ${JSON.stringify(subcommand ?? "")}\n\n${backendUsage}`);
}

async function statusCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: "string" }, json: { type: "boolean" } } });
  const config = await readConfig(values.config, io);
  const usage = await new UsageStore(usageDirectory(io)).today();
  const rows = await Promise.all(
    Object.entries(config.backends).map(async ([name, instance]) => ({
      ...(await backendStatus(name, instance)),
      ...usageColumns(usage.get(name)),
    })),
  );
  if (values.json) {
    io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    return exitCodes.ok;
  }
  const now = Date.now();
  const cells = rows.map((row) => [
    row.backend + (row.backend === config.defaultBackend ? " (default)" : ""),
    row.reason ? `${row.status}: ${row.reason}` : row.status,
    row.lastUse ? ago(now - Date.parse(row.lastUse)) : "never",
    `${row.usageToday.commands} ${row.usageToday.commands === 1 ? "command" : "commands"}, ${row.usageToday.busySeconds.toFixed(1)}s busy`,
    dollars(row.costTodayUsd),
  ]);
  io.stdout(formatTable(["BACKEND", "STATUS", "LAST_USE", "USAGE_TODAY", "COST_TODAY"], cells));
  return exitCodes.ok;
}

async function reapCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: "string" }, "older-than": { type: "string" }, "dry-run": { type: "boolean" }, json: { type: "boolean" } },
  });
  const olderThanMs = values["older-than"] === undefined ? undefined : parseDuration(values["older-than"]);
  if (olderThanMs === undefined && values["older-than"] !== undefined) {
    throw new UsageError(`--older-than takes a duration such as 10m or 2h, not ${JSON.stringify(values["older-than"])}`);
  }
  const config = await readConfig(values.config, io);
  const report: Array<{ backend: string; removed: string[]; error?: string }> = [];
  for (const [name, instance] of Object.entries(config.backends)) {
    try {
      const backend = (await importBackendFactory(instance.type))(instance.options as never);
      const { removed } = (await backend.reap?.({
        ...(olderThanMs !== undefined && { olderThanMs }),
        dryRun: values["dry-run"] ?? false,
      })) ?? {
        removed: [],
      };
      report.push({ backend: name, removed });
    } catch (error) {
      // A backend that was never configured fully cannot have made anything to reap: say so, do not fail.
      if (ConfigError.isInstance(error) || BackendNotInstalledError.isInstance(error)) {
        io.stderr(`hermes-env: ${name}: not configured (${oneLine((error as Error).message)}); nothing to reap there\n`);
        report.push({ backend: name, removed: [] });
      } else report.push({ backend: name, removed: [], error: (error as Error).message });
    }
  }
  if (values.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const verb = values["dry-run"] ? "would remove" : "removed";
    for (const { backend, removed, error } of report) {
      if (error) io.stderr(`hermes-env: ${backend}: ${error}\n`);
      for (const item of removed) io.stdout(`${backend}: ${verb} ${item}\n`);
    }
    const total = report.reduce((sum, entry) => sum + entry.removed.length, 0);
    io.stdout(`${total === 0 ? "nothing left behind" : `${total} ${total === 1 ? "resource" : "resources"} ${verb}`}\n`);
  }
  return report.some((entry) => entry.error) ? exitCodes.failure : exitCodes.ok;
}

async function readConfig(file: string | undefined, io: CliIo): Promise<HermesConfig> {
  const config = await loadConfig(file, { env: io.env, cwd: io.cwd, home: io.home });
  for (const warning of config.warnings) io.stderr(`hermes-env: warning: ${warning}\n`);
  return config;
}

async function backendStatus(
  name: string,
  instance: BackendInstanceConfig,
): Promise<Omit<BackendStatusRow, "lastUse" | "usageToday" | "costTodayUsd">> {
  const row = { backend: name, type: instance.type };
  let backend: Backend;
  try {
    backend = (await importBackendFactory(instance.type))(instance.options as never);
  } catch (error) {
    if (BackendNotInstalledError.isInstance(error))
      return { ...row, status: "not configured", reason: `not installed; ${error.installCommand}` };
    if (ConfigError.isInstance(error)) return { ...row, status: "not configured", reason: oneLine(error.message) };
    return { ...row, status: "unreachable", reason: (error as Error).message };
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthReport>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${healthTimeoutMs / 1000}s` }), healthTimeoutMs);
  });
  const health = await Promise.race([backendHealth(backend, name), timeout]).finally(() => clearTimeout(timer));
  if (health.ok) return { ...row, status: "ready", ...(health.detail && { reason: oneLine(health.detail) }) };
  return { ...row, status: health.notConfigured ? "not configured" : "unreachable", reason: oneLine(health.reason ?? "unknown reason") };
}

/** A table cell: a multi-line message (a ConfigError's list) joined into one line. */
function oneLine(text: string): string {
  const lines = text
    .split("\n")
    .map((line) => line.trim().replace(/^- /, ""))
    .filter(Boolean);
  return lines.reduce((joined, line) => (joined === "" ? line : joined.endsWith(":") ? `${joined} ${line}` : `${joined}; ${line}`), "");
}

function usageColumns(totals: UsageTotals | undefined): Pick<BackendStatusRow, "lastUse" | "usageToday" | "costTodayUsd"> {
  return {
    lastUse: totals?.lastUse?.toISOString() ?? null,
    usageToday: { commands: totals?.commands ?? 0, busySeconds: totals?.busySeconds ?? 0 },
    costTodayUsd: totals?.costUsd ?? 0,
  };
}

function ago(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86_400)}d ago`;
}

function dollars(usd: number): string {
  return `$${usd.toFixed(usd > 0 && usd < 1 ? 4 : 2)}`;
}
