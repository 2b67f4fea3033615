import type { CommonBackendOptions } from "../types/backend-descriptor.js";
import type { TaskContext } from "../types/task-context.js";
import type { BackendType } from "./backend-packages.js";

const configBrand = Symbol.for("hermes.config");

export interface BackendInstanceConfig {
  type: BackendType;
  /** Checked by the type's descriptor; when its package is not installed, only the common keys are (see `warnings`). */
  options: CommonBackendOptions & Record<string, unknown>;
}

export interface RoutingMatch {
  /** Compared with `task.kind`. */
  task?: string;
  /** Strictly greater than `task.sizeMb`. */
  sizeGtMb?: number;
  language?: string;
  cronTriggered?: boolean;
  /** `HH:MM-HH:MM` in local time; may cross midnight. */
  timeWindow?: string;
}

export interface RoutingRuleConfig {
  match: RoutingMatch;
  /** A predicate in code (not expressible in YAML); the rule applies when it and every `match` key hold. */
  when?: (task: TaskContext) => boolean;
  backend: string;
}

export interface PolicyConfig {
  requireConfirm: string[];
  /** Built-in rule names, or custom rules: a program (or several) and argument patterns. */
  forbid: Array<string | { name?: string; program: string | string[]; args?: string[] }>;
  logAllCommands: boolean;
  /** The audit log file; default one per environment under ~/.hermes/audit/. */
  auditLog?: string;
}

/** Configuration after `loadConfig`: either dialect, validated and normalised into one model. */
export interface HermesConfig {
  readonly [configBrand]: true;
  /** Which section it came from; "none" when no configuration was found (the local backend). */
  dialect: "terminal" | "backend" | "none";
  /** The file it was read from, if any. */
  file?: string;
  /** Instance used when a call names none. */
  defaultBackend: string;
  backends: Record<string, BackendInstanceConfig>;
  routing: { rules: RoutingRuleConfig[]; fallback: string[] };
  /** `backend.global` security settings, when present. */
  policy?: PolicyConfig;
  /** Idle time before an environment is disposed (seconds). */
  lifetimeSeconds?: number;
  /** Things that were accepted but deserve a look (unknown Hermes keys, ignored values). */
  warnings: string[];
}

export function brandConfig(config: Omit<HermesConfig, typeof configBrand>): HermesConfig {
  return Object.defineProperty(config, configBrand, { value: true, enumerable: false }) as HermesConfig;
}

/** True for the output of `loadConfig` (as opposed to a YAML-shaped object). */
export function isHermesConfig(value: unknown): value is HermesConfig {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[configBrand] === true;
}
