import { describe } from "vitest";
import { execCases } from "./exec-cases.js";
import { fileCases } from "./file-cases.js";
import { lifecycleCases } from "./lifecycle-cases.js";
import { sessionCases } from "./session-cases.js";
import { shellCases } from "./shell-cases.js";
import { spawnCases } from "./spawn-cases.js";
import { type ConformanceOptions, SuiteContext } from "./suite-context.js";

export type ConformanceGroup = "exec" | "session" | "shell" | "spawn" | "files" | "lifecycle";

const groups: Record<ConformanceGroup, (suite: SuiteContext) => void> = {
  exec: execCases,
  session: sessionCases,
  shell: shellCases,
  spawn: spawnCases,
  files: fileCases,
  lifecycle: lifecycleCases,
};

/**
 * Registers the conformance suite (vitest) for a backend: every behaviour of the ExecutionEnvironment
 * contract, against a real instance. Cases a backend cannot support are skipped with the reason in
 * their name, from its declared capabilities or from `options.skip`.
 */
export function describeConformance(name: string, options: ConformanceOptions & { groups?: readonly ConformanceGroup[] }): void {
  describe(`${name}: conformance`, async () => {
    // Creating an environment does no I/O until it starts, so this only reads the declared capabilities.
    const probe = await options.create();
    const suite = new SuiteContext(options, probe.capabilities);
    await probe.dispose();
    for (const group of options.groups ?? (Object.keys(groups) as ConformanceGroup[])) groups[group](suite);
  });
}
