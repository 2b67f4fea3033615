import { createEnv } from "@hermes/core";
import { describeConformance, hostProcessAlive } from "@hermes/testkit";
import { singularity } from "../src/index.js";
import { charliecloudOptions, describeWithLoginNode, loginNode } from "./hpc-test-support.js";

describeWithLoginNode("singularity backend, Charliecloud through Slurm, over ssh to the login node", () => {
  describeConformance("charliecloud through Slurm over ssh", {
    create: () => createEnv({ backend: singularity(charliecloudOptions({ partition: "debug", clusterLogin: loginNode })) }),
    // The login node is this machine: its processes are in this /proc.
    processAlive: hostProcessAlive,
    slowness: 2,
  });
});
