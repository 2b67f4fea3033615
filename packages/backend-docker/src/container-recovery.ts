import { BackendUnavailableError } from "@hermes/core";
import type Docker from "dockerode";
import { describeEngineError, hasStatus } from "./engine-errors.js";

export interface RecoveryContext {
  container: Docker.Container;
  /** The container's name, for messages. */
  name: string;
  backendName: string;
  warn(code: string, message: string): void;
}

/**
 * Runs processes in the environment's container. When the engine says the container is not running, which
 * is what `docker stop`/`docker kill` from outside and an engine restart without live-restore leave, the
 * container is started again (once for any number of calls waiting) and the call retried, loudly: core
 * then restores the session's cwd and exported variables; files outside the tmpfs mounts are kept, running
 * processes and tmpfs contents are not. A container removed from outside cannot come back: that is a
 * typed error no retry fixes.
 */
export class ContainerRecovery {
  private restarting: Promise<void> | undefined;

  constructor(private readonly context: RecoveryContext) {}

  async run<T>(start: () => Promise<T>): Promise<T> {
    try {
      return await start();
    } catch (error) {
      if (hasStatus(error, 404)) throw removedOutside(this.context, error);
      if (!hasStatus(error, 409) || !/is not running/i.test(describeEngineError(error))) throw error;
    }
    this.restarting ??= this.restart().finally(() => {
      this.restarting = undefined;
    });
    await this.restarting;
    return start();
  }

  private async restart(): Promise<void> {
    const { container, name } = this.context;
    let info: Docker.ContainerInspectInfo;
    try {
      info = await container.inspect();
    } catch (error) {
      if (hasStatus(error, 404)) throw removedOutside(this.context, error);
      throw error;
    }
    const state = info.State;
    const how = state.OOMKilled ? "killed by its memory limit" : `exited ${state.ExitCode}`;
    await container.start().catch((error: unknown) => {
      // Already running again (started by someone else meanwhile).
      if (!hasStatus(error, 304)) throw error;
    });
    this.context.warn(
      "DOCKER_CONTAINER_RESTARTED",
      `container ${name} had stopped (${how} at ${state.FinishedAt}: stopped from outside Hermes, or the engine restarted) and was started again; the session's cwd and exported variables are restored and its files kept, except in tmpfs mounts (/tmp); its running processes are gone`,
    );
  }
}

function removedOutside(context: RecoveryContext, cause: unknown): BackendUnavailableError {
  return new BackendUnavailableError({
    backend: context.backendName,
    reason: `container ${context.name} was removed outside Hermes (docker rm?); this environment cannot go on: dispose of it and create a new one`,
    retryable: false,
    cause,
  });
}
