import { appendFileSync, mkdirSync } from "node:fs";
import { appendFile, mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { hermesHome } from "../config/hermes-home.js";

/** What one backend did: added up per day, across every process that writes to the same store. */
export interface UsageTotals {
  commands: number;
  busySeconds: number;
  costUsd: number;
  /** Latest use, or null. */
  lastUse: Date | null;
}

interface UsageLine {
  t: string;
  backend: string;
  commands: number;
  busySeconds: number;
  costUsd: number;
}

/** A line being added up, its time kept as a number until it is written (an ISO string per command costs more). */
type PendingLine = Omit<UsageLine, "t"> & { at: number };

/** Days of history read for LAST_USE. */
const historyDays = 31;

/**
 * Usage per backend and day under `~/.hermes/usage/` (or `$HERMES_HOME/usage/`): one JSON line per flush in
 * a file per local day. Appends of whole small lines with O_APPEND do not interleave, so separate processes
 * add up without a lock. Recording is in memory; `flush` (every few seconds, at dispose and at exit) writes.
 */
export class UsageStore {
  private pending = new Map<string, PendingLine>();

  constructor(readonly directory: string = defaultUsageDirectory()) {}

  add(backend: string, usage: { commands?: number; busySeconds?: number; costUsd?: number }): void {
    const line = this.pending.get(backend) ?? { at: 0, backend, commands: 0, busySeconds: 0, costUsd: 0 };
    line.at = Date.now();
    line.commands += usage.commands ?? 0;
    line.busySeconds += usage.busySeconds ?? 0;
    line.costUsd += usage.costUsd ?? 0;
    this.pending.set(backend, line);
  }

  async flush(): Promise<void> {
    const text = this.take();
    if (!text) return;
    await mkdir(this.directory, { recursive: true });
    await appendFile(this.todayFile(), text);
  }

  /** For process exit, where nothing asynchronous runs any more. */
  flushSync(): void {
    const text = this.take();
    if (!text) return;
    mkdirSync(this.directory, { recursive: true });
    appendFileSync(this.todayFile(), text);
  }

  /** Totals per backend: today's usage and cost, and the last use over the past month. */
  async today(): Promise<Map<string, UsageTotals>> {
    const totals = new Map<string, UsageTotals>();
    const today = dayOf(new Date());
    const files = (await readdir(this.directory).catch(() => [] as string[]))
      .filter((name) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(name))
      .sort()
      .slice(-historyDays);
    for (const file of files) {
      const isToday = file === `${today}.jsonl`;
      for (const line of (await readFile(join(this.directory, file), "utf8")).split("\n")) {
        const entry = parseLine(line);
        if (!entry) continue;
        const total = totals.get(entry.backend) ?? { commands: 0, busySeconds: 0, costUsd: 0, lastUse: null };
        if (isToday) {
          total.commands += entry.commands;
          total.busySeconds += entry.busySeconds;
          total.costUsd += entry.costUsd;
        }
        const at = new Date(entry.t);
        if (entry.commands > 0 && (!total.lastUse || at > total.lastUse)) total.lastUse = at;
        totals.set(entry.backend, total);
      }
    }
    return totals;
  }

  private take(): string {
    const lines = [...this.pending.values()]
      .map(({ at, ...sums }) => `${JSON.stringify({ t: new Date(at).toISOString(), ...sums } satisfies UsageLine)}\n`)
      .join("");
    this.pending.clear();
    return lines;
  }

  private todayFile(): string {
    return join(this.directory, `${dayOf(new Date())}.jsonl`);
  }
}

export function defaultUsageDirectory(): string {
  return join(hermesHome(), "usage");
}

/** The local calendar day, `YYYY-MM-DD`. */
function dayOf(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

function parseLine(line: string): UsageLine | undefined {
  if (!line.trim()) return undefined;
  try {
    const entry = JSON.parse(line) as UsageLine;
    return typeof entry.backend === "string" && typeof entry.t === "string" ? entry : undefined;
  } catch {
    // A line cut by a crash mid-write: skip it, keep the rest.
    return undefined;
  }
}
