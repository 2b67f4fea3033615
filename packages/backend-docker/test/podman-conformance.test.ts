import { existsSync } from "node:fs";
import { createEnv } from "@hermes/core";
import { describeConformance, describeWithService } from "@hermes/testkit";
import Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { docker } from "../src/index.js";
import { containerProcessAlive, testImage } from "./docker-test-support.js";

/** Podman's Docker-API socket, as scripts/services/podman.sh starts it. */
const socket = "/run/podman/podman.sock";
const podman = new Docker({ socketPath: socket });
const missing = existsSync(socket)
  ? await podman.ping().then(
      () => undefined,
      (error: Error) => error.message,
    )
  : `no ${socket}`;

describeWithService("docker backend on podman", missing && `${missing}; run scripts/services/podman.sh`, () => {
  const backend = () => docker({ image: testImage, network: "none", host: `unix://${socket}` });
  describeConformance("podman", {
    create: () => createEnv({ backend: backend() }),
    processAlive: (pid, environment) => containerProcessAlive(pid, environment.id, podman),
    slowness: 3,
  });

  describe("hardening and cleanup", () => {
    it("applies the same hardening and removes the container on dispose", async () => {
      const env = await createEnv({ backend: backend() });
      const status = await env.exec("grep -E '^(CapEff|NoNewPrivs)' /proc/self/status");
      expect(status.stdout).toMatch(/CapEff:\s+0000000000000000/);
      expect(status.stdout).toMatch(/NoNewPrivs:\s+1/);
      const [info] = await podman.listContainers({ filters: { label: [`hermes.env-id=${env.id}`] } });
      expect((await podman.getContainer(info?.Id ?? "").inspect()).HostConfig.PidsLimit).toBe(256);
      await env.dispose();
      expect(await podman.listContainers({ all: true, filters: { label: [`hermes.env-id=${env.id}`] } })).toEqual([]);
    }, 60_000);
  });
});
