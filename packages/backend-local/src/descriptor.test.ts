import { ConfigError, loadConfig, terminalKeyNames } from "@hermes/core";
import { describe, expect, it } from "vitest";
import { descriptor } from "./descriptor.js";

const noEnv = { env: {} };

describe("the local descriptor", () => {
  it("parses its YAML keys, and the common ones, into options", () => {
    const options = descriptor.options.parse({
      sandbox_root: "/tmp/box",
      max_memory_mb: "1g",
      env_passthrough: ["GITHUB_TOKEN"],
      confinement: "bubblewrap",
      network: "none",
      command_timeout: "5s",
    });
    expect(options).toEqual({
      sandboxRoot: "/tmp/box",
      maxMemoryMb: 1024,
      envPassthrough: ["GITHUB_TOKEN"],
      confinement: "bubblewrap",
      network: "none",
      commandTimeoutMs: 5_000,
    });
    expect(descriptor.factory(options).type).toBe("local");
  });

  it("rejects a bad value and an unknown key with the path, the value and what was expected", async () => {
    const input = { backend: { backends: { here: { type: "local", confinement: "docker", sandbox_rot: "/x" } } } };
    const error = await loadConfig(input, noEnv).catch((reason: unknown) => reason);
    if (!ConfigError.isInstance(error)) throw new Error(`expected a ConfigError, got ${String(error)}`);
    expect(error.issues).toEqual([
      { path: "backend.backends.here.confinement", value: "docker", expected: 'one of "none", "bubblewrap"' },
      {
        path: "backend.backends.here.sandbox_rot",
        value: "/x",
        expected: expect.stringMatching(/^no such key \(did you mean "sandbox_root"\?\)/),
      },
    ]);
  });

  it("reads Hermes's env_passthrough from the terminal section, the keys core lists for local", async () => {
    expect(Object.keys(descriptor.terminal?.keys ?? {})).toEqual([...terminalKeyNames.local]);
    const config = await loadConfig({ terminal: { backend: "local", env_passthrough: ["NPM_TOKEN"], timeout: 30 } }, noEnv);
    expect(config.backends.local?.options).toEqual({ commandTimeoutMs: 30_000, envPassthrough: ["NPM_TOKEN"] });
  });

  it("says it isolates nothing, costs nothing, and that its sandbox_root is the policy's, on this machine's paths", () => {
    expect(descriptor).toMatchObject({
      isolation: "none",
      prices: { cpuHourUsd: 0, memoryGibHourUsd: 0 },
      policy: { sandboxRoot: "sandboxRoot", paths: "local" },
    });
  });
});
