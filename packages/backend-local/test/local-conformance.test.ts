import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnv } from "@hermes/core";
import { describeConformance, hostProcessAlive } from "@hermes/testkit";
import { afterAll } from "vitest";
import { local } from "../src/index.js";

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

describeConformance("local", {
  create: async () => {
    const root = await mkdtemp(join(tmpdir(), "hermes-local-"));
    roots.push(root);
    return createEnv({ backend: local({ sandboxRoot: root }) });
  },
  processAlive: hostProcessAlive,
});
