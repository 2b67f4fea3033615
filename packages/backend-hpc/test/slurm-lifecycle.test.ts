import { execFile, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { BackendUnavailableError, ConfigError, createEnv } from "@hermes/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { singularity } from "../src/index.js";
import { charliecloudOptions, describeWithSlurm, testImage } from "./hpc-test-support.js";

const run = promisify(execFile);
const repository = fileURLToPath(new URL("../../../", import.meta.url));

async function slurm(command: string, ...args: string[]): Promise<string> {
  return (await run(command, args)).stdout.trim();
}

/** Host processes whose environment carries `HERMES_ENV_ID=id`. */
async function processesOf(id: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, "latin1").catch(() => "");
    const state = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    if (environ.split("\0").includes(`HERMES_ENV_ID=${id}`) && !/\) Z /.test(state)) found.push(Number(entry));
  }
  return found;
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "hermes-hpc-lifecycle-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describeWithSlurm("singularity backend through Slurm: the job's life", () => {
  it("holds one job in the configured partition with the template's limits while it lives, and leaves no job, step or process", async () => {
    const template = "#SBATCH --time=00:07:00\n#SBATCH --comment=overridden";
    const env = await createEnv({
      backend: singularity(charliecloudOptions({ partition: "short", slurmJobTemplate: template })),
      usage: false,
    });
    const progress: string[] = [];
    env.on("progress", (event) => progress.push(event.message));
    await env.exec("nohup sleep 300 >/dev/null 2>&1 &");
    const name = `hermes-${env.id.slice(0, 12)}`;
    const [jobId, partition, state] = (await slurm("squeue", "-h", "-n", name, "-o", "%i %P %T")).split(" ");
    expect({ partition, state }).toEqual({ partition: "short", state: "RUNNING" });
    const job = await slurm("scontrol", "show", "job", "-o", jobId as string);
    expect(job).toContain("TimeLimit=00:07:00");
    expect(job).toMatch(/Comment=hermes\.owner=\S+ hermes\.env-id=/);
    expect(await slurm("squeue", "-h", "-s", "-j", jobId as string, "-o", "%i")).not.toBe("");
    expect(progress.some((message) => message.startsWith(`Slurm job ${jobId} is`))).toBe(true);
    expect((await processesOf(env.id)).length).toBeGreaterThan(0);
    await env.dispose();
    expect(await slurm("squeue", "-h", "-j", jobId as string, "-o", "%T")).toBe("");
    expect(await slurm("squeue", "-h", "-s", "-j", jobId as string, "-o", "%i")).toBe("");
    expect(await processesOf(env.id)).toEqual([]);
  }, 60_000);

  it("runs commands longer than srun's 1 KiB stdin messages byte for byte, multibyte text split across pieces included", async () => {
    await using env = await createEnv({ backend: singularity(charliecloudOptions({ partition: "debug" })), usage: false });
    const text = "é".repeat(1500) + "-end";
    const result = await env.exec(`cd /tmp && export LONG='${text}' && printf '%s' "$LONG"`);
    expect(result).toMatchObject({ exitCode: 0, stdout: text });
    // The image has no UTF-8 locale: bash counts bytes (1500 two-byte characters and "-end").
    expect((await env.exec('printf "%s %s" "${#LONG}" "$PWD"')).stdout).toBe("3004 /tmp");
  }, 60_000);

  it("is cancelled by hermes-env backend reap after the process that made it was killed with SIGKILL", async () => {
    const config = join(work, "hpc.yaml");
    await writeFile(
      config,
      `backend:\n  backends:\n    hpc: { type: singularity, runtime: charliecloud, image: ${testImage}, partition: debug }\n`,
    );
    const core = fileURLToPath(new URL("../../core/dist/index.js", import.meta.url));
    const script = join(work, "crash.mjs");
    await writeFile(
      script,
      `import { createEnv } from ${JSON.stringify(core)};\n` +
        `const env = await createEnv({ config: ${JSON.stringify(config)}, usage: false });\n` +
        'await env.exec("nohup sleep 300 >/dev/null 2>&1 &");\n' +
        "console.log(env.id);\n" +
        "setInterval(() => {}, 60_000);\n",
    );
    const owner = spawn(process.execPath, [script], { cwd: repository, stdio: ["ignore", "pipe", "inherit"] });
    const id = await new Promise<string>((resolve) => owner.stdout.once("data", (chunk: Buffer) => resolve(String(chunk).trim())));
    const name = `hermes-${id.slice(0, 12)}`;
    owner.kill("SIGKILL");
    await new Promise((resolve) => owner.once("exit", resolve));
    expect(await slurm("squeue", "-h", "-n", name, "-o", "%T")).toBe("RUNNING");
    const cli = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
    const reaped = await run(process.execPath, [cli, "backend", "reap", "--config", config], { cwd: repository });
    expect(reaped.stdout).toMatch(/hpc: removed Slurm job \d+ on this machine/);
    for (let tries = 0; tries < 50 && (await slurm("squeue", "-h", "-n", name, "-o", "%T")) !== ""; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await slurm("squeue", "-h", "-n", name, "-o", "%T")).toBe("");
    expect(await processesOf(id)).toEqual([]);
  }, 60_000);

  it("names the key to fix: an unknown partition, a template Slurm refuses, GPUs the cluster lacks, a missing image, a missing runtime", async () => {
    const attempt = (options: Parameters<typeof singularity>[0]) =>
      createEnv({ backend: singularity(options), usage: false }).then((env) => env.start().finally(() => env.dispose()));
    const partition = await attempt(charliecloudOptions({ partition: "nope" })).catch((error: unknown) => error);
    expect(ConfigError.isInstance(partition) && partition.issues[0]).toMatchObject({
      path: "partition",
      value: "nope",
      expected: expect.stringContaining("Slurm: sbatch: error: invalid partition specified: nope"),
    });
    const template = await attempt(charliecloudOptions({ slurmJobTemplate: "#SBATCH --time=banana" })).catch((error: unknown) => error);
    expect(ConfigError.isInstance(template) && template.issues[0]).toMatchObject({
      path: "slurm_job_template",
      expected: expect.stringContaining("Slurm: sbatch: error: Invalid --time specification"),
    });
    const gpu = await attempt(charliecloudOptions({ partition: "debug", gpu: 1 })).catch((error: unknown) => error);
    expect(ConfigError.isInstance(gpu) && gpu.issues[0]).toMatchObject({
      path: "gpu",
      value: "gpu:1",
      expected: expect.stringContaining("Invalid generic resource (gres) specification"),
    });
    const image = await attempt(charliecloudOptions({ image: "/no/such/image" })).catch((error: unknown) => error);
    expect(ConfigError.isInstance(image) && image.issues[0]).toMatchObject({ path: "image", value: "/no/such/image" });
    const runtime = await attempt({ runtime: "apptainer", image: "x.sif" }).catch((error: unknown) => error);
    expect(ConfigError.isInstance(runtime) && runtime.issues[0]).toMatchObject({
      path: "runtime",
      value: "apptainer",
      expected: expect.stringContaining("apptainer is not on its PATH"),
    });
  }, 60_000);

  it("leaves no job when the container cannot start in the allocation", async () => {
    const broken = await mkdtemp(join(tmpdir(), "hermes-empty-image-"));
    try {
      const env = await createEnv({ backend: singularity(charliecloudOptions({ image: broken, partition: "debug" })), usage: false });
      const error = await env.start().catch((reason: unknown) => reason);
      await env.dispose();
      expect(BackendUnavailableError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain("the container did not start");
      expect(await slurm("squeue", "-h", "-n", `hermes-${env.id.slice(0, 12)}`, "-o", "%T")).toBe("");
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  }, 60_000);

  it("is listed by hermes-env backend status with the runtime and the partition's queue state", async () => {
    const config = join(work, "status.yaml");
    await writeFile(
      config,
      `backend:\n  backends:\n    hpc: { type: apptainer, runtime: charliecloud, image: ${testImage}, partition: short }\n`,
    );
    const cli = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
    const status = await run(process.execPath, [cli, "backend", "status", "--config", config, "--json"], { cwd: repository });
    expect(JSON.parse(status.stdout)).toMatchObject([
      {
        backend: "hpc",
        type: "singularity",
        status: "ready",
        reason: expect.stringMatching(/^charliecloud; short up \d+ (idle|mix|alloc); pending \d+ jobs$/),
      },
    ]);
  }, 60_000);

  it("says why a job waits in the queue, and gives up after max_queue_wait with Slurm's reason", async () => {
    // Both CPUs of the node are taken, so the environment's job waits for resources.
    const blocker = await slurm("sbatch", "--parsable", "-p", "debug", "-c", "2", "-o", "/dev/null", "--wrap", "sleep 120");
    try {
      for (let tries = 0; tries < 50 && (await slurm("squeue", "-h", "-j", blocker, "-o", "%T")) !== "RUNNING"; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const env = await createEnv({
        backend: singularity(charliecloudOptions({ partition: "debug", maxQueueWaitMs: 2500 })),
        usage: false,
      });
      const progress: string[] = [];
      env.on("progress", (event) => progress.push(event.message));
      const error = await env.start().catch((reason: unknown) => reason);
      await env.dispose();
      expect(BackendUnavailableError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/waited more than 3s in the queue \((Resources|Priority)\); raise max_queue_wait/);
      expect(progress.some((message) => /is pending: (Resources|Priority)/.test(message))).toBe(true);
      expect(await slurm("squeue", "-h", "-n", `hermes-${env.id.slice(0, 12)}`, "-o", "%T")).toBe("");
    } finally {
      await run("scancel", [blocker]);
    }
  }, 60_000);
});
