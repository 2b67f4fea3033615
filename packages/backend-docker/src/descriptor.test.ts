import { ConfigError, loadConfig, terminalKeyNames } from "@hermes/core";
import { describe, expect, it } from "vitest";
import { descriptor } from "./descriptor.js";

const noEnv = { env: {} };

describe("the docker descriptor", () => {
  it("parses its YAML keys, and the common ones, into options", () => {
    const options = descriptor.options.parse({
      image: "python:3.11-slim",
      memory_limit: "512m",
      cpu_limit: 1.5,
      disk_limit: "2g",
      cap_add: ["CHOWN"],
      read_only_root: true,
      pids_limit: 64,
      price_per_hour_usd: 0.5,
    });
    expect(options).toEqual({
      image: "python:3.11-slim",
      memoryMb: 512,
      cpus: 1.5,
      diskMb: 2048,
      capAdd: ["CHOWN"],
      readOnlyRoot: true,
      pidsLimit: 64,
      pricePerHourUsd: 0.5,
    });
    expect(descriptor.factory(options).type).toBe("docker");
  });

  it("rejects a bad value and an unknown key with the path, the value and what was expected", async () => {
    const input = { backend: { backends: { box: { type: "docker", imgae: "x", memory_limit: "lots", pids_limit: 0 } } } };
    const error = await loadConfig(input, noEnv).catch((reason: unknown) => reason);
    if (!ConfigError.isInstance(error)) throw new Error(`expected a ConfigError, got ${String(error)}`);
    expect(error.issues).toEqual([
      { path: "backend.backends.box.memory_limit", value: "lots", expected: expect.stringMatching(/^a size such as 512m/) },
      { path: "backend.backends.box.pids_limit", value: 0, expected: "a value of at least 0 (exclusive)" },
      {
        path: "backend.backends.box.imgae",
        value: "x",
        expected: expect.stringMatching(/^no such key \(did you mean "image"\?\); known keys here: type, cwd/),
      },
    ]);
  });

  it("maps Hermes's docker_* and container_* keys, with their TERMINAL_* variables, the keys core lists for docker", async () => {
    expect(Object.keys(descriptor.terminal?.keys ?? {}).sort()).toEqual([...terminalKeyNames.docker].sort());
    const config = await loadConfig(
      { terminal: { backend: "docker", docker_image: "node:22", docker_env: { A: 1 }, container_disk: "10g", cwd: "/workspace" } },
      { env: { TERMINAL_CONTAINER_CPU: "2", TERMINAL_CONTAINER_PERSISTENT: "yes", TERMINAL_DOCKER_FORWARD_ENV: '["GH_TOKEN"]' } },
    );
    expect(config.backends.docker?.options).toEqual({
      cwd: "/workspace",
      image: "node:22",
      env: { A: "1" },
      diskMb: 10_240,
      cpus: 2,
      persistent: true,
      forwardEnv: ["GH_TOKEN"],
    });
    const error = await loadConfig({ terminal: { backend: "docker", docker_volumes: "/a:/b" } }, noEnv).catch((reason: unknown) => reason);
    expect(error).toMatchObject({ issues: [{ path: "terminal.docker_volumes", value: "/a:/b", expected: "a list" }] });
  });

  it("says it isolates in a container, costs nothing by default, prices its CPUs and memory, and paths are the container's", () => {
    expect(descriptor).toMatchObject({
      isolation: "container",
      prices: { cpuHourUsd: 0, memoryGibHourUsd: 0 },
      policy: { paths: "remote" },
    });
    expect(descriptor.resources?.({ cpus: 2, memoryMb: 1024 })).toEqual({ cpus: 2, memoryMb: 1024 });
  });
});
