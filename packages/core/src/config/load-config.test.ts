import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../errors/config-error.js";
import { loadConfig } from "./load-config.js";

// Modal stands for a type whose package is not installed (see modal-not-installed.ts).
vi.mock("./backend-packages.js", async (original) =>
  (await import("../../test/modal-not-installed.js")).modalNotInstalled(await original()),
);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hermes-config-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const noEnv = { env: {} };

/** The ConfigError thrown by `load`, for asserting on its issues and message. */
async function configError(load: Promise<unknown>): Promise<ConfigError> {
  const error = await load.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!ConfigError.isInstance(error)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  return error;
}

describe("loadConfig: the Hermes terminal dialect", () => {
  it("maps terminal keys onto backend instances, parsing durations and sizes", async () => {
    const config = await loadConfig(
      {
        terminal: {
          backend: "docker",
          timeout: "90s",
          docker_image: "python:3.11-slim",
          docker_volumes: ["/data:/data:ro"],
          docker_forward_env: ["GITHUB_TOKEN"],
          container_memory: "2g",
          container_cpu: 2,
          container_persistent: false,
          cwd: "/workspace",
          ssh_host: "box.example.com",
          ssh_port: 2222,
        },
      },
      noEnv,
    );
    expect(config.dialect).toBe("terminal");
    expect(config.defaultBackend).toBe("docker");
    expect(config.backends.docker).toEqual({
      type: "docker",
      options: {
        commandTimeoutMs: 90_000,
        cwd: "/workspace",
        image: "python:3.11-slim",
        volumes: ["/data:/data:ro"],
        forwardEnv: ["GITHUB_TOKEN"],
        persistent: false,
        cpus: 2,
        memoryMb: 2048,
      },
    });
    expect(config.backends.ssh?.options).toEqual({ commandTimeoutMs: 90_000, host: "box.example.com", port: 2222 });
    expect(config.backends.local?.options).toEqual({ commandTimeoutMs: 90_000 });
  });

  it("lets TERMINAL_* variables override the file, even without one", async () => {
    const file = { terminal: { backend: "local", timeout: 60, ssh_host: "old" } };
    const env = {
      TERMINAL_ENV: "ssh",
      TERMINAL_TIMEOUT: "5m",
      TERMINAL_SSH_HOST: "new",
      TERMINAL_SSH_PORT: "2022",
      TERMINAL_DOCKER_VOLUMES: '["/a:/b"]',
    };
    const config = await loadConfig(file, { env });
    expect(config.defaultBackend).toBe("ssh");
    expect(config.backends.ssh?.options).toMatchObject({ host: "new", port: 2022, commandTimeoutMs: 300_000 });
    expect(config.backends.docker?.options).toMatchObject({ volumes: ["/a:/b"] });
    const fromEnvOnly = await loadConfig(undefined, { env: { TERMINAL_ENV: "docker" }, cwd: dir, home: dir });
    expect(fromEnvOnly).toMatchObject({ dialect: "terminal", defaultBackend: "docker" });
  });

  it("names the variable and what it expects when an override is malformed", async () => {
    const error = await configError(loadConfig({}, { env: { TERMINAL_CONTAINER_PERSISTENT: "maybe", TERMINAL_DOCKER_ENV: "[1]" } }));
    expect(error.issues).toEqual([
      { path: "TERMINAL_DOCKER_ENV", value: "[1]", expected: 'a JSON object, e.g. {"A":"1"}' },
      { path: "TERMINAL_CONTAINER_PERSISTENT", value: "maybe", expected: "true or false" },
    ]);
  });

  it("warns, without failing, about Hermes keys it does not act on and unknown keys", async () => {
    const config = await loadConfig({ terminal: { backend: "local", docker_extra_args: ["--gpus"], dockr_image: "x" } }, noEnv);
    expect(config.warnings).toEqual([
      expect.stringMatching(/terminal\.docker_extra_args is ignored: raw docker CLI arguments/),
      expect.stringMatching(/terminal\.dockr_image is not a key this SDK knows \(did you mean docker_image\?\)/),
    ]);
  });

  it("ignores a host-looking cwd for container backends, as Hermes does", async () => {
    const config = await loadConfig({ terminal: { backend: "docker", cwd: "/home/me/project" } }, noEnv);
    expect(config.backends.docker?.options.cwd).toBeUndefined();
    expect(config.warnings[0]).toMatch(/looks like a path on this machine/);
  });

  it("accepts the keys of a type whose package is not installed unchecked, with a warning naming the package", async () => {
    const config = await loadConfig(
      { terminal: { backend: "modal", modal_image: "python:3.11", timeout: "1m" } },
      {
        env: { TERMINAL_CONTAINER_CPU: "2" },
      },
    );
    expect(config.defaultBackend).toBe("modal");
    expect(config.backends.modal).toEqual({ type: "modal", options: { commandTimeoutMs: 60_000 } });
    expect(config.warnings).toEqual([expect.stringMatching(/^terminal \(backend modal\): .*@hermes\/backend-cloud.*npm install/)]);
  });

  it("rejects bad values with the key path, the value and what was expected", async () => {
    const error = await configError(loadConfig({ terminal: { backend: "dokker", timeout: "soon", container_memory: "lots" } }, noEnv));
    expect(error.issues).toEqual([
      { path: "terminal.timeout", value: "soon", expected: "a duration such as 30s, 5m, 1h or 500ms (a bare number is seconds)" },
      { path: "terminal.container_memory", value: "lots", expected: "a size such as 512m, 2g or 1.5GiB (a bare number is megabytes)" },
      { path: "terminal.backend", value: "dokker", expected: expect.stringMatching(/^one of local, docker, ssh/) },
    ]);
    expect(error.message).toMatch(/terminal\.timeout: got "soon"; expected a duration/);
  });
});

