import { createEnv } from "@hermes/core";
import { describeDifferential, referenceBackend } from "../src/index.js";

describeDifferential("reference backend", { create: () => createEnv({ backend: referenceBackend() }) });
