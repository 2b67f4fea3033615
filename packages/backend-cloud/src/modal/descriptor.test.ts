import { ConfigError, hourlyPrice, loadConfig, terminalKeyNames } from "@hermes/core";
import { describe, expect, it } from "vitest";
import { descriptor, parseGpu } from "./descriptor.js";

const noEnv = { env: {} };

describe("the modal descriptor", () => {
  it("reads the seed's keys under type modal", async () => {
    const config = await loadConfig(
      {
        backend: {
          backends: {
            gpu: {
              type: "modal",
              app: "research",
              cpu: 4,
              memory_mb: 16384,
              gpu: "H100:2",
              timeout: "2h",
              keep_warm: "10m",
              secrets: ["hf-token", "wandb"],
              budget_per_run_usd: 5,
              image: "im-abc123",
              container_persistent: true,
            },
          },
        },
      },
      noEnv,
    );
    expect(config.backends.gpu).toEqual({
      type: "modal",
      options: {
        app: "research",
        cpu: 4,
        memoryMb: 16384,
        gpu: "H100:2",
        timeoutMs: 7_200_000,
        keepWarmMs: 600_000,
        secrets: ["hf-token", "wandb"],
        budgetPerRunUsd: 5,
        image: "im-abc123",
        persistent: true,
      },
    });
  });

  it("maps Hermes's modal_image and container_* keys", async () => {
    expect(Object.keys(descriptor.terminal?.keys ?? {}).sort()).toEqual([...terminalKeyNames.modal].sort());
    const config = await loadConfig(
      { terminal: { backend: "modal", modal_image: "python:3.12", container_cpu: 2, container_memory: "8g", container_persistent: true } },
      noEnv,
    );
    expect(config.backends.modal?.options).toEqual({ image: "python:3.12", cpu: 2, memoryMb: 8192, persistent: true });
  });

  it("refuses a GPU that is not a type and a count, naming the form", async () => {
    const error = await loadConfig({ backend: { backends: { m: { type: "modal", gpu: "H100 x2" } } } }, noEnv).catch((e: unknown) => e);
    if (!ConfigError.isInstance(error)) throw new Error(`expected a ConfigError, got ${String(error)}`);
    expect(error.issues).toEqual([
      { path: "backend.backends.m.gpu", value: "H100 x2", expected: expect.stringMatching(/T4, A100-80GB, H100:2/) },
    ]);
  });

  it("prices CPU, memory and GPUs by type at Modal's list prices, an unlisted type as the dearest", () => {
    expect(parseGpu("a100-80gb:4")).toEqual({ type: "A100-80GB", count: 4 });
    const price = (options: Parameters<typeof hourlyPrice>[1]) => hourlyPrice(descriptor, options);
    expect(price({ cpu: 2, memoryMb: 4096 } as never)).toBeCloseTo(2 * 0.0472 + 4 * 0.008);
    expect(price({ cpu: 1, memoryMb: 1024, gpu: "H100:2" } as never)).toBeCloseTo(0.0472 + 0.008 + 2 * 3.95);
    expect(price({ cpu: 1, memoryMb: 1024, gpu: "Z9" } as never)).toBeCloseTo(0.0472 + 0.008 + 6.25);
    expect(descriptor.prices.source).toBe("modal.com/pricing");
  });
});
