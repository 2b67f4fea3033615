import { createEnv } from "@hermes/core";
import { describeConformance, describeWithService, hostProcessAlive } from "@hermes/testkit";
import { afterAll } from "vitest";
import { daytona } from "../src/daytona/index.js";
import { startDaytonaFake } from "../src/testing/index.js";
import { bubblewrapMissing } from "./bubblewrap-missing.js";

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
