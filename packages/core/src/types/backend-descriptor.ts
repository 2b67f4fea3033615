import type { z } from "zod";
import type { Backend } from "./backend.js";
import type { IsolationLevel } from "./capabilities.js";

/** Options every backend type accepts (the YAML's common keys, in `commonOptionKeys`). */
export interface CommonBackendOptions {
  cwd?: string;
  commandTimeoutMs?: number;
  env?: Record<string, string>;
  /** A folder on this machine copied into the session's starting directory at start, and back onto it at dispose. */
  syncDir?: string;
  /** In a routed environment: idle time after which this backend's environment is disposed (default: lifetime_seconds). */
  keepWarmMs?: number;
  /** Estimated cost (USD) at which an environment's run is stopped and later calls refused. */
  budgetPerRunUsd?: number;
  /** Estimated price of an environment of this instance per hour it exists; default from its type's `prices`. */
  pricePerHourUsd?: number;
  /** Policy: every program a command runs must be one of these. */
  allowedCommands?: string[];
  /** Policy: enforce `allowedCommands` (default true when it is given). */
  authorizedCommandsOnly?: boolean;
}

/** Hourly rates of a backend type: per vCPU (or core, as the vendor bills) and per GiB of memory. */
export interface HourlyRates {
  cpuHourUsd: number;
  memoryGibHourUsd: number;
  /** Per GPU-hour, by GPU type as the vendor names it (`H100`); a type not listed is priced at `default`. */
  gpuHourUsd?: Readonly<Record<string, number>> & { readonly default?: number };
  /** Where the figures come from, for the docs and `backend status --json`. */
  source: string;
}

/**
 * How a Hermes `terminal:` key is read: `text`, a `duration` (to ms), a positive `number`, a `port`, a
 * `boolean`, a `size` (to MB), a `list` of text or a `map` of variables. Its `TERMINAL_<KEY>` variable
 * (upper case) overrides the file: booleans and numbers as text, lists and maps as JSON.
 */
export type TerminalKeyKind = "text" | "duration" | "number" | "port" | "boolean" | "size" | "list" | "map";

/** How the Hermes `terminal:` section configures this type. */
export interface TerminalDialect<Options> {
  /** The Hermes keys this type reads (they must also be in core's `terminalKeyNames` of the type). */
  keys: Record<string, TerminalKeyKind>;
  /**
   * This type's options from the parsed values of those keys that are set (durations in ms, sizes in MB).
   * Core adds `cwd` (for the selected type) and `commandTimeoutMs` (from `timeout`).
   */
  options(values: Record<string, unknown>): Options;
  /** Hermes ignores a `terminal.cwd` that looks like a path on this machine for container backends. */
  ignoreHostCwd?: boolean;
}

/**
 * What a backend package says about itself, exported next to its factory as `descriptor`. Core imports it
 * (only for the types a configuration names) to validate options, read the Hermes dialect, estimate prices,
 * rank isolation for fallbacks and set the policy's defaults.
 */
export interface BackendDescriptor<Options extends CommonBackendOptions = CommonBackendOptions> {
  /** The backend type, as written in `type:` and `terminal.backend`. */
  type: string;
  /** The package's factory: validates options and does no I/O. */
  factory(options: Options): Backend;
  /** The keys of `backend.backends.<name>` (snake_case) parsed into options; see `backendOptionsSchema`. */
  options: z.ZodType<Options>;
  /** How Hermes `terminal:` keys map onto the options, if this type has any. */
  terminal?: TerminalDialect<Options>;
  /** The isolation an environment of this type gives (before the backend is created: fallback warnings). */
  isolation: IsolationLevel;
  /** List prices (0 for machines you run yourself); `price_per_hour_usd` on an instance overrides them. */
  prices: HourlyRates;
  /** The CPUs, memory and GPUs an instance uses, for the price; default Hermes's 1 CPU and 5120 MB, no GPU. */
  resources?(options: Options): { cpus?: number; memoryMb?: number; gpus?: { type: string; count: number } };
  policy?: {
    /** The options key (camelCase) whose directory is also the policy's `sandbox_root`. */
    sandboxRoot?: keyof Options & string;
    /** `local`: paths are this machine's, so the policy resolves links; `remote` (the default): taken as written. */
    paths: "local" | "remote";
  };
}
