import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createEnv } from "@hermes/core";
import { containerMemoryMb, describeWithService, type LoadGroup, load } from "@hermes/testkit";
import Docker from "dockerode";
import { afterAll, beforeAll, expect, it } from "vitest";

const run = promisify(execFile);
const sshDir = process.env.HERMES_SSH_TEST_DIR ?? "/var/lib/hermes-sshd";

async function missing(): Promise<string | undefined> {
  if (!existsSync(`${sshDir}/id_ed25519`)) return "no test sshd (scripts/services/sshd.sh)";
  return run("docker", ["image", "inspect", "hermes-test:bash"]).then(
    () => undefined,
    () => "no Docker engine with hermes-test:bash (scripts/services/docker.sh)",
  );
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "hermes-routed-load-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** One multi-backend configuration; each environment's task routes it to one backend (as in `pnpm soak`). */
function groups(engine: Docker): LoadGroup[] {
  const config = {
    backend: {
      default: "host",
      backends: {
        host: { type: "local", cwd: scratch },
        container: { type: "docker", image: "hermes-test:bash", network: "none" },
        remote: {
          type: "ssh",
          host: "127.0.0.1",
          port: 2222,
          user: "hermes",
          key: `${sshDir}/id_ed25519`,
          known_hosts: `${sshDir}/known_hosts`,
        },
      },
      routing: {
        rules: [
          { match: { task: "build" }, backend: "container" },
          { match: { task: "remote" }, backend: "remote" },
        ],
      },
    },
  };
  const create = () => createEnv({ config, usage: false });
  return [
    { name: "local", count: 10, task: { kind: "chat" }, create },
    { name: "docker", count: 5, task: { kind: "build" }, create, memoryOutsideMb: (ids) => containerMemoryMb(engine, ids) },
    { name: "ssh", count: 5, task: { kind: "remote" }, create },
  ];
}

// The small version of the routed load in `pnpm soak`. Run twice: the local backend keeps a bounded spare of
// opened pipes across environments, so "nothing leaks" is that the second run ends where the first did.
describeWithService("load through the router", await missing(), () => {
  it("runs 20 routed environments (10 local, 5 docker, 5 ssh) at once, every output its own, twice without growing", async () => {
    const engine = new Docker();
    const first = await load(groups(engine), { commandsPerEnvironment: 6 });
    expect(first.failures).toEqual([]);
    expect([first.environments, first.commands]).toEqual([20, 120]);
    // A container holds at least its bash session; the figure is its cgroup's, so not 0 and not the whole machine.
    expect(first.outsideMbPerIdleEnvironment.docker).toBeGreaterThan(0.1);
    expect(first.outsideMbPerIdleEnvironment.docker).toBeLessThan(64);
    const second = await load(groups(engine), { commandsPerEnvironment: 6 });
    expect(second.failures).toEqual([]);
    expect(second.fds.after).toBeLessThanOrEqual(first.fds.after + 2);
    expect(second.processes.after).toBeLessThanOrEqual(first.processes.before + 2);
    const left = await engine.listContainers({ all: true, filters: { label: ["hermes.env-id"] } });
    expect(left.filter((container) => container.Labels["hermes.env-id"]?.endsWith("-container"))).toEqual([]);
  }, 180_000);
});
