import { createEnv } from "@hermes/core";
import { describeDifferential } from "@hermes/testkit";
import { ssh } from "../src/index.js";
import { describeWithServer, testServer } from "./ssh-test-support.js";

describeWithServer("ssh backend", () => {
  describeDifferential("ssh", { create: () => createEnv({ backend: ssh(testServer()) }), slowness: 2 });
});
