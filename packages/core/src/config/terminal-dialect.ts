import { z } from "zod";
import type { ConfigIssue } from "../errors/config-error.js";
import type { BackendOptionsByType, BackendType } from "./backend-options.js";
import { closest, configIssues } from "./config-issues.js";
import type { BackendInstanceConfig, HermesConfig } from "./hermes-config.js";
import { duration, port, positiveNumber, sizeMb, text, textList, variables } from "./schema-helpers.js";

type KeyKind = "text" | "duration" | "number" | "port" | "boolean" | "size" | "list" | "map";

const kindSchemas: Record<KeyKind, z.ZodType> = {
  text,
  duration,
  number: positiveNumber,
  port,
  boolean: z.boolean(),
  size: sizeMb,
  list: textList,
  map: variables,
};

/** Hermes `terminal:` keys we honour, with the `TERMINAL_*` variable that overrides each. */
const terminalKeys: Record<string, { kind: KeyKind; env?: string }> = {
  backend: { kind: "text", env: "TERMINAL_ENV" },
  env_type: { kind: "text" },
  cwd: { kind: "text", env: "TERMINAL_CWD" },
  timeout: { kind: "duration", env: "TERMINAL_TIMEOUT" },
  lifetime_seconds: { kind: "number", env: "TERMINAL_LIFETIME_SECONDS" },
  docker_image: { kind: "text", env: "TERMINAL_DOCKER_IMAGE" },
  singularity_image: { kind: "text", env: "TERMINAL_SINGULARITY_IMAGE" },
  modal_image: { kind: "text", env: "TERMINAL_MODAL_IMAGE" },
  daytona_image: { kind: "text", env: "TERMINAL_DAYTONA_IMAGE" },
  docker_forward_env: { kind: "list", env: "TERMINAL_DOCKER_FORWARD_ENV" },
  docker_env: { kind: "map", env: "TERMINAL_DOCKER_ENV" },
  docker_volumes: { kind: "list", env: "TERMINAL_DOCKER_VOLUMES" },
  docker_mount_cwd_to_workspace: { kind: "boolean", env: "TERMINAL_DOCKER_MOUNT_CWD_TO_WORKSPACE" },
  ssh_host: { kind: "text", env: "TERMINAL_SSH_HOST" },
  ssh_user: { kind: "text", env: "TERMINAL_SSH_USER" },
  ssh_port: { kind: "port", env: "TERMINAL_SSH_PORT" },
  ssh_key: { kind: "text", env: "TERMINAL_SSH_KEY" },
  container_cpu: { kind: "number", env: "TERMINAL_CONTAINER_CPU" },
  container_memory: { kind: "size", env: "TERMINAL_CONTAINER_MEMORY" },
  container_disk: { kind: "size", env: "TERMINAL_CONTAINER_DISK" },
  container_persistent: { kind: "boolean", env: "TERMINAL_CONTAINER_PERSISTENT" },
  persistent_shell: { kind: "boolean", env: "TERMINAL_PERSISTENT_SHELL" },
  env_passthrough: { kind: "list" },
};

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

const containerTypes: readonly BackendType[] = ["docker", "modal", "daytona", "singularity", "vercel-sandbox"];

/** True when any TERMINAL_* override is set (they select the terminal dialect even without a file). */
export function hasTerminalOverrides(env: Record<string, string | undefined>): boolean {
  return Object.values(terminalKeys).some((key) => key.env !== undefined && env[key.env] !== undefined);
}

/** Parses a Hermes `terminal:` section, with `TERMINAL_*` variables overriding the file. */
export function parseTerminalSection(
  section: unknown,
  env: Record<string, string | undefined>,
): { config: Omit<HermesConfig, symbol> } | { issues: ConfigIssue[] } {
  if (section !== undefined && section !== null && (typeof section !== "object" || Array.isArray(section))) {
    return { issues: [{ path: "terminal", value: section, expected: "a mapping of terminal settings" }] };
  }
  const raw: Record<string, unknown> = { ...((section as Record<string, unknown> | null) ?? {}) };
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  for (const [key, spec] of Object.entries(terminalKeys)) {
    const value = spec.env === undefined ? undefined : env[spec.env];
    if (value === undefined) continue;
    const converted = fromEnvironment(value, spec.kind);
    if (converted === undefined) issues.push({ path: spec.env as string, value, expected: envExpectation(spec.kind) });
    else raw[key] = converted;
  }
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const spec = terminalKeys[key];
    if (!spec) {
      if (unsupportedKeys[key]) warnings.push(`terminal.${key} is ignored: ${unsupportedKeys[key]}`);
      else {
        const suggestion = closest(key, [...Object.keys(terminalKeys), ...Object.keys(unsupportedKeys)]);
        warnings.push(`terminal.${key} is not a key this SDK knows${suggestion ? ` (did you mean ${suggestion}?)` : ""}; it is ignored`);
      }
      continue;
    }
    if (value === null || value === undefined) continue;
    const parsed = kindSchemas[spec.kind].safeParse(value);
    if (parsed.success) values[key] = parsed.data;
    else issues.push(...configIssues(parsed.error, value, `terminal.${key}`, () => []));
  }
  const backendName = (values.backend ?? values.env_type ?? "local") as string;
  const type = typeNames[backendName];
  if (!type) issues.push({ path: "terminal.backend", value: backendName, expected: `one of ${Object.keys(typeNames).join(", ")}` });
  if (issues.length > 0 || !type) return { issues };
  const backends = terminalBackends(values, type, warnings);
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

