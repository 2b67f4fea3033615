import { createEnv } from "@hermes/core";
import { describeConformance, describeWithService, hostProcessAlive } from "@hermes/testkit";
import { afterAll } from "vitest";
import { startVercelFake } from "../src/testing/index.js";
import { vercelSandbox } from "../src/vercel/index.js";
import { bubblewrapMissing } from "./bubblewrap-missing.js";

const credentials = { token: "conformance-token", teamId: "team_conformance", projectId: "prj_conformance" };
const fake = bubblewrapMissing ? undefined : await startVercelFake(credentials);
afterAll(() => fake?.close());

describeWithService("vercel-sandbox backend against the fake, through @vercel/sandbox", bubblewrapMissing, () => {
  describeConformance("vercel-sandbox", {
    create: async () => createEnv({ backend: vercelSandbox({ ...credentials, apiUrl: fake?.url ?? "" }) }),
    // The fake's sandboxes share this machine's pid namespace.
    processAlive: hostProcessAlive,
    slowness: 2,
  });
});
