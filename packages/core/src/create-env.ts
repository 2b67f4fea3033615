import { type BackendType, backendTypes } from "./config/backend-options.js";
import type { HermesConfig } from "./config/hermes-config.js";
import { loadConfig } from "./config/load-config.js";
import { Environment } from "./environment/environment.js";
import { ConfigError } from "./errors/config-error.js";
import { importBackendFactory } from "./import-backend.js";
import type { Backend } from "./types/backend.js";
import type { ExecutionEnvironment } from "./types/execution-environment.js";

export interface CreateEnvOptions {
  /**
   * A YAML file path, a YAML-shaped object in either dialect (`{ terminal: {...} }` or `{ backend: {...} }`),
   * or the result of `loadConfig`. Default: $HERMES_CONFIG, ./hermes.yaml, ~/.hermes/config.yaml, else local.
   */
  config?: string | object | HermesConfig;
  /** A configured instance name, a backend type ("local", "docker"), or a Backend object from a backend package. */
  backend?: string | Backend;
  /** Where the session starts (relative to the backend's default working directory). */
  cwd?: string;
  /** Variables exported in the session at start. */
  env?: Record<string, string>;
  /** Default limit for one `exec`, in milliseconds. Default: the configured timeout, else 180_000. */
  timeoutMs?: number;
}

/**
 * Creates an execution environment. Nothing starts until the first call (or `await env.start()`), but the
 * configuration is validated and the backend package loaded now, so mistakes surface here.
 */
export async function createEnv(options: CreateEnvOptions = {}): Promise<ExecutionEnvironment> {
  const config = await loadConfig(options.config);
  if (config.policy) {
    throw new ConfigError({
      issues: [
        {
          path: "backend.global",
          value: config.policy,
          expected: "no policy settings: this version of @hermes/core does not enforce them yet",
        },
      ],
      ...(config.file && { file: config.file }),
    });
  }
  let backend: Backend;
  let name: string;
  let commandTimeoutMs: number | undefined;
  if (typeof options.backend === "object") {
    backend = options.backend;
    name = backend.type;
  } else {
    name = options.backend ?? config.defaultBackend;
    const instance = config.backends[name] ?? (isBackendType(name) ? { type: name, options: {} } : undefined);
    if (!instance) {
      throw new ConfigError({
        issues: [
          {
            path: "backend",
            value: name,
            expected: `a configured backend (${Object.keys(config.backends).join(", ")}) or a backend type (${backendTypes.join(", ")})`,
          },
        ],
      });
    }
    const factory = await importBackendFactory(instance.type);
    backend = factory(instance.options as never);
    commandTimeoutMs = instance.options.commandTimeoutMs;
  }
  const timeoutMs = options.timeoutMs ?? commandTimeoutMs;
  const environment = new Environment(backend, {
    backendName: name,
    ...(timeoutMs !== undefined && { timeoutMs }),
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    ...(options.env !== undefined && { env: options.env }),
    warnings: config.warnings,
  });
  return environment;
}

function isBackendType(name: string): name is BackendType {
  return (backendTypes as string[]).includes(name);
}
