import { createEnv } from "@hermes/core";
import { describeDifferential } from "@hermes/testkit";
import { docker } from "../src/index.js";
import { describeWithEngine, testImage } from "./docker-test-support.js";

describeWithEngine("docker backend", () => {
  describeDifferential("docker", { create: () => createEnv({ backend: docker({ image: testImage, network: "none" }) }), slowness: 2 });
});
