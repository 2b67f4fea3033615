import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { runCli } from "@hermes/cli";
import { BudgetExceededError, createEnv } from "@hermes/core";
import { describeWithService } from "@hermes/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startDaytonaFake, startModalFake, startVercelFake } from "../src/testing/index.js";
import { bubblewrapMissing } from "./bubblewrap-missing.js";

// Usage, cost, keep_warm and budgets on the cloud backends: core's bookkeeping over each backend's price table.
const apiKey = "usage-key";
const credentials = { token: "usage-token", teamId: "team_usage", projectId: "prj_usage" };
const daytonaFake = bubblewrapMissing ? undefined : await startDaytonaFake({ apiKey });
const vercelFake = bubblewrapMissing ? undefined : await startVercelFake(credentials);
const modalCredentials = { tokenId: "ak-usage", tokenSecret: "as-usage" };
const modalFake = bubblewrapMissing ? undefined : await startModalFake(modalCredentials);
let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "hermes-cloud-usage-"));
});
afterAll(async () => {
  await daytonaFake?.close();
  await vercelFake?.close();
  await modalFake?.close();
  await rm(home, { recursive: true, force: true });
});

/** Both vendors against their fakes, plus a Daytona instance with no key. */
function config(extra: Record<string, Record<string, unknown>> = {}) {
  return {
    backend: {
      default: "day",
      backends: {
        day: { type: "daytona", api_key: apiKey, api_url: daytonaFake?.apiUrl, ...extra.day },
        box: {
          type: "vercel-sandbox",
          token: credentials.token,
          team_id: credentials.teamId,
          project_id: credentials.projectId,
          api_url: vercelFake?.url,
          ...extra.box,
        },
        gpu: {
          type: "modal",
          token_id: modalCredentials.tokenId,
          token_secret: modalCredentials.tokenSecret,
          api_url: modalFake?.url,
          gpu: "T4",
          ...extra.gpu,
        },
        nokey: { type: "daytona", api_url: daytonaFake?.apiUrl },
      },
    },
  };
}

async function backendStatus(file: string) {
  let stdout = "";
  const io = {
    stdout: (text: string) => {
      stdout += text;
    },
    stderr: () => {},
    readStdin: async () => new Uint8Array(),
    env: { HERMES_HOME: home },
    cwd: home,
    home,
    onSignal: () => () => {},
  };
  expect(await runCli(["backend", "status", "--config", file, "--json"], io)).toBe(0);
  return JSON.parse(stdout) as Array<{
    backend: string;
    status: string;
    usageToday: { commands: number; busySeconds: number };
    costTodayUsd: number;
  }>;
}

describeWithService("cloud backends: usage and cost (GPUs too) in backend status, keep_warm, budget_per_run_usd", bubblewrapMissing, () => {
  it("records each backend's commands and its cost per second of the sandbox's life at its list prices", async () => {
    const file = join(home, "status.yaml");
    await writeFile(file, JSON.stringify(config()));
    const savedKey = process.env.DAYTONA_API_KEY;
    delete process.env.DAYTONA_API_KEY;
    try {
      const lived: Record<string, number> = {};
      for (const name of ["day", "box", "gpu"]) {
        const began = performance.now();
        const env = await createEnv({ config: file, backend: name, usage: join(home, "usage") });
        await env.exec("sleep 0.5");
        await env.exec("true");
        await env.dispose();
        lived[name] = (performance.now() - began) / 1000;
      }
      const rows = Object.fromEntries((await backendStatus(file)).map((row) => [row.backend, row]));
      // Daytona: 1 vCPU and 5 GiB (Hermes's defaults) at $0.0504 and $0.0162 an hour; Vercel: 1 vCPU with its 2 GiB at $0.128 and $0.0106;
      // Modal: 1 core and 5 GiB at $0.0472 and $0.008, and a T4 at $0.59.
      const perSecond = { day: (0.0504 + 5 * 0.0162) / 3600, box: (0.128 + 2 * 0.0106) / 3600, gpu: (0.0472 + 5 * 0.008 + 0.59) / 3600 };
      for (const name of ["day", "box", "gpu"] as const) {
        expect(rows[name]).toMatchObject({ status: "ready", usageToday: { commands: 2 } });
        expect(rows[name]?.usageToday.busySeconds).toBeGreaterThanOrEqual(0.5);
        expect(rows[name]?.costTodayUsd).toBeGreaterThanOrEqual(perSecond[name] * 0.5);
        expect(rows[name]?.costTodayUsd).toBeLessThanOrEqual(perSecond[name] * (lived[name] ?? 0));
      }
      expect(rows.nokey).toMatchObject({ status: "not configured", usageToday: { commands: 0 }, costTodayUsd: 0 });
    } finally {
      if (savedKey !== undefined) process.env.DAYTONA_API_KEY = savedKey;
    }
  });

  for (const [name, fake] of [
    ["box", vercelFake],
    ["gpu", modalFake],
  ] as const) {
    it(`keeps a sandbox through idle time shorter than keep_warm, ends it once keep_warm has passed, and makes a new one (${name})`, async () => {
      const env = await createEnv({ config: config({ [name]: { keep_warm: "1s" } }), backend: name, usage: false });
      await env.exec("echo first > /tmp/kept");
      const [sandbox] = fake?.sandboxNames() ?? [];
      await sleep(300);
      expect((await env.exec("cat /tmp/kept")).stdout).toBe("first\n");
      expect(fake?.sandboxNames()).toEqual([sandbox]);
      await expect.poll(() => fake?.sandboxNames(), { timeout: 5000 }).toEqual([]);
      expect((await env.exec("cat /tmp/kept 2>/dev/null || echo fresh")).stdout).toBe("fresh\n");
      expect(fake?.sandboxNames()).toHaveLength(1);
      expect(fake?.sandboxNames()).not.toEqual([sandbox]);
      await env.dispose();
      expect(fake?.sandboxNames()).toEqual([]);
    });
  }

  it("stops a command once the run's estimated cost passes budget_per_run_usd, at the list price", async () => {
    // About 2.4 s of a Daytona sandbox at Hermes's default size.
    const budget = ((0.0504 + 5 * 0.0162) / 3600) * 2.4;
    await using env = await createEnv({ config: config({ day: { budget_per_run_usd: budget } }), backend: "day", usage: false });
    const began = performance.now();
    const error = await env.exec("echo started; sleep 30").catch((caught: unknown) => caught);
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    expect((error as BudgetExceededError).result?.stdout).toBe("started\n");
    expect(performance.now() - began).toBeLessThan(15_000);
    expect(BudgetExceededError.isInstance(await env.exec("echo never").catch((caught: unknown) => caught))).toBe(true);
    await env.dispose();
    expect(daytonaFake?.sandboxNames()).toEqual([]);
  });
});
