import { z } from "zod";
import type { ConfigIssue } from "../errors/config-error.js";
import { findBackendDescriptor } from "../import-backend.js";
import type { BackendDescriptor, TerminalKeyKind } from "../types/backend-descriptor.js";
import { type BackendType, backendTypes, notInstalledWarning } from "./backend-packages.js";
import { closest, configIssues } from "./config-issues.js";
import type { BackendInstanceConfig, HermesConfig } from "./hermes-config.js";
import { duration, port, positiveNumber, sizeMb, text, textList, variables } from "./schema-helpers.js";

const kindSchemas: Record<TerminalKeyKind, z.ZodType> = {
  text,
  duration,
  number: positiveNumber,
  port,
  boolean: z.boolean(),
  size: sizeMb,
  list: textList,
  map: variables,
};

/** The Hermes `terminal:` keys core reads itself, with the `TERMINAL_*` variable that overrides each. */
const generalKeys: Record<string, { kind: TerminalKeyKind; env?: string }> = {
  backend: { kind: "text", env: "TERMINAL_ENV" },
  env_type: { kind: "text" },
  cwd: { kind: "text", env: "TERMINAL_CWD" },
  timeout: { kind: "duration", env: "TERMINAL_TIMEOUT" },
  lifetime_seconds: { kind: "number", env: "TERMINAL_LIFETIME_SECONDS" },
};

/**
 * The Hermes keys of each type, by name only: what they mean (their kind, the options they set) is the
 * type's descriptor's `terminal`, loaded with its package. Core needs the names before any package is loaded:
 * to know which types a section describes (a key with the type's prefix, `docker_image`, `ssh_host`), which
 * packages to load to check a value, the `TERMINAL_<KEY>` variables to look at, and for unknown-key warnings.
 * A key of a type whose package is not installed is accepted unchecked.
 */
export const terminalKeyNames: Record<BackendType, readonly string[]> = {
  local: ["env_passthrough"],
  docker: [
    "docker_image",
    "docker_forward_env",
    "docker_env",
    "docker_volumes",
    "docker_mount_cwd_to_workspace",
    "container_cpu",
    "container_memory",
    "container_disk",
    "container_persistent",
  ],
  ssh: ["ssh_host", "ssh_user", "ssh_port", "ssh_key", "persistent_shell"],
  modal: ["modal_image", "container_cpu", "container_memory", "container_persistent"],
  daytona: ["daytona_image", "container_cpu", "container_memory", "container_disk", "container_persistent"],
  singularity: ["singularity_image", "container_cpu", "container_memory", "container_persistent", "scratch_dir", "env_passthrough"],
  "vercel-sandbox": ["container_cpu", "container_memory"],
};

/** Every type key, each once, in the order above (the order of override issues). */
const typeKeyNames = [...new Set(Object.values(terminalKeyNames).flat())];

const environmentName = (key: string) => generalKeys[key]?.env ?? (generalKeys[key] ? undefined : `TERMINAL_${key.toUpperCase()}`);

/** Hermes keys this SDK recognises but does not act on; they are accepted with a warning that says why. */
const unsupportedKeys: Record<string, string> = {
  docker_extra_args: "raw docker CLI arguments; the docker backend talks to the engine API, use its options instead",
  docker_run_as_host_user: "not supported yet",
  docker_persist_across_processes: "persistence follows container_persistent",
  docker_orphan_reaper: "leftovers are removed with `hermes-env backend reap`",
  sandbox_dir: "not used",
  home_mode: "not used",
  modal_mode: "only direct Modal access is supported",
  shell_init_files: "not supported yet",
  auto_source_bashrc: "not supported yet",
  sudo_password: "sudo passwords are not handled by this SDK",
};

/** Hermes backend names -> backend types. */
const typeNames: Record<string, BackendType> = {
  local: "local",
  docker: "docker",
  ssh: "ssh",
  modal: "modal",
  daytona: "daytona",
  singularity: "singularity",
  vercel_sandbox: "vercel-sandbox",
  "vercel-sandbox": "vercel-sandbox",
};

