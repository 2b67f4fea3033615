import { createEnv } from "@hermes/core";
import { describeConformance, describeWithService, hostProcessAlive } from "@hermes/testkit";
import { afterAll } from "vitest";
import { modal } from "../src/modal/index.js";
import { type ModalFake, startModalFake } from "../src/testing/index.js";
import { bubblewrapMissing } from "./bubblewrap-missing.js";

const credentials = { tokenId: "ak-conformance", tokenSecret: "as-conformance" };
const fake: ModalFake | undefined = bubblewrapMissing ? undefined : await startModalFake(credentials);
afterAll(() => fake?.close());

describeWithService("modal backend against the fake, through the modal SDK", bubblewrapMissing, () => {
  describeConformance("modal", {
    create: async () => createEnv({ backend: modal({ ...credentials, apiUrl: fake?.url ?? "" }) }),
    // The fake's sandboxes share this machine's pid namespace.
    processAlive: hostProcessAlive,
    slowness: 2,
  });
});
