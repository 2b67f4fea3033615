import { resolve } from "node:path";
import { capabilitiesOf } from "./backend/backend-capabilities.js";
import { backendTypes, isBackendType } from "./config/backend-packages.js";
import type { BackendInstanceConfig, HermesConfig } from "./config/hermes-config.js";
import { loadConfig } from "./config/load-config.js";
import { ConfigError } from "./errors/config-error.js";
import { findBackendDescriptor, importBackendDescriptor } from "./import-backend.js";
import type { Policy, PolicySettings } from "./policy/create-policy.js";
import { policyWrapper } from "./policy/environment-policy.js";
import type { ConfirmCallback } from "./policy/with-policy.js";
import { BackendSlot } from "./routed/backend-slot.js";
import { RoutedEnvironment } from "./routed/routed-environment.js";
import { createRouter } from "./router/create-router.js";
import { newId } from "./session/new-id.js";
import type { Backend } from "./types/backend.js";
import type { BackendDescriptor, CommonBackendOptions } from "./types/backend-descriptor.js";
import type { IsolationLevel } from "./types/capabilities.js";
import type { ExecutionEnvironment } from "./types/execution-environment.js";
import { hourlyPrice } from "./usage/hourly-price.js";
import { UsageStore } from "./usage/usage-store.js";

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
  /**
   * A folder on this machine copied into the session's starting directory at start and back onto it at
   * dispose (files deleted there stay here). Default: the instance's `sync_dir`.
   */
  syncDir?: string;
  /** Default limit for one `exec`, in milliseconds. Default: the configured timeout, else 180_000. */
  timeoutMs?: number;
  /** Idle time after which a backend's environment is disposed (the next call starts a new one). Default: lifetime_seconds, else 300 s. */
  lifetimeMs?: number;
  /** Where usage is recorded: a directory, or false for nowhere. Default `$HERMES_HOME/usage`, else `~/.hermes/usage`. */
  usage?: string | false;
  /**
   * A security policy for every backend, in the YAML keys (`forbid`, `require_confirm`, `allowed_commands`,
   * `sandbox_root`, `log_all_commands`, ...), or one made with `createPolicy`. Default: the configuration's
   * `backend.global` keys with each backend's own (`allowed_commands`, a local `sandbox_root`).
   */
  policy?: PolicySettings | Policy;
  /** Asked for each action the policy says to confirm; without it, those are refused. */
  confirm?: ConfirmCallback;
  /** How long a confirmation may take before it counts as refused. Default 60 s. */
  confirmTimeoutMs?: number;
}

/**
 * Creates an execution environment. Nothing starts until the first call (or `await env.start()`), but the
 * configuration is validated and the default backend's package loaded now, so mistakes surface here.
 * Over a multi-backend configuration (and no `backend` option) calls are routed per `task`; either way the
 * environment gets idle expiry, usage and cost accounting and the process exit handlers (DESIGN.md section 6).
 */
