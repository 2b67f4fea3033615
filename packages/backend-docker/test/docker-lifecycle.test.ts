import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { BackendUnavailableError, ConfigError, createEnv } from "@hermes/core";
import { expect, it } from "vitest";
import { docker } from "../src/index.js";
import { containersOf, describeWithEngine, engine, testImage } from "./docker-test-support.js";

const run = promisify(execFile);
// The built hermes-env, as a user runs it (`pnpm test` builds first).
const cli = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));

describeWithEngine("docker backend: lifecycle", () => {
  it("dispose removes a non-persistent container and its anonymous volume", async () => {
    const env = await createEnv({ backend: docker({ image: testImage, network: "none" }) });
    await env.exec("echo data > /workspace/file");
    const [info] = await containersOf(env.id);
    const volumes = (await engine.getContainer(info?.Id ?? "").inspect()).Mounts.filter((mount) => mount.Type === "volume");
    expect(volumes).toHaveLength(1);
    await env.dispose();
    expect(await containersOf(env.id)).toEqual([]);
    await expect(engine.getVolume(volumes[0]?.Name ?? "").inspect()).rejects.toMatchObject({ statusCode: 404 });
  }, 60_000);

  it("a persistent container keeps its files, and a later environment with the same name reattaches", async () => {
    const name = `hermes-test-persistent-${process.pid}`;
    try {
      const first = await createEnv({ backend: docker({ image: testImage, network: "none", persistent: true, name }) });
      await first.exec("echo kept > /workspace/note; echo root-layer > /root/note");
      await first.dispose();
      const second = await createEnv({ backend: docker({ image: testImage, network: "none", persistent: true, name }) });
      expect((await second.exec("cat /workspace/note /root/note")).stdout).toBe("kept\nroot-layer\n");
      await second.dispose();
    } finally {
      await engine
        .getContainer(name)
        .remove({ force: true, v: true })
        .catch(() => {});
    }
  }, 60_000);

  it("hermes-env backend reap removes what a process killed with SIGKILL left behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hermes-reap-"));
    try {
      const config = join(dir, "hermes.yaml");
      await writeFile(config, `backend:\n  default: box\n  backends:\n    box: { type: docker, image: "${testImage}", network: none }\n`);
      const script = fileURLToPath(new URL("./fixtures/leave-container.mjs", import.meta.url));
      const child = spawn(process.execPath, [script, config], { stdio: ["ignore", "pipe", "inherit"] });
      const environmentId = await new Promise<string>((resolve) => child.stdout.once("data", (chunk) => resolve(String(chunk).trim())));
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
      expect(await containersOf(environmentId)).toHaveLength(1);
      const { stdout } = await run(process.execPath, [cli, "backend", "reap", "--config", config]);
      expect(stdout).toContain(`box: removed docker container hermes-${environmentId.slice(0, 12)}`);
      expect(await containersOf(environmentId)).toEqual([]);
      expect((await run(process.execPath, [cli, "backend", "reap", "--config", config])).stdout).toContain("nothing left behind");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("names the image and the registry when a pull fails", async () => {
    const env = await createEnv({ backend: docker({ image: "registry.invalid/hermes/none:1" }) });
    const error = await env.exec("true").catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/registry\.invalid\/hermes\/none:1 from registry\.invalid/);
    await env.dispose();
  }, 60_000);

  it("refuses capabilities that reach past the container", () => {
    expect(() => docker({ capAdd: ["SYS_ADMIN"] })).toThrow(ConfigError);
    expect(() => docker({ capAdd: ["CHOWN", "cap_setuid"] })).not.toThrow();
  });
});
