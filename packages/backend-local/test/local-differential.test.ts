import { createEnv } from "@hermes/core";
import { describeDifferential } from "@hermes/testkit";
import { local } from "../src/index.js";

describeDifferential("local", { create: () => createEnv({ backend: local() }) });
