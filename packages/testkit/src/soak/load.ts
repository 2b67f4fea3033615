import { readdirSync } from "node:fs";
import type { ExecutionEnvironment, TaskContext } from "@hermes/core";
import { sampleResources } from "./soak.js";

export interface LoadGroup {
  name: string;
  count: number;
  create(): Promise<ExecutionEnvironment>;
  /** The task every call carries: set for environments made over a multi-backend configuration, to route them. */
  task?: TaskContext;
  /** Memory in MB that these environments (by id) use outside this process once idle, e.g. their containers'. */
  memoryOutsideMb?(environmentIds: string[]): Promise<number>;
}

export interface LoadReport {
  environments: number;
  commands: number;
  seconds: number;
  commandsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** This process's memory per environment once all are started and idle. */
  hostMbPerIdleEnvironment: number;
  /** Per group that can tell (`memoryOutsideMb`): memory outside this process per idle environment, e.g. a container's. */
  outsideMbPerIdleEnvironment: Record<string, number>;
  /** This process's open descriptors and this machine's processes: before creating, and after disposing (given 10 s to settle). */
  fds: { before: number; after: number };
  processes: { before: number; after: number };
  failures: string[];
}

/**
 * Starts every group's environments at once, then runs `commandsPerEnvironment` rounds in each of them
 * concurrently (a command, a file written and read back, and a background process each round), checking
 * every result against what was sent: a command's output is its own, never another's. Disposes of all.
 */
export async function load(groups: LoadGroup[], options: { commandsPerEnvironment: number }): Promise<LoadReport> {
  const fdsBefore = sampleResources(0).fds;
  const processesBefore = countProcesses();
  const rssBefore = process.memoryUsage().rss;
  const failures: string[] = [];
  const made = await Promise.allSettled(
    groups.flatMap((group) =>
      Array.from({ length: group.count }, () =>
        group.create().then(async (env) => {
          // A routed environment's start() starts its default backend: the group's task starts its own.
          if (group.task) await env.exec(":", { task: group.task });
          else await env.start();
          return { env, group, id: (await routedTo(env, group.task)).id };
        }),
      ),
    ),
  );
  const envs = made.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
  for (const outcome of made) if (outcome.status === "rejected") failures.push(`create: ${(outcome.reason as Error).message}`);
  globalThis.gc?.();
  const hostMbPerIdleEnvironment = envs.length ? (process.memoryUsage().rss - rssBefore) / 2 ** 20 / envs.length : 0;
  const outsideMbPerIdleEnvironment: Record<string, number> = {};
  for (const group of groups) {
    const ids = envs.filter((made) => made.group === group).map((made) => made.id);
    if (group.memoryOutsideMb && ids.length > 0) outsideMbPerIdleEnvironment[group.name] = (await group.memoryOutsideMb(ids)) / ids.length;
  }

  const latencies: number[] = [];
  const began = performance.now();
  await Promise.all(
    envs.map(async ({ env, id, group: { name, task } }, index) => {
      const tag = `${name}-${index}`;
      try {
        for (let round = 0; round < options.commandsPerEnvironment; round++) {
          const start = performance.now();
          const result = await env.exec(`echo ${tag}-${round}; echo $HERMES_ENV_ID >&2`, task && { task });
          latencies.push(performance.now() - start);
          if (result.stdout !== `${tag}-${round}\n` || result.stderr !== `${id}\n`)
            throw new Error(`${tag}: command ${round} gave ${JSON.stringify(result.stdout)}`);
          if (round % 5 === 0) {
            await env.files.write(`load-${tag}-${round}.txt`, `${tag}/${round}`);
            const back = await env.files.readText(`load-${tag}-${round}.txt`);
            await env.files.remove(`load-${tag}-${round}.txt`);
            if (back !== `${tag}/${round}`) throw new Error(`${tag}: file ${round} read back ${JSON.stringify(back)}`);
            const background = await env.spawn(`echo bg-${tag}-${round}`, task && { task });
            const ended = await background.wait();
            if (ended.stdout !== `bg-${tag}-${round}\n`)
              throw new Error(`${tag}: background ${round} gave ${JSON.stringify(ended.stdout)}`);
          }
        }
      } catch (error) {
        failures.push(`${tag}: ${(error as Error).message}`);
      }
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  await Promise.all(envs.map(({ env }) => env.dispose().catch((error: Error) => failures.push(`dispose: ${error.message}`))));
  // Idle keep-alive connections (to a Docker engine, an ssh server) close a few seconds after their last
  // use, and containers' shims exit after them: "after" is taken once those have had 10 s to go.
  for (let waited = 0; waited < 10_000 && (sampleResources(0).fds > fdsBefore + 2 || countProcesses() > processesBefore + 2); waited += 250)
    await new Promise((resolve) => setTimeout(resolve, 250));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    environments: envs.length,
    commands: latencies.length,
    seconds,
    commandsPerSecond: latencies.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    hostMbPerIdleEnvironment,
    outsideMbPerIdleEnvironment,
    fds: { before: fdsBefore, after: sampleResources(0).fds },
    processes: { before: processesBefore, after: countProcesses() },
    failures,
  };
}

/** The environment a task's calls go to: in a routed environment, its backend's own (with an id of its own). */
async function routedTo(env: ExecutionEnvironment, task: TaskContext | undefined): Promise<ExecutionEnvironment> {
  const routed = env as ExecutionEnvironment & { environmentFor?(task: TaskContext): Promise<ExecutionEnvironment> };
  return task && routed.environmentFor ? routed.environmentFor(task) : env;
}

/** Processes on this machine (all of /proc's numeric entries). */
function countProcesses(): number {
  try {
    return readdirSync("/proc").filter((entry) => /^\d+$/.test(entry)).length;
  } catch {
    return -1;
  }
}
