import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnv } from "@hermes/core";
import { describeConformance } from "@hermes/testkit";
import { afterAll } from "vitest";
import { local } from "../src/index.js";

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

/** A process is gone when /proc has no entry for it or only a zombie waiting to be reaped. */
async function processAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  return stat !== undefined && stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}

describeConformance("local", {
  create: async () => {
    const root = await mkdtemp(join(tmpdir(), "hermes-local-"));
    roots.push(root);
    return createEnv({ backend: local({ sandboxRoot: root }) });
  },
  processAlive,
});
