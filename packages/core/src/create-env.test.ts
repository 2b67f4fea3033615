import { describe, expect, it, vi } from "vitest";
import { loadConfig } from "./config/load-config.js";
import { createEnv } from "./create-env.js";
import { BackendNotInstalledError } from "./errors/backend-not-installed-error.js";
import { ConfigError } from "./errors/config-error.js";
import { HermesError } from "./errors/hermes-error.js";

// Modal stands for a type whose package is not installed (see modal-not-installed.ts).
vi.mock("./config/backend-packages.js", async (original) =>
  (await import("../test/modal-not-installed.js")).modalNotInstalled(await original()),
);

describe("createEnv", () => {
  it("gives a local environment with no configuration at all", async () => {
    await using env = await createEnv({ config: {} });
    expect([env.type, env.backend]).toEqual(["local", "local"]);
    expect((await env.exec("echo hi")).stdout).toBe("hi\n");
  });

  it("resolves a backend type to its package lazily", async () => {
    await using env = await createEnv({ backend: "local", config: {} });
    expect(env.type).toBe("local");
    expect((await env.status()).state).toBe("created");
  });

  it("names the package and the install command when a backend is not installed", async () => {
    const error = await createEnv({ backend: "modal", config: {} }).catch((reason: unknown) => reason);
    expect(BackendNotInstalledError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ packageName: "@hermes/backend-cloud", installCommand: "npm install @hermes/backend-cloud" });
    expect((error as Error).message).toMatch(
      /Backend type "modal" needs the package @hermes\/backend-cloud.*npm install @hermes\/backend-cloud/,
    );
  });

  it("accepts a configured type whose package is not installed, then fails creating it, naming the package", async () => {
    const config = await loadConfig({ backend: { backends: { gpu: { type: "modal", app: "agents" } } } }, { env: {} });
    expect(config.warnings).toEqual([expect.stringContaining('"modal" needs the package @hermes/backend-cloud')]);
    const error = await createEnv({ config }).catch((reason: unknown) => reason);
    expect(BackendNotInstalledError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ backendType: "modal", packageName: "@hermes/backend-cloud" });
    const modal = await createEnv({ config: { backend: { backends: { gpu: { type: "modal", app: "x" } } } } }).catch(
      (reason: unknown) => reason,
    );
    expect(modal).toMatchObject({ code: "BACKEND_NOT_INSTALLED", packageName: "@hermes/backend-cloud" });
  });

  it("refuses a backend name that is neither configured nor a type", async () => {
    const config = { backend: { default: "box", backends: { box: { type: "local" } } } };
    const error = await createEnv({ backend: "bxo", config }).catch((reason: unknown) => reason);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/backend: got "bxo"; expected a configured backend \(box\) or a backend type \(local, docker/);
  });

  it("uses a named instance's options, and createEnv's cwd and env", async () => {
    const config = {
      backend: { default: "box", backends: { box: { type: "local", command_timeout: "250ms", env: { FROM_CONFIG: "1" } } } },
    };
    await using env = await createEnv({ config, cwd: "/", env: { FROM_CALL: "2" } });
    expect(env.backend).toBe("box");
    const result = await env.exec('echo "$FROM_CONFIG $FROM_CALL $PWD"; sleep 5');
    expect(result).toMatchObject({ stdout: "1 2 /\n", timedOut: true });
  });

  it("fails the start, clearly, when createEnv's cwd does not exist", async () => {
    await using env = await createEnv({ config: {}, cwd: "/no/such/place" });
    await expect(env.exec("true")).rejects.toThrow(/createEnv cwd.*an existing directory/);
  });

  it("refuses a policy rule it does not know rather than ignoring it", async () => {
    const config = { backend: { backends: { local: { type: "local" } }, global: { forbid: ["rm_rf_everything"] } } };
    await expect(createEnv({ config, usage: false })).rejects.toSatisfy(ConfigError.isInstance);
    await expect(createEnv({ config, usage: false })).rejects.toThrow(/rm_rf_everything.*rm_rf_root/s);
  });
});

describe("HermesError.isInstance", () => {
  it("recognises errors by marker, across copies of the package", () => {
    const foreign = Object.assign(new Error("from another copy"), {
      [Symbol.for("hermes.error")]: true,
      [Symbol.for("hermes.error.ConfigError")]: true,
    });
    expect(HermesError.isInstance(foreign)).toBe(true);
    expect(ConfigError.isInstance(foreign)).toBe(true);
    expect(BackendNotInstalledError.isInstance(foreign)).toBe(false);
    expect(HermesError.isInstance(new Error("plain"))).toBe(false);
  });
});
