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
      for (const name of ["@hermes/backend-local", "@hermes/backend-docker", "@hermes/backend-ssh", "@hermes/testkit"]) await import(name);
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

  it("install the hermes-env bin", async () => {
    const { stdout } = await run(join(project, "node_modules", ".bin", "hermes-env"), ["exec", "--", "echo from-the-bin"], {
      cwd: project,
      env: { ...process.env, HERMES_HOME: join(project, ".hermes") },
    });
    expect(stdout).toBe("from-the-bin\n");
  }, 60_000);
});
