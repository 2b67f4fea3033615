import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BudgetExceededError, createEnv, type ExecutionEnvironment, UsageStore } from "@hermes/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// Modal stands for a type whose package is not installed (see modal-not-installed.ts).
vi.mock("../src/config/backend-packages.js", async (original) =>
  (await import("./modal-not-installed.js")).modalNotInstalled(await original()),
);

let usageDir: string;
beforeEach(async () => {
  usageDir = await mkdtemp(join(tmpdir(), "hermes-usage-"));
});
afterEach(async () => {
  await rm(usageDir, { recursive: true, force: true });
});

/** Two local instances and a docker engine that is not there, routed like the seed. */
function config(extra: Record<string, unknown> = {}) {
  return {
    backend: {
      default: "local",
      backends: {
        local: { type: "local" },
        scratch: { type: "local" },
        docker: { type: "docker", image: "python:3.11-slim", host: "unix:///nonexistent/docker.sock" },
      },
      routing: {
        rules: [
          { match: { task: "test", language: "python" }, backend: "docker" },
          { match: { task: "scratch" }, backend: "scratch" },
        ],
        fallback: ["docker", "local"],
      },
      ...extra,
    },
  };
}

function events(env: ExecutionEnvironment, name: "fallback" | "route" | "expired" | "warning") {
  const seen: unknown[] = [];
  env.on(name, (event: unknown) => seen.push(event));
  return seen;
}

describe("a routed environment", () => {
  it("sends each call to the backend its task routes to, each keeping its own session", async () => {
    await using env = await createEnv({ config: config(), usage: usageDir });
    const routes = events(env, "route");
    await env.exec("cd /tmp && export WHERE=default");
    await env.exec("cd / && export WHERE=scratch", { task: { kind: "scratch" } });
    const main = await env.exec('echo "$WHERE $PWD"');
    const scratch = await env.exec('echo "$WHERE $PWD"', { task: { kind: "scratch" } });
    expect([main.stdout, main.backend]).toEqual(["default /tmp\n", "local"]);
    expect([scratch.stdout, scratch.backend]).toEqual(["scratch /\n", "scratch"]);
    expect(routes).toContainEqual(expect.objectContaining({ backend: "scratch", rule: 1 }));
  });

  it("falls back as configured when docker is unavailable, and says why and that it is less isolated", async () => {
    await using env = await createEnv({ config: config(), usage: usageDir });
    const fallbacks = events(env, "fallback");
    const warnings = events(env, "warning");
    const result = await env.exec("echo ran", { task: { kind: "test", language: "python" } });
    expect([result.stdout, result.backend]).toEqual(["ran\n", "local"]);
    expect(fallbacks).toEqual([
      expect.objectContaining({
        from: "docker",
        to: "local",
        lessIsolated: true,
        reason: expect.stringMatching(/docker.*unavailable.*nonexistent/i),
      }),
    ]);
    expect(warnings).toContainEqual(
      expect.objectContaining({ code: "BACKEND_FALLBACK", message: expect.stringContaining("LESS ISOLATED") }),
    );
  });

  it("with no fallback configured, fails with a typed error that names the backend and why, and runs nothing locally", async () => {
    const marker = join(usageDir, "ran-here");
    const { fallback: _, ...routing } = config().backend.routing;
    await using env = await createEnv({ config: { backend: { ...config().backend, routing } }, usage: usageDir });
    const fallbacks = events(env, "fallback");
    const error = await env.exec(`touch ${marker}`, { task: { kind: "test", language: "python" } }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "BACKEND_UNAVAILABLE", backend: "docker", retryable: true });
    expect((error as Error).message).toMatch(/docker.*unavailable.*nonexistent/is);
    expect(fallbacks).toEqual([]);
    await expect(access(marker)).rejects.toMatchObject({ code: "ENOENT" });
    // The default backend still serves calls that do not route to docker.
    expect((await env.exec("echo here")).backend).toBe("local");
  });

  it("does not fall back when the failure is not one a retry could fix", async () => {
    const env = await createEnv({
      config: {
        backend: {
          default: "local",
          backends: { local: { type: "local" }, cloud: { type: "modal" } },
          routing: { rules: [{ match: { task: "big" }, backend: "cloud" }], fallback: ["local"] },
        },
      },
      usage: usageDir,
    });
    const fallbacks = events(env, "fallback");
    await expect(env.exec("true", { task: { kind: "big" } })).rejects.toMatchObject({ code: "BACKEND_NOT_INSTALLED" });
    expect(fallbacks).toEqual([]);
    await env.dispose();
  });

  it("disposes an idle backend environment after its lifetime, but not while a background process runs", async () => {
    await using env = await createEnv({ config: config(), usage: usageDir, lifetimeMs: 300 });
    const expired = events(env, "expired");
    await env.exec("cd /tmp");
    const background = await env.spawn("sleep 1");
    await sleep(700);
    expect(expired).toEqual([]);
    await background.wait();
    await sleep(700);
    expect(expired).toEqual([{ backend: "local", idleMs: 300 }]);
    // The next call starts a new environment: a new session, in the default directory.
    expect((await env.exec("pwd")).stdout).not.toBe("/tmp\n");
  });

  it("keeps a backend with keep_warm alive that long after use, whatever the lifetime", async () => {
    const withKeepWarm = config();
    (withKeepWarm.backend.backends.scratch as Record<string, unknown>).keep_warm = "0.3s";
    await using env = await createEnv({ config: withKeepWarm, usage: usageDir, lifetimeMs: 60_000 });
    const expired = events(env, "expired");
    await env.exec("true");
    await env.exec("true", { task: { kind: "scratch" } });
    await sleep(800);
    expect(expired).toEqual([{ backend: "scratch", idleMs: 300 }]);
  });

  it("records commands and busy seconds per backend, adding up across environments", async () => {
    for (let i = 0; i < 2; i++) {
      await using env = await createEnv({ config: config(), usage: usageDir });
      await env.exec("sleep 0.2");
      await env.exec("true", { task: { kind: "scratch" } });
    }
    const totals = await new UsageStore(usageDir).today();
    expect(totals.get("local")).toMatchObject({ commands: 2 });
    expect(totals.get("local")?.busySeconds).toBeGreaterThanOrEqual(0.4);
    expect(totals.get("scratch")).toMatchObject({ commands: 2 });
    expect(totals.get("scratch")?.lastUse).toBeInstanceOf(Date);
  });

  it("stops the running command once the run's estimated cost passes budget_per_run_usd, and refuses later ones", async () => {
    const costly = config();
    // One dollar per second, so the budget is reached in 1.5 s.
    Object.assign(costly.backend.backends.local, { price_per_hour_usd: 3600, budget_per_run_usd: 1.5 });
    await using env = await createEnv({ config: costly, usage: usageDir });
    const error = await env.exec("echo started; sleep 30").catch((caught: unknown) => caught);
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    expect((error as BudgetExceededError).result?.stdout).toBe("started\n");
    expect((error as BudgetExceededError).costUsd).toBeGreaterThanOrEqual(1.5);
    const refused = await env.exec("echo never").catch((caught: unknown) => caught);
    expect(BudgetExceededError.isInstance(refused)).toBe(true);
    // The other backend has no budget and still works; the cost was recorded.
    expect((await env.exec("echo fine", { task: { kind: "scratch" } })).stdout).toBe("fine\n");
    await env.dispose();
    expect((await new UsageStore(usageDir).today()).get("local")?.costUsd).toBeGreaterThanOrEqual(1.5);
  }, 30_000);
});
