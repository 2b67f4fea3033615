import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEnv } from "@hermes/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { singularity } from "../src/index.js";

// Apptainer cannot be installed here: these tests run the backend against a stand-in that records the
// command lines it is given and acts them out on the host (fake-apptainer.sh). They check what the backend
// asks of Apptainer and how it caches images, not Apptainer itself.
let work: string;
let log: string;
const savedPath = process.env.PATH;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "hermes-apptainer-"));
  await mkdir(join(work, "bin"));
  await copyFile(fileURLToPath(new URL("fake-apptainer.sh", import.meta.url)), join(work, "bin", "apptainer"));
  await import("node:fs/promises").then((fs) => fs.chmod(join(work, "bin", "apptainer"), 0o755));
  log = join(work, "calls.log");
  process.env.PATH = `${join(work, "bin")}:${savedPath}`;
  process.env.FAKE_APPTAINER_LOG = log;
  process.env.FAKE_APPTAINER_DIR = work;
  process.env.HERMES_TEST_PASSED = "from-the-host";
});
afterAll(async () => {
  process.env.PATH = savedPath;
  await rm(work, { recursive: true, force: true });
});

async function calls(): Promise<string[][]> {
  const text = await readFile(log, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split("\x1f"));
}

describe("singularity backend on Apptainer (a recording stand-in)", () => {
  it("starts one instance as Hermes does, with binds, GPUs and limits, and passes variables in explicitly", async () => {
    const scratchDir = join(work, "scratch");
    const env = await createEnv({
      backend: singularity({
        image: "docker://debian:12",
        binds: ["/tmp:/data:ro"],
        gpu: true,
        memoryMb: 512,
        cpu: 2,
        env: { FROM_CONFIG: "yes" },
        envPassthrough: ["HERMES_TEST_PASSED"],
        scratchDir,
      }),
      usage: false,
    });
    const result = await env.exec('echo "$FROM_CONFIG $HERMES_TEST_PASSED ${HERMES_ENV_ID:+tagged}"; cd /tmp && export KEPT=1');
    expect(result).toMatchObject({ exitCode: 0, stdout: "yes from-the-host tagged\n" });
    expect((await env.exec('echo "$KEPT $PWD"')).stdout).toBe("1 /tmp\n");
    const sif = (await readdir(join(scratchDir, "images"))).find((file) => file.endsWith(".sif"));
    expect(sif).toMatch(/^debian_12-[0-9a-f]{12}\.sif$/);
    const start = (await calls()).find((call) => call[1] === "instance" && call[2] === "start") as string[];
    const name = start.at(-1) as string;
    expect(start).toEqual([
      "apptainer",
      "instance",
      "start",
      "--containall",
      "--no-home",
      "--writable-tmpfs",
      "--bind",
      "/tmp:/data:ro",
      "--nv",
      "--memory",
      "512M",
      "--cpus",
      "2",
      join(scratchDir, "images", sif as string),
      name,
    ]);
    const exec = (await calls()).find((call) => call[1] === "exec") as string[];
    expect(exec.slice(0, 3)).toEqual(["apptainer", "exec", `instance://${name}`]);
    await env.dispose();
    expect((await calls()).at(-1)).toEqual(["apptainer", "instance", "stop", name]);
    await expect(stat(join(work, `instance-${name}`))).rejects.toThrow();
  });

  it("builds a docker:// image into the cache once for environments that start together", async () => {
    const scratchDir = join(work, "shared");
    const before = (await calls()).filter((call) => call[1] === "build").length;
    const envs = await Promise.all(
      [1, 2, 3].map(() => createEnv({ backend: singularity({ image: "docker://python:3.12", scratchDir }), usage: false })),
    );
    const outputs = await Promise.all(envs.map((env) => env.exec("echo up")));
    expect(outputs.map((output) => output.stdout)).toEqual(["up\n", "up\n", "up\n"]);
    expect((await calls()).filter((call) => call[1] === "build").length - before).toBe(1);
    await Promise.all(envs.map((env) => env.dispose()));
  });

  it("keeps a persistent environment's overlay in the scratch dir, and uses the reference itself when the build fails", async () => {
    const scratchDir = join(work, "persistent");
    process.env.FAKE_APPTAINER_BUILD_FAILS = "1";
    try {
      const env = await createEnv({ backend: singularity({ image: "docker://broken:1", persistent: true, scratchDir }), usage: false });
      const warnings: string[] = [];
      env.on("warning", (event) => warnings.push(`${event.code}: ${event.message}`));
      await env.exec("true");
      expect(warnings).toEqual([
        expect.stringMatching(/^HPC_IMAGE_BUILD_FAILED: could not build docker:\/\/broken:1 .*no registry reachable/),
      ]);
      const start = (await calls()).filter((call) => call[1] === "instance" && call[2] === "start").at(-1) as string[];
      expect(start.slice(3, 7)).toEqual(["--containall", "--no-home", "--overlay", join(scratchDir, `hermes-singularity`, "overlay")]);
      expect(start.at(-2)).toBe("docker://broken:1");
      await env.dispose();
      expect((await stat(join(scratchDir, "hermes-singularity", "overlay"))).isDirectory()).toBe(true);
    } finally {
      delete process.env.FAKE_APPTAINER_BUILD_FAILS;
    }
  });
});
