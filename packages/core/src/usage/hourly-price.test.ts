import { describe, expect, it } from "vitest";
import type { BackendDescriptor } from "../types/backend-descriptor.js";
import { hourlyPrice } from "./hourly-price.js";

const cloud: BackendDescriptor<{ vcpus?: number; memoryMb?: number; pricePerHourUsd?: number }> = {
  type: "cloud",
  factory: () => {
    throw new Error("not used");
  },
  options: undefined as never,
  isolation: "microvm",
  prices: { cpuHourUsd: 0.1, memoryGibHourUsd: 0.01, source: "a test" },
  resources: (options) => ({
    ...(options.vcpus !== undefined && { cpus: options.vcpus }),
    ...(options.memoryMb !== undefined && { memoryMb: options.memoryMb }),
  }),
};

describe("hourlyPrice", () => {
  it("prices the descriptor's CPUs and memory at its rates, Hermes's 1 CPU and 5120 MB when unset", () => {
    expect(hourlyPrice(cloud as BackendDescriptor, { vcpus: 4, memoryMb: 2048 } as never)).toBeCloseTo(4 * 0.1 + 2 * 0.01);
    expect(hourlyPrice(cloud as BackendDescriptor, {})).toBeCloseTo(0.1 + 5 * 0.01);
  });

  it("uses price_per_hour_usd when set, and 0 for a type it knows nothing of", () => {
    expect(hourlyPrice(cloud as BackendDescriptor, { pricePerHourUsd: 2, vcpus: 8 } as never)).toBe(2);
    expect(hourlyPrice(undefined, {})).toBe(0);
    expect(hourlyPrice(undefined, { pricePerHourUsd: 1.5 })).toBe(1.5);
  });

  it("adds the GPUs at their type's rate, or the default rate for a type not listed", () => {
    const gpuCloud = {
      ...cloud,
      prices: { ...cloud.prices, gpuHourUsd: { H100: 4, default: 1 } },
      resources: (options: { gpu?: string }) => ({ cpus: 1, memoryMb: 1024, gpus: { type: options.gpu ?? "", count: 2 } }),
    } as unknown as BackendDescriptor;
    expect(hourlyPrice(gpuCloud, { gpu: "H100" } as never)).toBeCloseTo(0.1 + 0.01 + 2 * 4);
    expect(hourlyPrice(gpuCloud, { gpu: "T4" } as never)).toBeCloseTo(0.1 + 0.01 + 2 * 1);
  });
});
