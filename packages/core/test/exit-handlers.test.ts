import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanupAll, createEnv } from "@hermes/core";
import { hostProcessAlive } from "@hermes/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/leave-environment-open.mjs", import.meta.url));
let usageDir: string;
beforeAll(async () => {
  usageDir = await mkdtemp(join(tmpdir(), "hermes-usage-"));
});
afterAll(async () => {
  await rm(usageDir, { recursive: true, force: true });
});

/** Runs the fixture; resolves with the background pid it printed, and how it ended. */
function runFixture(mode: "wait" | "return", signal?: NodeJS.Signals) {
  const child = spawn(process.execPath, [fixture, mode, usageDir], { stdio: ["ignore", "pipe", "inherit"] });
  const pid = new Promise<number>((resolve) => child.stdout.once("data", (chunk: Buffer) => resolve(Number(String(chunk).trim()))));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, by) => resolve({ code, signal: by })),
  );
  return { pid, ended, kill: () => child.kill(signal) };
}

describe("process exit handlers", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "dispose everything on %s, then end the process as the signal would",
    async (signal) => {
      const run = runFixture("wait", signal);
      const background = await run.pid;
      expect(await hostProcessAlive(background)).toBe(true);
      run.kill();
      expect(await run.ended).toEqual({ code: null, signal });
      expect(await hostProcessAlive(background)).toBe(false);
    },
    30_000,
  );

  it("dispose what a script forgot when its event loop empties, and let it exit", async () => {
    const run = runFixture("return");
    const background = await run.pid;
    expect(await run.ended).toEqual({ code: 0, signal: null });
    expect(await hostProcessAlive(background)).toBe(false);
  }, 30_000);

  it("cleanupAll disposes every open environment", async () => {
    const first = await createEnv({ config: {}, usage: usageDir });
    const second = await createEnv({ config: {}, usage: usageDir });
    const pids = await Promise.all(
      [first, second].map(async (env) => Number((await env.exec("sleep 300 >/dev/null 2>&1 & echo $!")).stdout)),
    );
    await cleanupAll();
    expect((await first.status()).state).toBe("disposed");
    expect((await second.status()).state).toBe("disposed");
    for (const pid of pids) expect(await hostProcessAlive(pid)).toBe(false);
  });
});
