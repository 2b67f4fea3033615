import type { BackendDescriptor, CommonBackendOptions } from "../types/backend-descriptor.js";

/** Hermes's defaults when an instance does not say: 1 CPU, 5120 MB. */
const defaultCpus = 1;
const defaultMemoryMb = 5120;

/**
 * Estimated USD per hour an environment of this instance exists: `price_per_hour_usd` if set, else its CPUs
 * memory and GPUs (the descriptor's `resources`) at the type's list prices; 0 when the type is not known.
 */
export function hourlyPrice(descriptor: BackendDescriptor | undefined, options: CommonBackendOptions): number {
  if (options.pricePerHourUsd !== undefined) return options.pricePerHourUsd;
  if (!descriptor) return 0;
  const { cpuHourUsd, memoryGibHourUsd, gpuHourUsd } = descriptor.prices;
  const resources = descriptor.resources?.(options) ?? {};
  const gpus = resources.gpus;
  const gpuRate = gpus ? (gpuHourUsd?.[gpus.type] ?? gpuHourUsd?.default ?? 0) : 0;
  return (
    (resources.cpus ?? defaultCpus) * cpuHourUsd +
    ((resources.memoryMb ?? defaultMemoryMb) / 1024) * memoryGibHourUsd +
    (gpus ? gpus.count * gpuRate : 0)
  );
}
