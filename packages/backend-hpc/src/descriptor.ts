import {
  type BackendDescriptor,
  backendOptionsSchema,
  type CommonBackendOptions,
  duration,
  port,
  renamedOptions,
  sizeMb,
  text,
  textList,
} from "@hermes/core";
import { z } from "zod";
import { singularity } from "./hpc-backend.js";

/** The login node of a cluster, reached with the ssh backend's connection (its keys and known_hosts). */
export interface ClusterLogin {
  host: string;
  user?: string;
  port?: number;
  key?: string;
  knownHostsFile?: string;
}

export interface HpcBackendOptions extends CommonBackendOptions {
  /** A `.sif` file, a sandbox directory or `docker://...` (Apptainer, Singularity); a directory image (Charliecloud). */
  image?: string;
  /** Default: the first of `apptainer`, `singularity` found on the PATH. */
  runtime?: "apptainer" | "singularity" | "charliecloud";
  /** Use Slurm (also implied by `partition` or `slurmJobTemplate`). */
  slurm?: boolean;
  partition?: string;
  /** `#SBATCH` lines for the allocation, as in a job script. */
  slurmJobTemplate?: string;
  /** GPUs: `true` (one), a count, or `type:count`. */
  gpu?: boolean | number | string;
  clusterLogin?: ClusterLogin;
  /** `host:container[:ro]` bind mounts. */
  binds?: string[];
  cpu?: number;
  memoryMb?: number;
  /** Keep the writable layer (an overlay, or Charliecloud's workspace) in the scratch dir across environments. */
  persistent?: boolean;
  /** Where writable layers and images are kept. Default TERMINAL_SCRATCH_DIR, else /scratch/$USER/hermes-agent, else $TMPDIR. */
  scratchDir?: string;
  /** Variables of the host passed into the container by name (Apptainer's clean environment drops the rest). */
  envPassthrough?: string[];
  /** Longest wait for the allocation in Slurm's queue. Default 10 minutes. */
  maxQueueWaitMs?: number;
}

const clusterLogin = z.union([
  text.transform((value, context) => {
    const match = /^(?:([^@\s]+)@)?([^:@\s]+)(?::(\d+))?$/.exec(value);
    if (!match) {
      context.addIssue({ code: "custom", message: "user@host or user@host:port" });
      return z.NEVER;
    }
    const [, user, host, portText] = match;
    return { host: host as string, ...(user && { user }), ...(portText && { port: Number(portText) }) } satisfies ClusterLogin;
  }),
  z
    .strictObject({ host: text, user: text.optional(), port: port.optional(), key: text.optional(), known_hosts: text.optional() })
    .transform(
      ({ known_hosts, ...rest }) => ({ ...rest, ...(known_hosts !== undefined && { knownHostsFile: known_hosts }) }) as ClusterLogin,
    ),
]);

/** Hermes `terminal:` keys -> options. */
const terminalOptions: Record<string, keyof HpcBackendOptions & string> = {
  singularity_image: "image",
  container_cpu: "cpu",
  container_memory: "memoryMb",
  container_persistent: "persistent",
  scratch_dir: "scratchDir",
  env_passthrough: "envPassthrough",
};

/** The singularity backend, as core's configuration, pricing, routing and policy see it. */
export const descriptor: BackendDescriptor<HpcBackendOptions> = {
  type: "singularity",
  factory: singularity,
  options: backendOptionsSchema<HpcBackendOptions>(
    {
      image: text.optional(),
      runtime: z.enum(["apptainer", "singularity", "charliecloud"]).optional(),
      slurm: z.boolean().optional(),
      partition: text.optional(),
      slurm_job_template: z.string().optional(),
      gpu: z.union([z.boolean(), z.number().int().positive(), text]).optional(),
      cluster_login: clusterLogin.optional(),
      binds: textList.optional(),
      container_cpu: z.number().positive().optional(),
      container_memory: sizeMb.optional(),
      container_persistent: z.boolean().optional(),
      scratch_dir: text.optional(),
      env_passthrough: textList.optional(),
      max_queue_wait: duration.optional(),
    },
    { container_cpu: "cpu", container_memory: "memoryMb", container_persistent: "persistent", max_queue_wait: "maxQueueWaitMs" },
  ),
  terminal: {
    keys: {
      singularity_image: "text",
      container_cpu: "number",
      container_memory: "size",
      container_persistent: "boolean",
      scratch_dir: "text",
      env_passthrough: "list",
    },
    options: renamedOptions<HpcBackendOptions>(terminalOptions),
    ignoreHostCwd: true,
  },
  isolation: "namespace",
  prices: { cpuHourUsd: 0, memoryGibHourUsd: 0, source: "your own cluster" },
  resources: (options) => ({
    ...(options.cpu !== undefined && { cpus: options.cpu }),
    ...(options.memoryMb !== undefined && { memoryMb: options.memoryMb }),
  }),
  // Paths are the container's.
  policy: { paths: "remote" },
};
