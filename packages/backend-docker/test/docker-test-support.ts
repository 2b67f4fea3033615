import Docker from "dockerode";
import { describe } from "vitest";

/** The image `scripts/services/docker.sh` builds without a registry: bash and busybox, no coreutils, no python. */
export const testImage = process.env.HERMES_DOCKER_TEST_IMAGE ?? "hermes-test:bash";

export const engine = new Docker();

/** Why the docker suites cannot run here, or undefined when the engine and the test image are there. */
export async function missingService(): Promise<string | undefined> {
  try {
    await engine.ping();
  } catch (error) {
    return `no Docker engine (${(error as Error).message}); run scripts/services/docker.sh`;
  }
  try {
    await engine.getImage(testImage).inspect();
  } catch {
    return `the test image ${testImage} is missing; run scripts/services/docker.sh`;
  }
  return undefined;
}

const missing = await missingService();

/**
 * `describe` for suites that need the engine: skipped with the reason when it is missing, except under
 * CI=true, where a missing engine fails the run instead of passing silently.
 */
export function describeWithEngine(name: string, body: () => void): void {
  if (missing && process.env.CI === "true") {
    describe(name, () => {
      throw new Error(`CI=true but ${missing}`);
    });
  } else if (missing) {
    describe.skip(`${name} [skipped: ${missing}]`, body);
  } else {
    describe(name, body);
  }
}

/** Containers of an environment, by its label. */
export async function containersOf(environmentId: string): Promise<Docker.ContainerInfo[]> {
  return engine.listContainers({ all: true, filters: { label: [`hermes.env-id=${environmentId}`] } });
}
