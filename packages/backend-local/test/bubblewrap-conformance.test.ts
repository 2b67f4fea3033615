import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnv } from "@hermes/core";
import { describeConformance, hostProcessAlive } from "@hermes/testkit";
import { afterAll } from "vitest";
import { local } from "../src/index.js";
import { describeWithBubblewrap } from "./bubblewrap-support.js";

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

describeWithBubblewrap("local backend confined by bubblewrap", () => {
  describeConformance("local (bubblewrap)", {
    // A fresh path the backend creates as it starts: the suite's capability probe, which never starts, makes
    // none (hooks do not run when every test is skipped, so afterAll could not remove it).
    create: async () => {
      const root = join(tmpdir(), `hermes-bwrap-${randomUUID()}`);
      roots.push(root);
      return createEnv({ backend: local({ sandboxRoot: root, confinement: "bubblewrap" }) });
    },
    processAlive: hostProcessAlive,
  });
});
