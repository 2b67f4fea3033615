import { createEnv } from "@hermes/core";
import { expect, it } from "vitest";
import { docker } from "../src/index.js";
import { describeWithEngine, engine, testImage } from "./docker-test-support.js";

describeWithEngine("docker backend: many environments at once", () => {
  // An engine asked for this many at once resets connections; creation is queued and paced per engine.
  it("creates 60 environments at once, every command's output its own, and leaves no container", async () => {
    const count = 60;
    const outcomes = await Promise.allSettled(
      Array.from({ length: count }, async (_, index) => {
        const env = await createEnv({ backend: docker({ image: testImage, network: "none" }), usage: false });
        try {
          const result = await env.exec(`echo env-${index}; echo $HERMES_ENV_ID`);
          expect(result.stdout).toBe(`env-${index}\n${env.id}\n`);
          return env.id;
        } finally {
          await env.dispose();
        }
      }),
    );
    expect(outcomes.filter((outcome) => outcome.status === "rejected")).toEqual([]);
    const ids = new Set(outcomes.map((outcome) => (outcome as PromiseFulfilledResult<string>).value));
    expect(ids.size).toBe(count);
    const anyLeft = await engine.listContainers({ all: true, filters: { label: ["hermes.env-id"] } });
    expect(anyLeft.filter((container) => ids.has(container.Labels["hermes.env-id"] ?? ""))).toEqual([]);
  }, 180_000);
});