/** True when any TERMINAL_* override is set (they select the terminal dialect even without a file). */
export function hasTerminalOverrides(env: Record<string, string | undefined>): boolean {
  return [...Object.keys(generalKeys), ...typeKeyNames].some((key) => {
    const name = environmentName(key);
    return name !== undefined && env[name] !== undefined;
  });
}

/**
 * Parses a Hermes `terminal:` section, with `TERMINAL_*` variables overriding the file. The descriptors of
 * the types it names (the selected one, local, those with keys set) are loaded to read their keys.
 */
export async function parseTerminalSection(
  section: unknown,
  env: Record<string, string | undefined>,
): Promise<{ config: Omit<HermesConfig, symbol> } | { issues: ConfigIssue[] }> {
  if (section !== undefined && section !== null && (typeof section !== "object" || Array.isArray(section))) {
    return { issues: [{ path: "terminal", value: section, expected: "a mapping of terminal settings" }] };
  }
  const raw: Record<string, unknown> = { ...((section as Record<string, unknown> | null) ?? {}) };
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const fromEnvironment = new Map<string, string>();
  for (const key of [...Object.keys(generalKeys), ...typeKeyNames]) {
    const name = environmentName(key);
    const value = name === undefined ? undefined : env[name];
    if (name === undefined || value === undefined) continue;
    raw[key] = value;
    fromEnvironment.set(key, name);
  }
  const set = (key: string) => raw[key] !== undefined && raw[key] !== null;
  const backendValue = raw.backend ?? raw.env_type ?? "local";
  const selected = typeof backendValue === "string" ? typeNames[backendValue] : undefined;
  // Which types the section describes, and which descriptors are needed to read the keys that are set.
  const described = backendTypes.filter(
    (type) => type === selected || type === "local" || terminalKeyNames[type].some((key) => ownKey(type, key) && set(key)),
  );
  const needed = backendTypes.filter((type) => described.includes(type) || terminalKeyNames[type].some(set));
  const descriptors = new Map<BackendType, BackendDescriptor>();
  for (const type of needed) {
    const descriptor = await findBackendDescriptor(type);
    if (descriptor) descriptors.set(type, descriptor);
  }
  const kindOf = (key: string): TerminalKeyKind | undefined => {
    const general = generalKeys[key]?.kind;
    if (general) return general;
    for (const descriptor of descriptors.values()) {
      const kind = descriptor.terminal?.keys[key];
      if (kind) return kind;
    }
    return undefined;
  };
  for (const [key, name] of fromEnvironment) {
    const kind = kindOf(key);
    // A key only a missing package reads stays text, unchecked, as the variable gave it.
    if (kind === undefined) continue;
    const converted = convertVariable(raw[key] as string, kind);
    if (converted === undefined) {
      issues.push({ path: name, value: raw[key], expected: envExpectation(kind) });
      delete raw[key];
    } else raw[key] = converted;
  }
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!generalKeys[key] && !typeKeyNames.includes(key)) {
      if (unsupportedKeys[key]) warnings.push(`terminal.${key} is ignored: ${unsupportedKeys[key]}`);
      else {
        const suggestion = closest(key, [...Object.keys(generalKeys), ...typeKeyNames, ...Object.keys(unsupportedKeys)]);
        warnings.push(`terminal.${key} is not a key this SDK knows${suggestion ? ` (did you mean ${suggestion}?)` : ""}; it is ignored`);
      }
      continue;
    }
    if (value === null || value === undefined) continue;
    const kind = kindOf(key);
    if (kind === undefined) {
      values[key] = value;
      continue;
    }
    const parsed = kindSchemas[kind].safeParse(value);
    if (parsed.success) values[key] = parsed.data;
    else issues.push(...configIssues(parsed.error, value, `terminal.${key}`, () => []));
  }
  const backendName = (values.backend ?? values.env_type ?? "local") as string;
  const type = typeNames[backendName];
  if (!type) issues.push({ path: "terminal.backend", value: backendName, expected: `one of ${Object.keys(typeNames).join(", ")}` });
  if (issues.length > 0 || !type) return { issues };
  const backends: Record<string, BackendInstanceConfig> = {};
  for (const instanceType of described) {
    const descriptor = descriptors.get(instanceType);
    if (!descriptor && instanceType !== "local") warnings.push(notInstalledWarning(`terminal (backend ${instanceType})`, instanceType));
    backends[instanceType] = { type: instanceType, options: terminalOptions(values, instanceType, type, descriptor, warnings) };
  }
  return {
    config: {
      dialect: "terminal",
      defaultBackend: type,
      backends,
      routing: { rules: [], fallback: [] },
      ...(values.lifetime_seconds !== undefined && { lifetimeSeconds: values.lifetime_seconds as number }),
      warnings,
    },
  };
}

