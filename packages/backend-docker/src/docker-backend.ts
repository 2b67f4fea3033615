import {
  type Backend,
  type BackendContext,
  type BackendInstance,
  BackendUnavailableError,
  ConfigError,
  type ConfigIssue,
  forwardedVariables,
  HermesError,
  type ProcessSpec,
  type RawProcess,
  ShellFiles,
} from "@hermes/core";
import type Docker from "dockerode";
import { ContainerRecovery } from "./container-recovery.js";
import { addableCapabilities, bindSpec, containerSpec, dockerDefaults, tmpfsPathsOf } from "./container-spec.js";
import type { DockerBackendOptions } from "./descriptor.js";
import { connectEngine, engineLocation } from "./docker-connection.js";
import { engineUnavailable, provideContainer } from "./docker-container.js";
import { DockerFiles } from "./docker-files.js";
import { startDockerProcess } from "./docker-process.js";
import { describeEngineError, hasStatus } from "./engine-errors.js";
import { paced } from "./engine-pacing.js";
import { ensureImage } from "./ensure-image.js";
import { reapContainers } from "./reap-containers.js";

export type { DockerBackendOptions } from "./descriptor.js";

const bashPath = "bash";
const healthTimeoutMs = 5_000;

/**
 * Commands in a hardened container on a Docker engine (or Podman's Docker API): every capability dropped,
 * no-new-privileges, a PID limit, memory and CPU limits, size-limited tmpfs; one container per environment
 * with a persistent bash session over one attached exec stream. Does no I/O until an environment starts.
 */
export function docker(options: DockerBackendOptions = {}): Backend {
  checkOptions(options);
  return {
    type: "docker",
    capabilities: { isolation: "container", network: options.network === "none" ? "none" : "private" },
    create: (context) => createDockerInstance(options, context),
    health: () => engineHealth(connectEngine(options.host)),
    reap: (reapOptions) => reapContainers(connectEngine(options.host), reapOptions),
  };
}

async function createDockerInstance(options: DockerBackendOptions, context: BackendContext): Promise<BackendInstance> {
  const engine = connectEngine(options.host);
  const image = options.image ?? dockerDefaults.image;
  await engine.ping().catch((error: unknown) => {
    // Already typed and explained by the ssh transport (a refused host key, a failed login).
    if (HermesError.isInstance(error)) throw error;
    throw new BackendUnavailableError({
      backend: context.backendName,
      reason: `cannot reach the Docker engine at ${describeAddress(options.host)}: ${describeEngineError(error)}`,
      retryable: true,
      cause: error,
    });
  });
  await ensureImage(engine, image, context.backendName, context);
  const persistent = options.persistent ?? false;
  const spec = containerSpec({
    options,
    name: options.name ?? (persistent ? `hermes-${context.backendName}` : `hermes-${context.environmentId.slice(0, 12)}`),
    labels: { ...context.labels, "hermes.backend": context.backendName, "hermes.persistent": String(persistent) },
    bashPath,
    env: { ...forwardedVariables(options.forwardEnv, "forward_env", context.warn), ...options.env },
  });
  const container = await paced(engineLocation(options.host), () =>
    provideContainer({ engine, spec, persistent, backendName: context.backendName, warn: context.warn }),
  );
  try {
    return await instanceOn(container, { options, context, persistent, name: spec.name ?? container.id });
  } catch (error) {
    if (!persistent) await container.remove({ force: true, v: true }).catch(() => {});
    throw error;
  }
}

interface InstanceParameters {
  options: DockerBackendOptions;
  context: BackendContext;
  persistent: boolean;
  name: string;
}

async function instanceOn(
  container: Docker.Container,
  { options, context, persistent, name }: InstanceParameters,
): Promise<BackendInstance> {
  const recovery = new ContainerRecovery({ container, name, backendName: context.backendName, warn: context.warn });
  const start = (spec: ProcessSpec): Promise<RawProcess> =>
    recovery
      .run(() => startDockerProcess({ container, backendName: context.backendName }, spec))
      .catch((error: unknown) => {
        throw HermesError.isInstance(error) ? error : engineUnavailable(context.backendName, error);
      });
  return {
    defaultCwd: options.cwd ?? dockerDefaults.cwd,
    start,
    files: new DockerFiles(container, new ShellFiles(start), tmpfsPathsOf(options), context.warn),
    dispose: async () => {
      if (persistent) await container.stop({ t: 2 }).catch(() => {});
      else
        await container.remove({ force: true, v: true }).catch((error: unknown) => {
          // Removed from outside already: nothing is left.
          if (hasStatus(error, 404)) return;
          context.warn(
            "DOCKER_REMOVE_FAILED",
            `could not remove container ${name}: ${describeEngineError(error)}; hermes-env backend reap removes it later`,
          );
        });
    },
  };
}

async function engineHealth(engine: Docker): Promise<{ ok: boolean; reason?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${healthTimeoutMs / 1000}s`)), healthTimeoutMs);
  });
  try {
    await Promise.race([engine.ping(), timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `Docker engine: ${describeEngineError(error)}` };
  } finally {
    clearTimeout(timer);
  }
}

function describeAddress(host: string | undefined): string {
  return host ?? process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

function checkOptions(options: DockerBackendOptions): void {
  const issues: ConfigIssue[] = [];
  const allowed = new Set<string>(addableCapabilities);
  for (const capability of options.capAdd ?? []) {
    const name = capability.toUpperCase().replace(/^CAP_/, "");
    if (!allowed.has(name)) {
      issues.push({
        path: "cap_add",
        value: capability,
        expected: `one of ${addableCapabilities.join(", ")} (others reach past the container)`,
      });
    }
  }
  for (const volume of options.volumes ?? []) {
    try {
      bindSpec(volume);
    } catch (error) {
      issues.push({ path: "volumes", value: volume, expected: (error as Error).message.replace(/^volume .*? is not /, "") });
    }
  }
  if (options.cwd !== undefined && !options.cwd.startsWith("/"))
    issues.push({ path: "cwd", value: options.cwd, expected: "an absolute path in the container" });
  if (options.network === "host")
    issues.push({ path: "network", value: "host", expected: "none, bridge or a named network (host networking gives up isolation)" });
  if (issues.length > 0) throw new ConfigError({ issues });
}
