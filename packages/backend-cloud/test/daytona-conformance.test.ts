import { execFileSync } from "node:child_process";
import { createEnv } from "@hermes/core";
import { describeConformance, describeWithService, hostProcessAlive } from "@hermes/testkit";
import { afterAll } from "vitest";
import { daytona } from "../src/daytona/index.js";
import { startDaytonaFake } from "../src/testing/index.js";

const bubblewrapMissing = (() => {
  try {
    execFileSync("bwrap", ["--version"]);
    return undefined;
  } catch {
    return "bubblewrap (bwrap) is not installed: run scripts/services/bubblewrap.sh";
  }
})();

const apiKey = "conformance-key";
const fake = bubblewrapMissing ? undefined : await startDaytonaFake({ apiKey });
afterAll(() => fake?.close());

describeWithService("daytona backend against the fake, through @daytonaio/sdk", bubblewrapMissing, () => {
  describeConformance("daytona", {
    create: async () => createEnv({ backend: daytona({ apiKey, apiUrl: fake?.apiUrl ?? "" }) }),
    // The fake's sandboxes share this machine's pid namespace.
    processAlive: hostProcessAlive,
    slowness: 2,
  });
});
