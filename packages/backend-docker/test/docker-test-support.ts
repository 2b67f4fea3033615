import { connect, type Server, type Socket } from "node:net";
import { describeWithService } from "@hermes/testkit";
import Docker from "dockerode";

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
  describeWithService(name, missing, body);
}

/** Containers of an environment, by its label. */
export async function containersOf(environmentId: string): Promise<Docker.ContainerInfo[]> {
  return engine.listContainers({ all: true, filters: { label: [`hermes.env-id=${environmentId}`] } });
}

/** Relays connections to the real engine's socket, and can cut them all, as when dockerd dies or the network drops. */
export class EngineRelay {
  private readonly sockets = new Set<Socket>();

  /** Connection listener for a `net` or `tls` server: pipes the client to the engine. */
  readonly accept = (client: Socket): void => {
    const upstream = connect("/var/run/docker.sock");
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => this.sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  };

  /** Closes the server and cuts every open connection. */
  async cut(server: Server): Promise<void> {
    // close() waits for open connections, so they are destroyed before it is awaited.
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

/**
 * Whether process `pid` runs in the environment's container, seen from outside it: another exec in the
 * container (of the engine given, Docker's by default). A removed or stopped container runs nothing.
 */
export async function containerProcessAlive(pid: number, environmentId: string, on: Docker = engine): Promise<boolean> {
  const [container] = await on.listContainers({ filters: { label: [`hermes.env-id=${environmentId}`] } });
  if (container?.State !== "running") return false;
  const exec = await on.getContainer(container.Id).exec({
    Cmd: ["bash", "-c", `s=$(< /proc/${pid}/stat) || exit 1; s=\${s##*) }; [ "\${s%% *}" != Z ]`],
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({});
  stream.resume();
  await new Promise((resolve) => stream.on("end", resolve));
  return (await exec.inspect()).ExitCode === 0;
}
