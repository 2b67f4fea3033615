import { createEnv } from "@hermes/core";
import { describeConformance, hostProcessAlive } from "@hermes/testkit";
import { ssh } from "../src/index.js";
import { describeWithServer, testServer } from "./ssh-test-support.js";

describeWithServer("ssh backend", () => {
  describeConformance("ssh", {
    create: () => createEnv({ backend: ssh(testServer()) }),
    // The server runs on this machine, so its processes are in this machine's /proc.
    processAlive: hostProcessAlive,
    slowness: 2,
  });
});
