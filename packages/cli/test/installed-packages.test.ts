import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const packagesDir = fileURLToPath(new URL("../../", import.meta.url));

let project: string;

/**
 * Every package as a user gets it: packed (`pnpm pack`, which turns workspace versions into real ones),
 * installed with plain npm into an empty project outside the workspace, and used from there.
 */
beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "hermes-installed-"));
  const tarballs = join(project, "tarballs");
  const names = (await readdir(packagesDir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  for (const name of names) {
    await run("pnpm", ["pack", "--pack-destination", tarballs], { cwd: join(packagesDir, name) });
  }
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  const files = (await readdir(tarballs)).map((file) => join(tarballs, file));
  expect(files.length).toBe(names.length);
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...files], { cwd: project, timeout: 240_000 });
}, 300_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe("the packages, installed with npm outside the workspace", () => {
  it("run a command through createEnv on the local backend, and every backend package loads", async () => {
    const script = `
      import { createEnv } from "@hermes/core";
      for (const name of ["@hermes/backend-local", "@hermes/backend-docker", "@hermes/backend-ssh", "@hermes/backend-hpc", "@hermes/testkit"]) await import(name);
      const env = await createEnv({ config: {} });
      const result = await env.exec("cd /tmp && export GREETING=installed && echo $GREETING from $PWD");
      await env.dispose();
      console.log(JSON.stringify({ type: env.type, stdout: result.stdout, exitCode: result.exitCode }));
    `;
    await writeFile(join(project, "app.mjs"), script);
    const { stdout } = await run(process.execPath, ["app.mjs"], {
      cwd: project,
      env: { ...process.env, HERMES_HOME: join(project, ".hermes") },
    });
    expect(JSON.parse(stdout)).toEqual({ type: "local", stdout: "installed from /tmp\n", exitCode: 0 });
  }, 60_000);

  it("give a backend written outside the project, with only start and dispose, sessions, timeouts, aborts, spawn, files and a clean dispose", async () => {
    // What a newcomer writes from core's README: processes on this machine, nothing else.
    const script = `
      import { spawn } from "node:child_process";
      import { readdirSync, readFileSync } from "node:fs";
      import { createEnv } from "@hermes/core";
      const backend = {
        type: "mine",
        create: async () => ({
          start: async (spec) => {
            const child = spawn(spec.argv[0], spec.argv.slice(1), { cwd: spec.cwd, env: { PATH: process.env.PATH, HOME: process.cwd(), ...spec.env }, stdio: [spec.stdin, "pipe", "pipe"], detached: true });
            const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
            await new Promise((resolve, reject) => child.once("spawn", resolve).once("error", reject));
            return { pid: child.pid, stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, wait: () => exited };
          },
          dispose: async () => {},
        }),
      };
      const marker = "hermes-outside-" + process.pid;
      // A bash that waits in a sleep, with the marker in its command line for the count below.
      const sleeper = (seconds) => "bash -c 'sleep " + seconds + "; true' " + marker;
      const running = () => readdirSync("/proc").filter((pid) => /^[0-9]+$/.test(pid)).filter((pid) => {
        try { return readFileSync("/proc/" + pid + "/cmdline", "utf8").includes(marker); } catch { return false; }
      }).length;
      const env = await createEnv({ backend, config: {} });
      const report = {};
      report.session = (await env.exec("cd /tmp && export GREETING=kept") , await env.exec("echo $GREETING $PWD")).stdout;
      const timedOut = await env.exec(sleeper(300) + " & " + sleeper(301) + "; echo never", { timeoutMs: 500 }).catch((error) => error);
      report.timeout = { timedOut: timedOut.timedOut, left: running() };
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      report.abort = await env.exec(sleeper(302), { signal: controller.signal }).then(() => "finished", (error) => error.code);
      report.afterAbort = (await env.exec("echo $GREETING")).stdout;
      const handle = await env.spawn(sleeper(303) + "; echo done");
      await handle.kill();
      report.spawn = { signal: (await handle.wait()).signal, left: running() };
      await env.files.write("notes/a.bin", new Uint8Array([0, 255, 10, 13]));
      report.files = { read: [...(await env.files.read("notes/a.bin"))], missing: await env.files.read("notes/none"), list: (await env.files.list("notes")).map((entry) => entry.name) };
      await env.spawn(sleeper(304));
      await env.exec("nohup " + sleeper(305) + " >/dev/null 2>&1 &");
      // Both run (a bash may still be about to exec the next, so it is counted as it settles; up to 10 s on a loaded CI machine).
      for (let tries = 0; tries < 200 && running() < 2; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
      report.beforeDispose = running() >= 2;
      await env.dispose();
      report.afterDispose = running();
      console.log(JSON.stringify(report));
    `;
    await writeFile(join(project, "outside-backend.mjs"), script);
    const { stdout } = await run(process.execPath, ["outside-backend.mjs"], {
      cwd: project,
      env: { ...process.env, HERMES_HOME: join(project, ".hermes") },
    });
    expect(JSON.parse(stdout)).toEqual({
      session: "kept /tmp\n",
      timeout: { timedOut: true, left: 0 },
      abort: "ABORTED",
      afterAbort: "kept\n",
      spawn: { signal: "SIGTERM", left: 0 },
      files: { read: [0, 255, 10, 13], missing: null, list: ["a.bin"] },
      beforeDispose: true,
      afterDispose: 0,
    });
  }, 60_000);

  it("install the hermes-env bin", async () => {
    const { stdout } = await run(join(project, "node_modules", ".bin", "hermes-env"), ["exec", "--", "echo from-the-bin"], {
      cwd: project,
      env: { ...process.env, HERMES_HOME: join(project, ".hermes") },
    });
    expect(stdout).toBe("from-the-bin\n");
  }, 60_000);
});
