import type { BackendInstanceConfig } from "../config/hermes-config.js";

/** Hourly rates of a backend type: per vCPU (or core, as the vendor bills) and per GiB of memory. */
export interface HourlyRates {
  cpuHourUsd: number;
  memoryGibHourUsd: number;
  /** Where the figures come from, for the docs and `backend status --json`. */
  source: string;
}

/**
 * Default rates per backend type. Cloud sandboxes bill for the time they exist, idle or not, by their CPU and
 * memory; these are the vendors' published list prices as of 2026 and can change: set `price_per_hour_usd`
 * on an instance to use your own. Machines you run yourself cost nothing here unless you say so.
 */
export const defaultRates: Record<string, HourlyRates> = {
  local: { cpuHourUsd: 0, memoryGibHourUsd: 0, source: "your own machine" },
  docker: { cpuHourUsd: 0, memoryGibHourUsd: 0, source: "your own engine" },
  ssh: { cpuHourUsd: 0, memoryGibHourUsd: 0, source: "your own server" },
  singularity: { cpuHourUsd: 0, memoryGibHourUsd: 0, source: "your own cluster" },
  modal: { cpuHourUsd: 0.0472, memoryGibHourUsd: 0.008, source: "modal.com/pricing: $0.0000131/core/s, $0.00000222/GiB/s" },
  daytona: { cpuHourUsd: 0.0504, memoryGibHourUsd: 0.0162, source: "daytona.io/pricing: $0.0504/vCPU-h, $0.0162/GiB-h" },
  "vercel-sandbox": {
    cpuHourUsd: 0.128,
    memoryGibHourUsd: 0.0212,
    source: "vercel.com/docs/vercel-sandbox/pricing: $0.128/CPU-h, $0.0212/GB-h",
  },
};

/** Hermes's defaults when an instance does not say: 1 CPU, 5120 MB. */
const defaultCpus = 1;
const defaultMemoryMb = 5120;

/** Estimated USD per hour an environment of this instance exists. */
export function hourlyPrice(instance: BackendInstanceConfig): number {
  const options = instance.options as { pricePerHourUsd?: number; cpus?: number; cpu?: number; vcpus?: number; memoryMb?: number };
  if (options.pricePerHourUsd !== undefined) return options.pricePerHourUsd;
  const rates = defaultRates[instance.type];
  if (!rates) return 0;
  const cpus = options.cpus ?? options.cpu ?? options.vcpus ?? defaultCpus;
  const memoryGib = (options.memoryMb ?? defaultMemoryMb) / 1024;
  return cpus * rates.cpuHourUsd + memoryGib * rates.memoryGibHourUsd;
}
