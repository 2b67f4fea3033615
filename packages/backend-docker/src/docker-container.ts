import { BackendUnavailableError, ConfigError } from "@hermes/core";
import type Docker from "dockerode";
import { describeEngineError, hasStatus } from "./engine-errors.js";
import { retryingDroppedConnections } from "./engine-pacing.js";

export interface ProvideContainerOptions {
  engine: Docker;
  spec: Docker.ContainerCreateOptions;
  persistent: boolean;
  backendName: string;
  warn(code: string, message: string): void;
}

/**
 * The environment's running container. A persistent one is found by name and reused (started again if it
 * stopped); otherwise a new one is created and started, and removed again if it cannot start, so a failed
 * start never leaves a "Created" container behind.
 */
export async function provideContainer(options: ProvideContainerOptions): Promise<Docker.Container> {
  const { engine, spec } = options;
  if (options.persistent && spec.name) {
    const existing = await reattach(options, spec.name);
    if (existing) return existing;
  }
  const container = await createContainer(options);
  try {
    await retryingDroppedConnections(() =>
      container.start().catch((error: unknown) => {
        // Started by an attempt whose answer was lost.
        if (!hasStatus(error, 304)) throw error;
      }),
    );
  } catch (error) {
    await container.remove({ force: true, v: true }).catch(() => {});
    throw new BackendUnavailableError({
      backend: options.backendName,
      reason: `the container did not start: ${describeEngineError(error)}`,
      retryable: false,
      cause: error,
    });
  }
  return engine.getContainer(container.id);
}

async function reattach(options: ProvideContainerOptions, name: string): Promise<Docker.Container | undefined> {
  const container = options.engine.getContainer(name);
  let info: Docker.ContainerInspectInfo;
  try {
    info = await container.inspect();
  } catch (error) {
    if (hasStatus(error, 404)) return undefined;
    throw engineUnavailable(options.backendName, error);
  }
  if (info.Config.Labels?.["hermes.persistent"] !== "true") {
    throw new ConfigError({
      issues: [
        {
          path: "name",
          value: name,
          expected: "a name not taken by a container this SDK did not create as persistent (pick another name)",
        },
      ],
    });
  }
  if (info.Config.Image !== options.spec.Image) {
    options.warn(
      "DOCKER_IMAGE_CHANGED",
      `reusing persistent container ${name}, made from ${info.Config.Image}, not ${options.spec.Image}; remove it to start from the new image`,
    );
  }
  if (!info.State.Running)
    await container.start().catch((error: unknown) => {
      if (!hasStatus(error, 304)) throw engineUnavailable(options.backendName, error);
    });
  return container;
}

async function createContainer(options: ProvideContainerOptions): Promise<Docker.Container> {
  try {
    return await retryingDroppedConnections(async (attempt) => {
      try {
        return await options.engine.createContainer(options.spec);
      } catch (error) {
        // The name is this environment's own: taken on a later attempt means the lost one made it.
        const made = attempt > 1 && hasStatus(error, 409) ? await ownContainer(options) : undefined;
        if (made) return made;
        throw error;
      }
    });
  } catch (error) {
    const reason = describeEngineError(error);
    if (options.spec.HostConfig?.StorageOpt && /storage-opt|storage opt|quota/i.test(reason)) {
      options.warn("DOCKER_DISK_LIMIT_UNSUPPORTED", `disk_limit is not enforced: this engine cannot limit a container's disk (${reason})`);
      const { StorageOpt: _, ...hostConfig } = options.spec.HostConfig;
      return createContainer({ ...options, spec: { ...options.spec, HostConfig: hostConfig } });
    }
    if (hasStatus(error, 409)) {
      throw new ConfigError({ issues: [{ path: "name", value: options.spec.name, expected: `a container name not in use (${reason})` }] });
    }
    throw engineUnavailable(options.backendName, error);
  }
}

/** The container of this name, if it carries this environment's labels (made by an attempt whose answer was lost). */
async function ownContainer(options: ProvideContainerOptions): Promise<Docker.Container | undefined> {
  if (!options.spec.name) return undefined;
  const container = options.engine.getContainer(options.spec.name);
  const info = await container.inspect().catch(() => undefined);
  const envId = options.spec.Labels?.["hermes.env-id"];
  return info && envId !== undefined && info.Config.Labels?.["hermes.env-id"] === envId ? container : undefined;
}

export function engineUnavailable(backend: string, error: unknown): BackendUnavailableError {
  return new BackendUnavailableError({ backend, reason: describeEngineError(error), retryable: true, cause: error });
}