describe("loadConfig: the multi-backend dialect", () => {
  const seed = {
    backend: {
      default: "local",
      backends: {
        local: { type: "local", sandbox_root: "/tmp/hermes-sandbox", max_memory_mb: "1g" },
        docker: { type: "docker", image: "python:3.11-slim", memory_limit: "512m", cap_add: ["CHOWN"] },
        "ssh-home": { type: "ssh", host: "my-server.com", user: "hermes", key: "~/.ssh/hermes_only", timeout: "10s" },
        modal: { type: "modal", app: "hermes-tasks", cpu: 4, memory_mb: 8192 },
      },
      routing: {
        rules: [
          { match: { task: "data_processing", size_gt_mb: 500 }, backend: "modal" },
          { match: { cron_triggered: true, time_window: "01:00-06:00" }, backend: "ssh-home" },
        ],
        fallback: ["docker", "local"],
      },
    },
  };

  it("normalises named instances, routing and fallback", async () => {
    const config = await loadConfig(seed, noEnv);
    expect(config.dialect).toBe("backend");
    expect(config.defaultBackend).toBe("local");
    expect(config.backends.local?.options).toEqual({ sandboxRoot: "/tmp/hermes-sandbox", maxMemoryMb: 1024 });
    expect(config.backends.docker?.options).toEqual({ image: "python:3.11-slim", memoryMb: 512, capAdd: ["CHOWN"] });
    expect(config.backends["ssh-home"]?.options).toEqual({
      host: "my-server.com",
      user: "hermes",
      key: "~/.ssh/hermes_only",
      connectTimeoutMs: 10_000,
    });
    expect(config.routing.rules[0]).toEqual({ match: { task: "data_processing", sizeGtMb: 500 }, backend: "modal" });
    expect(config.routing.fallback).toEqual(["docker", "local"]);
    // modal's package is not installed here: its keys are kept unchecked, and a warning says which package to add.
    expect(config.backends.modal?.options).toEqual({ app: "hermes-tasks", cpu: 4, memoryMb: 8192 });
    expect(config.warnings).toEqual([
      expect.stringMatching(
        /^backend\.backends\.modal: backend type "modal" needs the package @hermes\/backend-cloud, .*npm install @hermes\/backend-cloud/,
      ),
    ]);
  });

  it("keeps a type whose package is not installed unchecked apart from the common keys, and names the package", async () => {
    const config = await loadConfig(
      { backend: { backends: { box: { type: "modal", snapshot: "s1", whatever_key: [1], keep_warm: "1m" } } } },
      noEnv,
    );
    expect(config.backends.box).toEqual({ type: "modal", options: { snapshot: "s1", whateverKey: [1], keepWarmMs: 60_000 } });
    expect(config.warnings).toEqual([
      expect.stringMatching(/backend\.backends\.box: .*@hermes\/backend-cloud.*only its common keys are checked/),
    ]);
    const error = await configError(loadConfig({ backend: { backends: { box: { type: "modal", command_timeout: "soon" } } } }, noEnv));
    expect(error.issues).toEqual([
      { path: "backend.backends.box.command_timeout", value: "soon", expected: expect.stringMatching(/^a duration such as 30s/) },
    ]);
  });

  it("refuses unknown keys, suggesting the one that was meant", async () => {
    const input = { backend: { backends: { box: { type: "docker", imgae: "x" } } } };
    const error = await configError(loadConfig(input, noEnv));
    expect(error.issues[0]).toMatchObject({ path: "backend.backends.box.imgae", value: "x" });
    expect(error.issues[0]?.expected).toMatch(/^no such key \(did you mean "image"\?\); known keys here: type, cwd/);
  });

  it("refuses routing, fallback and default that name no configured backend", async () => {
    const input = structuredClone(seed);
    input.backend.default = "nowhere";
    input.backend.routing.rules[0] = { match: { task: "x", size_gt_mb: 1 }, backend: "modall" };
    input.backend.routing.fallback = ["docker", "gpu"];
    const error = await configError(loadConfig(input, noEnv));
    expect(error.issues.map((issue) => issue.path)).toEqual([
      "backend.default",
      "backend.routing.rules.0.backend",
      "backend.routing.fallback.1",
    ]);
    expect(error.issues[0]?.expected).toBe("the name of a configured backend (local, docker, ssh-home, modal)");
  });

  it("checks types, enums and time windows", async () => {
    const input = {
      backend: {
        default: "a",
        backends: { a: { type: "dockr" }, b: { type: "local", max_memory_mb: -5 } },
        routing: { rules: [{ match: { time_window: "25:00-06:00" }, backend: "a" }] },
      },
    };
    const error = await configError(loadConfig(input, noEnv));
    expect(error.issues).toEqual([
      { path: "backend.backends.a.type", value: "dockr", expected: expect.stringMatching(/^one of "local", "docker"/) },
      {
        path: "backend.routing.rules.0.match.time_window",
        value: "25:00-06:00",
        expected: expect.stringMatching(/window such as "01:00-06:00"/),
      },
    ]);
    const second = await configError(loadConfig({ backend: { backends: { b: { type: "local", max_memory_mb: -5 } } } }, noEnv));
    expect(second.issues[0]).toMatchObject({ path: "backend.backends.b.max_memory_mb", value: -5 });
  });

  it("uses the first backend listed when several are configured and no default is set, and says so", async () => {
    const config = await loadConfig({ backend: { backends: { b: { type: "local" }, a: { type: "local" } } } }, noEnv);
    expect(config.defaultBackend).toBe("b");
    expect(config.warnings).toEqual([expect.stringContaining('backend.default is not set: calls without a routing match use "b"')]);
  });
});

