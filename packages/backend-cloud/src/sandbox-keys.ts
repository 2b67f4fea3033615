import { duration, sizeMb, text } from "@hermes/core";
import { z } from "zod";

/**
 * The multi-backend keys every cloud sandbox type takes alike: Hermes's `container_*` sizes and persistence,
 * `persistent`, the sandbox's `name`, and the longest waits for it to be made and to be ended.
 */
export const sandboxKeys = {
  container_cpu: z.number().positive().optional(),
  container_memory: sizeMb.optional(),
  container_persistent: z.boolean().optional(),
  persistent: z.boolean().optional(),
  name: text.optional(),
  create_timeout: duration.optional(),
  dispose_timeout: duration.optional(),
};

/** Their option names, where not just camelCase. */
export const sandboxKeyRenames: Record<string, string> = {
  container_cpu: "cpu",
  container_memory: "memoryMb",
  container_persistent: "persistent",
  create_timeout: "createTimeoutMs",
  dispose_timeout: "disposeTimeoutMs",
};
