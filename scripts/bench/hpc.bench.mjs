// The singularity backend through Slurm against what a job script without a session does: one
// `srun --jobid JOB --overlap ch-run IMAGE -- bash -c CMD` step per command, in the same allocation, same run;
// and allocation to the first result against `srun -p PARTITION ch-run IMAGE -- true` (an allocation and
// one step). The floor is a bare bash read loop over one step's stdin and stdout (the transport the session
// uses, with no protocol). Charliecloud on the test image (scripts/services/charliecloud.sh, slurm.sh).
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { singularity } from "@hermes/backend-hpc";
import { createEnv } from "@hermes/core";
import { printFloorRatios, printTimings, rawLoop, rawRoundTrips, sampleInterleaved } from "./measure.mjs";

const run = promisify(execFile);
const image = process.env.HERMES_CH_IMAGE ?? "/var/tmp/hermes-images/hermes-bb";
const partition = "debug";
const env0 = { ...process.env, USER: process.env.USER ?? "root" };

export async function benchHpc({ iterations }) {
  const missing = !existsSync(`${image}/bin/bash`) ? `no image at ${image}` : await slurmMissing();
  if (missing) {
    if (process.env.CI === "true") throw new Error(`CI=true but ${missing}`);
    console.log(`\nhpc: skipped (${missing}); run scripts/services/charliecloud.sh and slurm.sh`);
    return;
  }
  const env = await createEnv({ backend: singularity({ runtime: "charliecloud", image, partition }), usage: false });
  try {
    await env.start();
    const job = (await run("squeue", ["-h", "-n", `hermes-${env.id.slice(0, 12)}`, "-o", "%i"])).stdout.trim();
    const inJob = ["--jobid", job, "--overlap", "-N1", "-n1", "-Q", "-Q", "ch-run", image, "--"];
    const step = [...inJob, "bash", "-c", "true"];
    const loop = spawn("srun", [...inJob, "bash", "--noprofile", "--norc", "-c", rawLoop], { env: env0 });
    const raw = rawRoundTrips({ stdin: loop.stdin, stdout: loop.stdout });
    await raw("true");
    const perCommand = Math.max(30, Math.round(iterations / 5));
    const rows = {
      "raw bash loop, one step (floor)": () => raw("true"),
      "env.exec (session)": () => env.exec("true"),
      "srun step per command": () => run("srun", step, { env: env0 }),
    };
    const samples = await sampleInterleaved(
      rows,
      // A step's teardown goes on after srun returns: each block starts on a settled node.
      { iterations: perCommand, warmup: 3, block: 10, settleMs: 300 },
    );
    printTimings(
      `hpc: per-command overhead of \`true\` in one Slurm allocation (${perCommand} runs each)`,
      samples,
      "srun step per command",
    );
    await printFloorRatios("hpc: against the floor, one job step's stdin and stdout with no protocol", {
      rows,
      samples,
      floor: "raw bash loop, one step (floor)",
      count: perCommand,
    });
    loop.stdin.end();
    await new Promise((resolve) => loop.once("close", resolve));

    const coldRuns = 5;
    const cold = { "srun -p PARTITION ch-run true": [], "createEnv to first exec result": [] };
    for (let i = 0; i < coldRuns; i++) {
      let begin = performance.now();
      await run("srun", ["-p", partition, "-N1", "-n1", "-Q", "ch-run", image, "--", "true"], { env: env0 });
      cold["srun -p PARTITION ch-run true"].push(performance.now() - begin);
      begin = performance.now();
      const fresh = await createEnv({ backend: singularity({ runtime: "charliecloud", image, partition }), usage: false });
      await fresh.exec("true");
      cold["createEnv to first exec result"].push(performance.now() - begin);
      await fresh.dispose();
    }
    printTimings(`hpc: allocation to the first result (${coldRuns} runs each)`, cold, "srun -p PARTITION ch-run true");
  } finally {
    await env.dispose();
  }
}

async function slurmMissing() {
  try {
    await run("sinfo", ["-h"]);
    return undefined;
  } catch {
    return "no Slurm answers sinfo";
  }
}