/** A key named after the type (`docker_image` for docker) makes the section describe that type. */
function ownKey(type: BackendType, key: string): boolean {
  return key.startsWith(`${type.replace(/-/g, "_")}_`);
}

/** The options of one instance: core's `timeout` and `cwd`, then what its descriptor makes of its keys. */
function terminalOptions(
  values: Record<string, unknown>,
  type: BackendType,
  selected: BackendType,
  descriptor: BackendDescriptor | undefined,
  warnings: string[],
): BackendInstanceConfig["options"] {
  const options: Record<string, unknown> = {};
  if (values.timeout !== undefined) options.commandTimeoutMs = values.timeout;
  const cwd = values.cwd as string | undefined;
  if (cwd !== undefined && type === selected) {
    if (descriptor?.terminal?.ignoreHostCwd && looksLikeHostPath(cwd)) {
      warnings.push(
        `terminal.cwd ${JSON.stringify(cwd)} looks like a path on this machine, so the ${type} backend ignores it (as Hermes does)`,
      );
    } else options.cwd = cwd;
  }
  const dialect = descriptor?.terminal;
  if (!dialect) return options;
  const own: Record<string, unknown> = {};
  for (const key of Object.keys(dialect.keys)) if (values[key] !== undefined) own[key] = values[key];
  return { ...options, ...(dialect.options(own) as Record<string, unknown>) };
}

/** Hermes ignores host-looking and relative cwds for container backends. */
function looksLikeHostPath(cwd: string): boolean {
  return !cwd.startsWith("/") || cwd.startsWith("/home/") || cwd.startsWith("/Users/") || /^[A-Za-z]:\\/.test(cwd);
}

/** TERMINAL_* values are strings: booleans and numbers as text, lists and maps as JSON (as in Hermes). */
function convertVariable(value: string, kind: TerminalKeyKind): unknown {
  switch (kind) {
    case "boolean":
      if (/^(true|1|yes|on)$/i.test(value)) return true;
      if (/^(false|0|no|off)$/i.test(value)) return false;
      return undefined;
    case "number":
    case "port":
      return value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : undefined;
    case "list":
    case "map":
      try {
        const parsed: unknown = JSON.parse(value);
        return kind === "list"
          ? Array.isArray(parsed)
            ? parsed
            : undefined
          : typeof parsed === "object" && parsed && !Array.isArray(parsed)
            ? parsed
            : undefined;
      } catch {
        return undefined;
      }
    default:
      return value;
  }
}

function envExpectation(kind: TerminalKeyKind): string {
  if (kind === "boolean") return "true or false";
  if (kind === "number" || kind === "port") return "a number";
  if (kind === "list") return 'a JSON list, e.g. ["A","B"]';
  if (kind === "map") return 'a JSON object, e.g. {"A":"1"}';
  return "text";
}
