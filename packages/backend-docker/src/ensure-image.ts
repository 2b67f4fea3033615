import { BackendUnavailableError } from "@hermes/core";
import type Docker from "dockerode";
import { describeEngineError, hasStatus } from "./engine-errors.js";

export interface PullReporter {
  progress(message: string, detail?: { current?: number; total?: number }): void;
}

/**
 * Makes sure the image is on the engine: used as it is when present (loaded, imported or built locally,
 * no registry needed), pulled otherwise with progress reported. A failed pull names the image and the
 * registry, and says whether trying again can help.
 */
export async function ensureImage(engine: Docker, image: string, backendName: string, reporter: PullReporter): Promise<void> {
  try {
    await engine.getImage(image).inspect();
    return;
  } catch (error) {
    if (!hasStatus(error, 404)) throw unavailable(backendName, `cannot inspect image ${image}: ${describeEngineError(error)}`, error);
  }
  const reference = withTag(image);
  const registry = registryOf(reference);
  reporter.progress(`pulling ${reference} from ${registry}`);
  try {
    const stream = await engine.pull(reference);
    await new Promise<void>((resolve, reject) => {
      engine.modem.followProgress(
        stream,
        (error: Error | null, events: Array<{ error?: string }>) => {
          const failed = error ?? events.find((event) => event.error)?.error;
          if (failed) reject(typeof failed === "string" ? new Error(failed) : failed);
          else resolve();
        },
        (event: { status?: string; id?: string; progressDetail?: { current?: number; total?: number } }) => {
          if (!event.status) return;
          const detail = event.progressDetail?.total
            ? { current: event.progressDetail.current ?? 0, total: event.progressDetail.total }
            : undefined;
          reporter.progress(`${reference}: ${event.id ? `${event.id} ` : ""}${event.status}`, detail);
        },
      );
    });
  } catch (error) {
    const reason = describeEngineError(error);
    // A name the registry does not know will not appear by retrying; a network failure may go away.
    const permanent = /not found|manifest unknown|pull access denied|repository does not exist|unauthorized|invalid reference/i.test(
      reason,
    );
    throw unavailable(
      backendName,
      `cannot pull image ${reference} from ${registry}: ${reason}. Check the image name, log in to the registry, or load the image into the engine (docker load, docker import, docker build).`,
      error,
      !permanent,
    );
  }
  reporter.progress(`pulled ${reference}`);
}

/** `debian` -> `debian:latest`; references with a tag or digest unchanged. */
export function withTag(image: string): string {
  if (image.includes("@")) return image;
  const lastPart = image.slice(image.lastIndexOf("/") + 1);
  return lastPart.includes(":") ? image : `${image}:latest`;
}

/** The registry an image reference is pulled from: its first part when that looks like a host, else Docker Hub. */
export function registryOf(image: string): string {
  const slash = image.indexOf("/");
  if (slash === -1) return "docker.io";
  const first = image.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost" ? first : "docker.io";
}

function unavailable(backend: string, reason: string, cause: unknown, retryable = true): BackendUnavailableError {
  return new BackendUnavailableError({ backend, reason, retryable, cause });
}
