import {
  type BackendDescriptor,
  backendOptionsSchema,
  type CommonBackendOptions,
  duration,
  renamedOptions,
  sizeMb,
  text,
} from "@hermes/core";
import { z } from "zod";
import { sandboxKeyRenames, sandboxKeys } from "../sandbox-keys.js";
import { vercelSandbox } from "./vercel-backend.js";

export interface VercelBackendOptions extends CommonBackendOptions {
  /** Default `VERCEL_TOKEN`; with `teamId` and `projectId`, else `VERCEL_OIDC_TOKEN` carries all three. */
  token?: string;
  /** Default `VERCEL_TEAM_ID`. */
  teamId?: string;
  /** Default `VERCEL_PROJECT_ID`. */
  projectId?: string;
  /** Another server in place of `https://vercel.com/api` (the SDK has no such option: its requests are rewritten). */
  apiUrl?: string;
  /** A Vercel-managed runtime (`node24`, `node22`, `python3.13`); else `image`, else Vercel's default image. */
  runtime?: string;
  image?: string;
  /** Default Vercel's (`iad1`). */
  region?: string;
  /** The sandbox's lifetime (Vercel stops it then). Default 30 minutes. */
  timeoutMs?: number;
  /** vCPUs; Vercel gives 2048 MB of memory per vCPU. */
  cpu?: number;
  /** Raises `cpu` to the vCPUs that give this much memory, with a warning. */
  memoryMb?: number;
  /** Keep the sandbox's files after dispose (Vercel snapshots a persistent sandbox when it stops) and resume it next time. */
  persistent?: boolean;
  /** Sandbox name; default `hermes-<environment id>` (`hermes-<instance name>` when persistent). */
  name?: string;
  /** Longest wait for a sandbox to be created or resumed. Default 60 s. */
  createTimeoutMs?: number;
  /** Longest wait at dispose for the sandbox to be deleted (or, when persistent, stopped); then a warning. Default 10 s. */
  disposeTimeoutMs?: number;
}

/** Hermes `terminal:` keys -> options. */
const terminalOptions: Record<string, keyof VercelBackendOptions & string> = {
  container_cpu: "cpu",
  container_memory: "memoryMb",
};

/** The vercel-sandbox backend, as core's configuration, pricing, routing and policy see it. */
export const descriptor: BackendDescriptor<VercelBackendOptions> = {
  type: "vercel-sandbox",
  factory: vercelSandbox,
  options: backendOptionsSchema<VercelBackendOptions>(
    {
      token: text.optional(),
      team_id: text.optional(),
      project_id: text.optional(),
      api_url: z.url().optional(),
      runtime: text.optional(),
      image: text.optional(),
      region: text.optional(),
      timeout: duration.optional(),
      cpu: z.number().int().positive().optional(),
      memory: sizeMb.optional(),
      ...sandboxKeys,
    },
    {
      timeout: "timeoutMs",
      memory: "memoryMb",
      ...sandboxKeyRenames,
    },
  ),
  terminal: {
    keys: { container_cpu: "number", container_memory: "size" },
    options: renamedOptions<VercelBackendOptions>(terminalOptions),
    ignoreHostCwd: true,
  },
  isolation: "microvm",
  // Vercel's Pro rates (vercel.com/docs/vercel-sandbox/pricing): active CPU per hour, provisioned memory per GB-hour.
  // Vercel bills CPU only while it is busy, so the estimate (every vCPU, all the time) is an upper bound.
  prices: { cpuHourUsd: 0.128, memoryGibHourUsd: 0.0106, source: "vercel.com/docs/vercel-sandbox/pricing" },
  resources: (options) => {
    const cpus = vercelCpus(options);
    return { cpus, memoryMb: cpus * memoryPerCpuMb };
  },
  policy: { paths: "remote" },
};

/** Vercel's fixed memory per vCPU. */
export const memoryPerCpuMb = 2048;

/** The vCPUs a sandbox gets: `cpu` (default 1), raised to cover `memoryMb`. */
export function vercelCpus(options: VercelBackendOptions): number {
  const cpu = Math.ceil(options.cpu ?? 1);
  return Math.max(cpu, Math.ceil((options.memoryMb ?? 0) / memoryPerCpuMb));
}
