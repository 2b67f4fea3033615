import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnv } from "@hermes/core";
import { containerMemoryMb, describeWithService, type LoadGroup, load } from "@hermes/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { missingService as missingSshd, testServerConfig } from "../../backend-ssh/test/ssh-test-support.js";
import { containersOf, engine, missingService as missingEngine, testImage } from "./docker-test-support.js";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "hermes-routed-load-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Ids of the docker environments the loads made, to check that none left a container. */
const dockerIds: string[] = [];

/** One multi-backend configuration; each environment's task routes it to one backend (as in `pnpm soak`). */
function groups(): LoadGroup[] {
  const config = {
    backend: {
      default: "host",
      backends: {
        host: { type: "local", cwd: scratch },
        container: { type: "docker", image: testImage, network: "none" },
        remote: testServerConfig(),
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
  const memoryOutsideMb = (ids: string[]) => {
    dockerIds.push(...ids);
    return containerMemoryMb(engine, ids);
  };
  return [
    { name: "local", count: 10, task: { kind: "chat" }, create },
    { name: "docker", count: 5, task: { kind: "build" }, create, memoryOutsideMb },
    { name: "ssh", count: 5, task: { kind: "remote" }, create },
  ];
}

// The small version of the routed load in `pnpm soak`. Run twice: the local backend keeps a bounded spare of
// opened pipes across environments, so "nothing leaks" is that the second run ends where the first did.
describeWithService("load through the router", (await missingEngine()) ?? (await missingSshd()), () => {
  it("runs 20 routed environments (10 local, 5 docker, 5 ssh) at once, every output its own, twice without growing", async () => {
    const first = await load(groups(), { commandsPerEnvironment: 6 });
    expect(first.failures).toEqual([]);
    expect([first.environments, first.commands]).toEqual([20, 120]);
    // A container holds at least its bash session; the figure is its cgroup's, so not 0 and not the whole machine.
    expect(first.outsideMbPerIdleEnvironment.docker).toBeGreaterThan(0.1);
    expect(first.outsideMbPerIdleEnvironment.docker).toBeLessThan(64);
    const second = await load(groups(), { commandsPerEnvironment: 6 });
    expect(second.failures).toEqual([]);
    expect(second.fds.after).toBeLessThanOrEqual(first.fds.after + 2);
    expect(second.processes.after).toBeLessThanOrEqual(first.processes.before + 2);
    expect(dockerIds).toHaveLength(10);
    expect((await Promise.all(dockerIds.map(containersOf))).flat()).toEqual([]);
  }, 180_000);
});
