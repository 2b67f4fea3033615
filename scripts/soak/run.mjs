// `pnpm soak`: 100,000 commands through one local environment and 1 GiB of output through one command,
// with this process's memory and open descriptors sampled; fails when either grows. SOAK_COMMANDS and
// SOAK_OUTPUT_MB change the sizes. (`@hermes/testkit/soak`, which loads no vitest). A smaller run of the same is in `pnpm test`
// (packages/backend-local/test/soak.test.ts, packages/backend-docker/test/docker-load.test.ts).

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { local } from "@hermes/backend-local";
import { createEnv } from "@hermes/core";
import { containerMemoryMb, load, soak } from "@hermes/testkit/soak";

const commands = Number(process.env.SOAK_COMMANDS ?? 100_000);
const outputBytes = Number(process.env.SOAK_OUTPUT_MB ?? 1024) * 2 ** 20;
const env = await createEnv({ backend: local(), usage: false });
try {
  console.log(`soak: ${commands} commands through one local environment, then ${outputBytes / 2 ** 20} MiB through one command`);
  const report = await soak(env, { commands, outputBytes });
  const row = (label, sample) =>
    `  ${label.padEnd(28)} rss ${sample.rssMb.toFixed(1).padStart(7)} MB  heap ${sample.heapMb.toFixed(1).padStart(6)} MB  fds ${sample.fds}`;
  console.log(`  ${report.commandsPerSecond.toFixed(0)} commands/s`);
  console.log(row(`after ${report.start.commands} commands`, report.start));
  console.log(row(`after ${report.end.commands} commands`, report.end));
  const { streamed } = report;
  console.log(
    `  streamed ${(streamed.bytes / 2 ** 20).toFixed(0)} MiB in ${streamed.seconds.toFixed(1)} s (${(streamed.bytes / 2 ** 20 / streamed.seconds).toFixed(0)} MiB/s); rss ${streamed.rssBeforeMb.toFixed(0)} MB before, ${streamed.rssPeakMb.toFixed(0)} MB at most`,
  );
  const problems = [];
  if (report.end.fds > report.start.fds + 2) problems.push(`open descriptors grew from ${report.start.fds} to ${report.end.fds}`);
  if (report.end.rssMb > report.start.rssMb + 64)
    problems.push(`memory grew from ${report.start.rssMb.toFixed(0)} to ${report.end.rssMb.toFixed(0)} MB`);
  if (streamed.rssPeakMb > streamed.rssBeforeMb + 256) problems.push(`streaming took memory up to ${streamed.rssPeakMb.toFixed(0)} MB`);
  if (problems.length > 0) {
    console.error(`soak: ${problems.join("; ")}`);
    process.exitCode = 1;
  } else console.log("soak: flat");
} finally {
  await env.dispose();
}

// Load: many environments at once on every backend whose service runs here, first each backend's own,
// then the same mix through the router (one multi-backend configuration, each environment's task picking
// its backend). Local environments work in a directory of their own, removed at the end.
const scratch = mkdtempSync(join(tmpdir(), "hermes-load-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
const engine = new (await import("dockerode")).default();
const haveDocker = await engine.ping().then(
  () => true,
  () => false,
);
if (!haveDocker) console.log("load: no Docker engine, docker skipped (scripts/services/docker.sh)");
const haveSsh = existsSync("/var/lib/hermes-sshd/id_ed25519");
if (!haveSsh) console.log("load: no test sshd, ssh skipped (scripts/services/sshd.sh)");
const dockerOptions = { image: "hermes-test:bash", network: "none" };
const sshOptions = { host: "127.0.0.1", port: 2222, user: "hermes", key: "/var/lib/hermes-sshd/id_ed25519" };
const knownHosts = "/var/lib/hermes-sshd/known_hosts";
const memoryOutsideMb = (ids) => containerMemoryMb(engine, ids);

const { docker } = await import("@hermes/backend-docker");
const { ssh } = await import("@hermes/backend-ssh");
const direct = [{ name: "local", count: 100, create: () => createEnv({ backend: local({ cwd: scratch }), usage: false }) }];
if (haveDocker)
  direct.push({ name: "docker", count: 50, create: () => createEnv({ backend: docker(dockerOptions), usage: false }), memoryOutsideMb });
if (haveSsh)
  direct.push({
    name: "ssh",
    count: 50,
    create: () => createEnv({ backend: ssh({ ...sshOptions, knownHostsFile: knownHosts }), usage: false }),
  });

const config = {
  backend: {
    default: "host",
    backends: {
      host: { type: "local", cwd: scratch },
      ...(haveDocker && { container: { type: "docker", ...dockerOptions } }),
      ...(haveSsh && { remote: { type: "ssh", ...sshOptions, known_hosts: knownHosts } }),
    },
    routing: {
      rules: [
        ...(haveDocker ? [{ match: { task: "build" }, backend: "container" }] : []),
        ...(haveSsh ? [{ match: { task: "remote" }, backend: "remote" }] : []),
      ],
    },
  },
};
const routed = (name, count, kind) => ({ name, count, task: { kind }, create: () => createEnv({ config, usage: false }) });
const throughRouter = [routed("routed local", 100, "chat")];
if (haveDocker) throughRouter.push({ ...routed("routed docker", 50, "build"), memoryOutsideMb });
if (haveSsh) throughRouter.push(routed("routed ssh", 50, "remote"));

const rounds = Number(process.env.LOAD_COMMANDS ?? 20);
for (const [label, groups] of [
  ["each backend's own", direct],
  ["through the router, one configuration", throughRouter],
]) {
  console.log(
    `\nload, ${label}: ${groups.map((group) => `${group.count} ${group.name}`).join(", ")} environments at once, ${rounds} rounds each`,
  );
  const report = await load(groups, { commandsPerEnvironment: rounds });
  console.log(
    `  ${report.environments} environments, ${report.commands} commands in ${report.seconds.toFixed(1)} s: ${report.commandsPerSecond.toFixed(0)} commands/s`,
  );
  const outside = Object.entries(report.outsideMbPerIdleEnvironment).map(([name, mb]) => `, ${name} container ${mb.toFixed(2)} MB`);
  console.log(
    `  per command: p50 ${report.p50Ms.toFixed(1)} ms, p99 ${report.p99Ms.toFixed(1)} ms; memory per idle environment: host ${report.hostMbPerIdleEnvironment.toFixed(2)} MB${outside.join("")}`,
  );
  console.log(
    `  descriptors ${report.fds.before} before, ${report.fds.after} after; processes ${report.processes.before} before, ${report.processes.after} after`,
  );
  if (report.failures.length > 0) {
    console.error(`load: ${report.failures.length} failures, the first: ${report.failures.slice(0, 3).join(" | ")}`);
    process.exitCode = 1;
  } else console.log("load: every output matched its command");
}
