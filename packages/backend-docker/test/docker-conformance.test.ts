import { createEnv } from "@hermes/core";
import { describeConformance } from "@hermes/testkit";
import { docker } from "../src/index.js";
import { containerProcessAlive, describeWithEngine, testImage } from "./docker-test-support.js";

describeWithEngine("docker backend", () => {
  describeConformance("docker", {
    create: async () => createEnv({ backend: docker({ image: testImage, network: "none" }) }),
    processAlive: (pid, environment) => containerProcessAlive(pid, environment.id),
    slowness: 2,
  });
});
