import { createEnv } from "@hermes/core";
import { describeConformance, hostProcessAlive } from "@hermes/testkit";
import { singularity } from "../src/index.js";
import { charliecloudOptions, describeWithSlurm } from "./hpc-test-support.js";

describeWithSlurm("singularity backend, Charliecloud through Slurm on this machine", () => {
  describeConformance("charliecloud through Slurm", {
    create: () => createEnv({ backend: singularity(charliecloudOptions({ partition: "debug" })) }),
    processAlive: hostProcessAlive,
    slowness: 2,
  });
});
