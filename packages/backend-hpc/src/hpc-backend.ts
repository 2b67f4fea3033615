import {
  type Backend,
  type BackendContext,
  type BackendInstance,
  ConfigError,
  type ConfigIssue,
  forwardedVariables,
  type ProcessSpec,
  type RawProcess,
} from "@hermes/core";
import { apptainerRuntime, apptainerScratch } from "./apptainer-runtime.js";
import { charliecloudRuntime, charliecloudScratch } from "./charliecloud-runtime.js";
import { openClusterHost } from "./cluster-host.js";
import { probeCluster } from "./cluster-probe.js";
import { resolveImage } from "./container-image.js";
import type { ContainerRuntime, RuntimeSettings } from "./container-runtime.js";
import type { HpcBackendOptions } from "./descriptor.js";
import { hostScript } from "./host-program.js";
import { hpcHealth } from "./hpc-health.js";
import { startAnchor } from "./namespace-anchor.js";
import { reapJobs } from "./reap-jobs.js";
import { SlurmAllocation } from "./slurm-allocation.js";

/** Hermes's default image for container backends; Singularity takes it as docker://. */
const defaultImage = "docker://nikolaik/python-nodejs:python3.11-nodejs20";
const defaultMaxQueueWaitMs = 10 * 60_000;

/**
 * Commands in an Apptainer, SingularityCE or Charliecloud container on an HPC cluster: directly on the
 * host, or inside one Slurm allocation per environment (the session's bash a job step), on this machine or
 * through the cluster's login node over ssh. Does no I/O until an environment starts.
 */
export function singularity(options: HpcBackendOptions = {}): Backend {
  checkOptions(options);
  return {
    type: "singularity",
    capabilities: { isolation: "namespace", network: "host", gpu: options.gpu !== undefined && options.gpu !== false },
    create: (context) => createHpcInstance(options, context),
    health: () => hpcHealth(options, usesSlurm(options)),
    reap: (reapOptions) => reapJobs(options, reapOptions),
  };
}

function usesSlurm(options: HpcBackendOptions): boolean {
  return options.slurm ?? (options.partition !== undefined || options.slurmJobTemplate !== undefined);
}

async function createHpcInstance(options: HpcBackendOptions, context: BackendContext): Promise<BackendInstance> {
  const host = await openClusterHost(options, context);
  const where = options.clusterLogin ? `the login node ${options.clusterLogin.host}` : "this machine";
  // What has been made so far, undone in reverse order at dispose, or at once when a later step fails.
  const made: Array<() => Promise<void> | void> = [() => host.dispose()];
  const undo = async () => {
    for (const step of made.splice(0).reverse()) await Promise.resolve(step()).catch(() => {});
  };
  try {
    const probe = await probeCluster(host, options, where);
    const persistent = options.persistent ?? false;
    const name = `hermes-${persistent ? context.backendName : context.environmentId.slice(0, 12)}`;
    const scratch = `${probe.scratchDir}/${name}`;
    const layers = probe.runtime === "charliecloud" ? charliecloudScratch : apptainerScratch(persistent);
    await hostScript(host, 'mkdir -p "$@"', [scratch, ...layers.map((layer) => `${scratch}/${layer}`)]);
    if (!persistent) made.push(async () => void (await hostScript(host, 'rm -rf -- "$1"', [scratch])));
    const image = await resolveImage(host, probe.runtime, options.image ?? defaultImage, probe.scratchDir, context);
    const settings: RuntimeSettings = {
      image,
      binds: options.binds ?? [],
      scratch,
      persistent,
      gpu: options.gpu !== undefined && options.gpu !== false,
      cpu: options.cpu,
      memoryMb: options.memoryMb,
      name: name.replace(/[^A-Za-z0-9_-]/g, "_"),
      user: probe.user,
    };
    const runtime = probe.runtime === "charliecloud" ? charliecloudRuntime(settings) : apptainerRuntime(probe.runtime, settings);
    const allocation = usesSlurm(options) ? await allocate(host, options, context, runtime, scratch) : undefined;
    if (allocation) made.push(() => allocation.cancel());
    else if (runtime.setup) {
      await runSetup(host, runtime.setup, context.backendName);
      const teardown = runtime.teardown;
      if (teardown) made.push(async () => void (await hostScript(host, '"$@"', teardown)));
    }
    // Under Slurm every process is a step of the allocation.
    const placed = (argv: readonly string[]) => (allocation ? allocation.step(argv) : [...argv]);
    if (runtime.anchor) {
      const env = { USER: probe.user, HERMES_OWNER: context.labels["hermes.owner"] ?? "" };
      const anchor = await startAnchor((spec) => host.start(spec), placed(runtime.anchor.argv), env, context.backendName);
      made.push(() => anchor.close());
      runtime.anchor.joined(anchor.pid);
    }
    // Passed explicitly: Apptainer's clean environment would drop what the host passes.
    const given = { ...forwardedVariables(options.envPassthrough, "env_passthrough", context.warn), ...options.env };
    const start = (spec: ProcessSpec): Promise<RawProcess> => {
      const process = runtime.process({ ...spec, env: { ...given, ...spec.env } });
      return host.start({ argv: placed(process.argv), env: process.env, stdin: spec.stdin });
    };
    return {
      ...(probe.runtime === "charliecloud" && { defaultCwd: "/workspace" }),
      // srun's I/O from the step holds a second small message back until srun sends something.
      ...(allocation && { nudgeAcks: true }),
      start,
      dispose: undo,
    };
  } catch (error) {
    await undo();
    throw error;
  }
}

