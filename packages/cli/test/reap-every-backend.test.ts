import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describeWithService, hostProcessAlive } from "@hermes/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { sshDir, testServerConfig } from "../../backend-ssh/test/ssh-test-support.js";

const run = promisify(execFile);
const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const core = fileURLToPath(new URL("../../core/dist/index.js", import.meta.url));
const chImage = process.env.HERMES_CH_IMAGE ?? "/var/tmp/hermes-images/hermes-bb";

/** One configuration with every backend that runs here for real (the cloud ones have their own reap tests against their fakes). */
const config = {
  backend: {
    default: "local",
    backends: {
      local: { type: "local" },
      docker: { type: "docker", image: "hermes-test:bash", network: "none" },
      ssh: testServerConfig(),
      hpc: { type: "singularity", runtime: "charliecloud", image: chImage, partition: "debug" },
    },
  },
};

async function missing(): Promise<string | undefined> {
  const probes: Array<[string, () => Promise<unknown>]> = [
    ["a Docker engine (scripts/services/docker.sh)", () => run("docker", ["image", "inspect", "hermes-test:bash"])],
    ["the test sshd (scripts/services/sshd.sh)", async () => existsSync(`${sshDir}/id_ed25519`) || Promise.reject()],
    ["Slurm (scripts/services/slurm.sh)", () => run("sinfo", ["-h"])],
    ["charliecloud (scripts/services/charliecloud.sh)", async () => existsSync(`${chImage}/bin/bash`) || Promise.reject()],
  ];
  for (const [what, probe] of probes)
    if (
      !(await probe().then(
        () => true,
        () => false,
      ))
    )
      return `no ${what}`;
  return undefined;
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "hermes-reap-all-"));
});
afterAll(() => rm(work, { recursive: true, force: true }));

describeWithService("hermes-env backend reap after a kill -9 of a process holding every backend", await missing(), () => {
  it("removes what it left on each backend (process, container, remote process, Slurm job), and nothing else", async () => {
    const file = join(work, "config.json");
    await writeFile(file, JSON.stringify(config));
    const script = join(work, "hold-everything.mjs");
    // Exit handlers stay on: SIGKILL skips them anyway, as a crash would.
    await writeFile(
      script,
      `import { createEnv } from ${JSON.stringify(core)};\n` +
        `const left = {};\n` +
        `await Promise.all(${JSON.stringify(Object.keys(config.backend.backends))}.map(async (name) => {\n` +
        `  const env = await createEnv({ config: ${JSON.stringify(file)}, backend: name, usage: false });\n` +
        `  left[name] = Number((await env.exec("nohup sleep 300 >/dev/null 2>&1 & echo $!")).stdout);\n` +
        `}));\n` +
        `console.log(JSON.stringify(left));\n` +
        `setInterval(() => {}, 60_000);\n`,
    );
    const owner = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
    const [line] = (await once(owner.stdout, "data")) as [Buffer];
    const left = JSON.parse(String(line)) as Record<"local" | "docker" | "ssh" | "hpc", number>;
    const ownerLabel = `${hostname()}/${owner.pid}`;
    const containers = async () => (await run("docker", ["ps", "-aq", "--filter", `label=hermes.owner=${ownerLabel}`])).stdout.trim();
    const jobs = async () => (await run("squeue", ["-h", "-o", "%i %k"])).stdout.split("\n").filter((row) => row.includes(ownerLabel));
    owner.kill("SIGKILL");
    await once(owner, "exit");
    try {
      // Everything is still there: the local and ssh processes (the ssh server is this machine), the container, the job.
      expect(await hostProcessAlive(left.local)).toBe(true);
      expect(await hostProcessAlive(left.ssh)).toBe(true);
      expect(await containers()).not.toBe("");
      expect(await jobs()).toHaveLength(1);
      const reap = await run(process.execPath, [main, "backend", "reap", "--config", file]);
      expect(reap.stdout).toMatch(/^docker: removed docker container hermes-\w+$/m);
      expect(reap.stdout).toMatch(/^hpc: removed Slurm job \d+ /m);
      // The ssh server is this machine, so the remote process is a local one of the dead owner too: the
      // reaper that looks first removes it, the other finds nothing. Either way: one line each, four in all.
      expect(reap.stdout).toMatch(new RegExp(`^(local|ssh): removed .*process ${left.local} `, "m"));
      expect(reap.stdout).toMatch(new RegExp(`^(local|ssh): removed .*process ${left.ssh} `, "m"));
      expect(reap.stdout).toContain("4 resources removed");
      expect(await hostProcessAlive(left.local)).toBe(false);
      expect(await hostProcessAlive(left.ssh)).toBe(false);
      expect(await containers()).toBe("");
      expect(await jobs()).toEqual([]);
      expect((await run(process.execPath, [main, "backend", "reap", "--config", file])).stdout).toContain("nothing left behind");
    } finally {
      const ids = await containers().catch(() => "");
      if (ids) await run("docker", ["rm", "-f", ...ids.split("\n")]).catch(() => {});
      for (const row of await jobs().catch(() => [])) await run("scancel", [row.split(" ")[0] as string]).catch(() => {});
    }
  }, 120_000);
});