export async function createEnv(options: CreateEnvOptions = {}): Promise<ExecutionEnvironment> {
  const config = await loadConfig(options.config);
  const id = newId();
  const usage = options.usage === false ? undefined : new UsageStore(typeof options.usage === "string" ? options.usage : undefined);
  const lifetimeMs = options.lifetimeMs ?? (config.lifetimeSeconds ?? defaultLifetimeSeconds) * 1000;
  const instances = selectedInstances(options.backend, config);
  let defaultBackend: Backend | undefined;
  const slots = new Map<string, BackendSlot>();
  // What each instance isolates: its backend's capabilities once created, else its type's descriptor.
  const created = new Map<string, Backend>();
  const descriptors = new Map<string, BackendDescriptor>();
  for (const [name, instance] of instances) {
    // Undefined for a type whose package is not installed (creating it fails with BackendNotInstalledError).
    const descriptor = !isBackendType(instance.type)
      ? undefined
      : instance.backend
        ? await findBackendDescriptor(instance.type).catch(() => undefined)
        : await findBackendDescriptor(instance.type);
    if (descriptor) descriptors.set(name, descriptor);
    const create = instance.backend ? async () => instance.backend as Backend : lazyBackend(instance.config as BackendInstanceConfig);
    const load = async () => {
      const backend = await create();
      created.set(name, backend);
      return backend;
    };
    // The default backend is loaded now: its capabilities describe the environment, and a missing package fails here.
    if (name === instances.defaultName) defaultBackend = await load();
    const settings = (instance.config?.options ?? {}) as CommonBackendOptions;
    const timeoutMs = options.timeoutMs ?? settings.commandTimeoutMs;
    const syncDir = name === instances.defaultName ? (options.syncDir ?? settings.syncDir) : settings.syncDir;
    slots.set(
      name,
      new BackendSlot({
        name,
        type: instance.type,
        backend: load,
        environment: {
          id: name === instances.defaultName ? id : `${id}-${name}`,
          backendName: name,
          ...(timeoutMs !== undefined && { timeoutMs }),
          ...(options.cwd !== undefined && { cwd: options.cwd }),
          ...(options.env !== undefined && { env: options.env }),
          ...(syncDir !== undefined && { syncDir: resolve(syncDir) }),
          warnings: name === instances.defaultName ? config.warnings : [],
        },
        idleMs: settings.keepWarmMs ?? lifetimeMs,
        pricePerHour: instance.config ? hourlyPrice(descriptor, settings) : (settings.pricePerHourUsd ?? 0),
        budgetUsd: settings.budgetPerRunUsd,
        usage,
        ...policyWrapper(name, { ...instance, ...(descriptor && { descriptor }) }, config, options, id),
        get events() {
          return environment;
        },
      }),
    );
  }
  const router =
    instances.size > 1
      ? createRouter(config)
      : createRouter({ defaultBackend: instances.defaultName, routing: { rules: [], fallback: [] } });
  const environment: RoutedEnvironment = new RoutedEnvironment({
    id,
    router,
    slots,
    usage,
    defaultBackend: defaultBackend as Backend,
    isolationOf: (name) => isolationOf(created.get(name), descriptors.get(name)),
  });
  return environment;
}

const defaultLifetimeSeconds = 300;

interface SelectedInstance {
  type: string;
  config?: BackendInstanceConfig;
  backend?: Backend;
}

/** The instances the environment uses: the one named or given, else every configured one. */
function selectedInstances(
  choice: string | Backend | undefined,
  config: HermesConfig,
): Map<string, SelectedInstance> & { defaultName: string } {
  const selected = new Map<string, SelectedInstance>() as Map<string, SelectedInstance> & { defaultName: string };
  if (typeof choice === "object") {
    selected.set(choice.type, { type: choice.type, backend: choice });
    selected.defaultName = choice.type;
    return selected;
  }
  if (choice === undefined) {
    for (const [name, instance] of Object.entries(config.backends)) selected.set(name, { type: instance.type, config: instance });
    selected.defaultName = config.defaultBackend;
    return selected;
  }
  const instance = config.backends[choice] ?? (isBackendType(choice) ? { type: choice, options: {} } : undefined);
  if (!instance) {
    throw new ConfigError({
      issues: [
        {
          path: "backend",
          value: choice,
          expected: `a configured backend (${Object.keys(config.backends).join(", ")}) or a backend type (${backendTypes.join(", ")})`,
        },
      ],
    });
  }
  selected.set(choice, { type: instance.type, config: instance as BackendInstanceConfig });
  selected.defaultName = choice;
  return selected;
}

/** Imports the backend's package on first use, once. */
function lazyBackend(instance: BackendInstanceConfig): () => Promise<Backend> {
  let backend: Promise<Backend> | undefined;
  return () => {
    backend ??= importBackendDescriptor(instance.type).then((descriptor) => descriptor.factory(instance.options));
    backend.catch(() => {
      backend = undefined;
    });
    return backend;
  };
}

/**
 * The isolation of an instance, for the fallback's "less isolated" warning: its backend's own (an option may
 * change it), else its type's descriptor's; a type whose package is not installed counts as none, so a
 * fallback to it is never said to lose nothing.
 */
function isolationOf(backend: Backend | undefined, descriptor: BackendDescriptor | undefined): IsolationLevel {
  if (backend) return capabilitiesOf(backend).isolation;
  return descriptor?.isolation ?? "none";
}