function allocate(
  host: BackendInstance,
  options: HpcBackendOptions,
  context: BackendContext,
  runtime: ContainerRuntime,
  scratch: string,
): Promise<SlurmAllocation> {
  return SlurmAllocation.request({
    host,
    backendName: context.backendName,
    jobName: `hermes-${context.environmentId.slice(0, 12)}`,
    labels: { ...context.labels, "hermes.backend": context.backendName },
    partition: options.partition,
    template: options.slurmJobTemplate,
    gres: gresOf(options.gpu),
    cpu: options.cpu,
    memoryMb: options.memoryMb,
    outputFile: `${scratch}/slurm-%j.out`,
    setup: runtime.setup,
    maxQueueWaitMs: options.maxQueueWaitMs ?? defaultMaxQueueWaitMs,
    progress: (message) => context.progress(message),
  });
}

async function runSetup(host: BackendInstance, setup: readonly string[], backendName: string): Promise<void> {
  const result = await hostScript(host, '"$@"', setup);
  if (result.code !== 0) {
    throw new ConfigError({
      issues: [
        {
          path: "image",
          value: setup.at(-2),
          expected: `an image ${setup[0]} can start (${result.stderr.trim() || `exit ${result.code}`}; backend ${backendName})`,
        },
      ],
    });
  }
}

/** `gpu: true` is one GPU; `2` two; `a100:2` two of that type. */
function gresOf(gpu: HpcBackendOptions["gpu"]): string | undefined {
  if (gpu === undefined || gpu === false) return undefined;
  if (gpu === true) return "gpu:1";
  return `gpu:${gpu}`;
}

function checkOptions(options: HpcBackendOptions): void {
  const issues: ConfigIssue[] = [];
  if (options.runtime === "charliecloud") {
    if (options.image === undefined)
      issues.push({ path: "image", value: undefined, expected: "a Charliecloud image directory on the cluster host" });
    for (const bind of options.binds ?? []) {
      if (bind.endsWith(":ro")) issues.push({ path: "binds", value: bind, expected: "a read-write bind (ch-run cannot bind read-only)" });
    }
  }
  for (const bind of options.binds ?? []) {
    if (!/^\/[^:]*(:\/[^:]*)?(:(ro|rw))?$/.test(bind))
      issues.push({ path: "binds", value: bind, expected: "host:container[:ro] with absolute paths" });
  }
  if (options.maxQueueWaitMs !== undefined && !(options.maxQueueWaitMs > 0))
    issues.push({ path: "max_queue_wait", value: options.maxQueueWaitMs, expected: "a positive duration such as 10m" });
  if (issues.length > 0) throw new ConfigError({ issues });
}
