import type { ModalFake, ModalFakeOptions } from "./modal-fake.js";

/**
 * Starts the Modal fake (see `modal-fake.ts`). Loaded on first use: it needs the Modal SDK and nice-grpc,
 * which users of the other fakes need not install.
 */
export async function startModalFake(options: ModalFakeOptions): Promise<ModalFake> {
  let loaded: typeof import("./modal-fake.js");
  try {
    loaded = await import("./modal-fake.js");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new Error("the Modal fake needs the Modal SDK and nice-grpc: npm install modal@0.11.1 nice-grpc@2", { cause: error });
  }
  return loaded.startModalFake(options);
}
