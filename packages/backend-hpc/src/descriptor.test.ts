import { ConfigError, loadConfig, terminalKeyNames } from "@hermes/core";
import { describe, expect, it } from "vitest";
import { descriptor } from "./descriptor.js";

const noEnv = { env: {} };

describe("the singularity descriptor", () => {
  it("reads the multi-backend keys, as type singularity or its alias apptainer", async () => {
    const config = await loadConfig(
      {
        backend: {
          backends: {
            hpc: {
              type: "apptainer",
              image: "docker://python:3.11",
              partition: "gpu",
              slurm_job_template: "#SBATCH --time=02:00:00\n#SBATCH --account=lab",
              gpu: "a100:2",
              cluster_login: "me@login.cluster.edu:2200",
              binds: ["/data:/data:ro"],
              container_cpu: 4,
              container_memory: "16g",
              container_persistent: true,
              scratch_dir: "/scratch/me",
              max_queue_wait: "30m",
            },
          },
        },
      },
      noEnv,
    );
    expect(config.backends.hpc).toEqual({
      type: "singularity",
      options: {
        image: "docker://python:3.11",
        partition: "gpu",
        slurmJobTemplate: "#SBATCH --time=02:00:00\n#SBATCH --account=lab",
        gpu: "a100:2",
        clusterLogin: { host: "login.cluster.edu", user: "me", port: 2200 },
        binds: ["/data:/data:ro"],
        cpu: 4,
        memoryMb: 16384,
        persistent: true,
        scratchDir: "/scratch/me",
        maxQueueWaitMs: 1_800_000,
      },
    });
    const login = descriptor.options.parse({ cluster_login: { host: "login", user: "me", key: "~/.ssh/hpc", known_hosts: "/k" } });
    expect(login).toEqual({ clusterLogin: { host: "login", user: "me", key: "~/.ssh/hpc", knownHostsFile: "/k" } });
    expect(descriptor.factory({ runtime: "charliecloud", image: "/images/x" }).type).toBe("singularity");
  });

  it("rejects a bad value and an unknown key with the path, the value and what was expected", async () => {
    const input = { backend: { backends: { hpc: { type: "singularity", runtime: "docker", partiton: "gpu" } } } };
    const error = await loadConfig(input, noEnv).catch((reason: unknown) => reason);
    if (!ConfigError.isInstance(error)) throw new Error(`expected a ConfigError, got ${String(error)}`);
    expect(error.issues).toEqual([
      { path: "backend.backends.hpc.runtime", value: "docker", expected: expect.stringContaining('"apptainer"') },
      { path: "backend.backends.hpc.partiton", value: "gpu", expected: expect.stringMatching(/did you mean "partition"/) },
    ]);
    expect(() => descriptor.factory({ runtime: "charliecloud", image: "/i", binds: ["/a:/b:ro"] })).toThrow(/ch-run cannot bind read-only/);
  });

  it("maps Hermes's singularity_image, container_* keys, env_passthrough and TERMINAL_SCRATCH_DIR", async () => {
    expect(Object.keys(descriptor.terminal?.keys ?? {}).sort()).toEqual([...terminalKeyNames.singularity].sort());
    const config = await loadConfig(
      {
        terminal: {
          backend: "singularity",
          singularity_image: "docker://ubuntu:24.04",
          container_cpu: 2,
          container_memory: 8192,
          container_persistent: false,
          env_passthrough: ["WANDB_PROJECT"],
        },
      },
      { env: { TERMINAL_SCRATCH_DIR: "/scratch/me/hermes" } },
    );
    expect(config.backends.singularity?.options).toEqual({
      image: "docker://ubuntu:24.04",
      cpu: 2,
      memoryMb: 8192,
      persistent: false,
      envPassthrough: ["WANDB_PROJECT"],
      scratchDir: "/scratch/me/hermes",
    });
  });

  it("says it isolates by namespaces, costs nothing by default, and paths are the container's", () => {
    expect(descriptor).toMatchObject({
      isolation: "namespace",
      prices: { cpuHourUsd: 0, memoryGibHourUsd: 0 },
      policy: { paths: "remote" },
    });
  });
});