/** One backend instance per type the section describes: the selected one, local, and any with keys of its own. */
function terminalBackends(
  values: Record<string, unknown>,
  selected: BackendType,
  warnings: string[],
): Record<string, BackendInstanceConfig> {
  const has = (...keys: string[]) => keys.some((key) => values[key] !== undefined);
  const common = (type: BackendType) => {
    const options: Record<string, unknown> = {};
    if (values.timeout !== undefined) options.commandTimeoutMs = values.timeout;
    const cwd = values.cwd as string | undefined;
    if (cwd !== undefined && type === selected) {
      if (containerTypes.includes(type) && looksLikeHostPath(cwd)) {
        warnings.push(
          `terminal.cwd ${JSON.stringify(cwd)} looks like a path on this machine, so the ${type} backend ignores it (as Hermes does)`,
        );
      } else options.cwd = cwd;
    }
    return options;
  };
  const container = () => ({
    ...(values.container_cpu !== undefined && { cpu: values.container_cpu as number }),
    ...(values.container_memory !== undefined && { memoryMb: values.container_memory as number }),
  });
  const instances: Partial<{ [T in BackendType]: BackendOptionsByType[T] }> = {
    local: { ...common("local"), ...(values.env_passthrough !== undefined && { envPassthrough: values.env_passthrough as string[] }) },
  };
  if (selected === "docker" || has("docker_image", "docker_forward_env", "docker_env", "docker_volumes", "docker_mount_cwd_to_workspace")) {
    instances.docker = {
      ...common("docker"),
      ...pick(values, { docker_image: "image", docker_volumes: "volumes", docker_forward_env: "forwardEnv", docker_env: "env" }),
      ...pick(values, {
        docker_mount_cwd_to_workspace: "mountCwdToWorkspace",
        container_disk: "diskMb",
        container_persistent: "persistent",
      }),
      ...(values.container_cpu !== undefined && { cpus: values.container_cpu as number }),
      ...(values.container_memory !== undefined && { memoryMb: values.container_memory as number }),
    };
  }
  if (selected === "ssh" || has("ssh_host", "ssh_user", "ssh_port", "ssh_key")) {
    instances.ssh = {
      ...common("ssh"),
      ...pick(values, { ssh_host: "host", ssh_user: "user", ssh_port: "port", ssh_key: "key", persistent_shell: "persistentShell" }),
    };
  }
  if (selected === "modal" || has("modal_image"))
    instances.modal = { ...common("modal"), ...container(), ...pick(values, { modal_image: "image" }) };
  if (selected === "daytona" || has("daytona_image")) {
    instances.daytona = { ...common("daytona"), ...container(), ...pick(values, { daytona_image: "image", container_disk: "diskMb" }) };
  }
  if (selected === "singularity" || has("singularity_image")) {
    instances.singularity = {
      ...common("singularity"),
      ...container(),
      ...pick(values, { singularity_image: "image", container_persistent: "persistent" }),
    };
  }
  if (selected === "vercel-sandbox") {
    instances["vercel-sandbox"] = {
      ...common("vercel-sandbox"),
      ...(values.container_cpu !== undefined && { vcpus: values.container_cpu as number }),
      ...(values.container_memory !== undefined && { memoryMb: values.container_memory as number }),
    };
  }
  return Object.fromEntries(Object.entries(instances).map(([type, options]) => [type, { type, options } as BackendInstanceConfig]));
}

function pick(values: Record<string, unknown>, names: Record<string, string>): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(names)) if (values[key] !== undefined) picked[option] = values[key];
  return picked;
}

/** Hermes ignores host-looking and relative cwds for container backends. */
function looksLikeHostPath(cwd: string): boolean {
  return !cwd.startsWith("/") || cwd.startsWith("/home/") || cwd.startsWith("/Users/") || /^[A-Za-z]:\\/.test(cwd);
}

/** TERMINAL_* values are strings: booleans and numbers as text, lists and maps as JSON (as in Hermes). */
function fromEnvironment(value: string, kind: KeyKind): unknown {
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

function envExpectation(kind: KeyKind): string {
  if (kind === "boolean") return "true or false";
  if (kind === "number" || kind === "port") return "a number";
  if (kind === "list") return 'a JSON list, e.g. ["A","B"]';
  if (kind === "map") return 'a JSON object, e.g. {"A":"1"}';
  return "text";
}