describe("loadConfig: files", () => {
  it("reads YAML from a path and reports the file in errors", async () => {
    const file = join(dir, "hermes.yaml");
    await writeFile(file, "# my setup\nterminal:\n  backend: local\n  timeout: 30s\n");
    const config = await loadConfig(file, noEnv);
    expect(config).toMatchObject({ dialect: "terminal", file });
    await writeFile(file, "terminal:\n  timeout: [\n");
    const error = await configError(loadConfig(file, noEnv));
    expect(error.file).toBe(file);
    expect(error.message).toMatch(/valid YAML/);
    const missing = await configError(loadConfig(join(dir, "nope.yaml"), noEnv));
    expect(missing.message).toMatch(/a readable YAML file \(ENOENT\)/);
  });

  it("finds $HERMES_CONFIG, then ./hermes.yaml, then ~/.hermes/config.yaml, else the local backend", async () => {
    const home = join(dir, "home");
    const project = join(dir, "project");
    await mkdir(join(home, ".hermes"), { recursive: true });
    await mkdir(project, { recursive: true });
    expect(await loadConfig(undefined, { env: {}, cwd: project, home })).toMatchObject({ dialect: "none", defaultBackend: "local" });
    await writeFile(join(home, ".hermes", "config.yaml"), "model: gpt\nterminal:\n  backend: ssh\n");
    expect((await loadConfig(undefined, { env: {}, cwd: project, home })).defaultBackend).toBe("ssh");
    await writeFile(join(project, "hermes.yaml"), "terminal:\n  backend: docker\n");
    expect((await loadConfig(undefined, { env: {}, cwd: project, home })).defaultBackend).toBe("docker");
    await writeFile(join(dir, "explicit.yaml"), "terminal:\n  backend: modal\n");
    expect((await loadConfig(undefined, { env: { HERMES_CONFIG: join(dir, "explicit.yaml") }, cwd: project, home })).defaultBackend).toBe(
      "modal",
    );
  });

  it("falls back to local, with a warning, for a file with neither section", async () => {
    const file = join(dir, "other.yaml");
    await writeFile(file, "model:\n  name: x\n");
    const config = await loadConfig(file, noEnv);
    expect(config).toMatchObject({ dialect: "none", defaultBackend: "local" });
    expect(config.warnings[0]).toMatch(/has no terminal: or backend: section/);
  });
});
