import { loadModalSdk } from "../modal/modal-sdk.js";
import type { ModalFake, ModalFakeOptions } from "./modal-fake.js";

/**
 * Starts the Modal fake (see `modal-fake.ts`). Loaded on first use: it needs the Modal SDK and nice-grpc,
 * which users of the other fakes need not install.
 */
export async function startModalFake(options: ModalFakeOptions): Promise<ModalFake> {
  // The SDK first (a missing one is a BackendNotInstalledError saying how to install it), so that it is what
  // loads nice-grpc in this process: in CI, now and then, an SDK loaded after the fake had loaded nice-grpc
  // saw its `Status` undefined (a TypeError reading DEADLINE_EXCEEDED as the SDK's module ran). Not
  // reproduced in isolation.
  await loadModalSdk();
  let loaded: typeof import("./modal-fake.js");
  try {
    loaded = await import("./modal-fake.js");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new Error("the Modal fake needs the Modal SDK and nice-grpc: npm install modal@0.11.1 nice-grpc@2", { cause: error });
  }
  return loaded.startModalFake(options);
}
