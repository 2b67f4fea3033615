import { createEnv } from "@hermes/core";
import { describeConformance, describeDifferential, hostProcessAlive } from "@hermes/testkit";
import { singularity } from "../src/index.js";
import { charliecloudOptions, describeWithCharliecloud } from "./hpc-test-support.js";

describeWithCharliecloud("singularity backend, Charliecloud directly on this machine", () => {
  describeConformance("charliecloud", {
    create: () => createEnv({ backend: singularity(charliecloudOptions()) }),
    processAlive: hostProcessAlive,
  });
  describeDifferential("charliecloud", { create: () => createEnv({ backend: singularity(charliecloudOptions()) }) });
});
