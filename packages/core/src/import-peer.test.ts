import { expect, it } from "vitest";
import { BackendNotInstalledError } from "./errors/index.js";
import { importPeer } from "./import-backend.js";

const notFound = (message: string) => Object.assign(new Error(message), { code: "ERR_MODULE_NOT_FOUND" });

it("names the pinned install command when the peer itself is missing", async () => {
  const error = await importPeer(
    () =>
      Promise.reject(notFound("Cannot find package 'modal' imported from /app/node_modules/@hermes/backend-cloud/dist/modal/modal-sdk.js")),
    { backendType: "modal", specifier: "modal@0.11.1" },
  ).catch((caught: unknown) => caught);
  expect(BackendNotInstalledError.isInstance(error)).toBe(true);
  expect(error).toMatchObject({ installCommand: "npm install modal@0.11.1" });
});

it("rethrows a dependency missing inside an installed peer as it is, not as the peer missing", async () => {
  const inside = notFound("Cannot find package 'cbor-x' imported from /app/node_modules/modal/dist/index.js");
  const error = await importPeer(() => Promise.reject(inside), { backendType: "modal", specifier: "modal@0.11.1" }).catch(
    (caught: unknown) => caught,
  );
  expect(error).toBe(inside);
});

it("gives the module when it loads", async () => {
  expect(await importPeer(() => Promise.resolve({ ok: 1 }), { backendType: "x", specifier: "@scope/x@1.0.0" })).toEqual({ ok: 1 });
});
