import { z } from "zod";
import { durationHint, parseDuration, parseSize, sizeHint } from "./units.js";

/** A duration key (`30s`, `5m`, a bare number of seconds), parsed to milliseconds. */
export const duration = z.union([z.string(), z.number()]).transform((value, context) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    context.addIssue({ code: "custom", message: durationHint });
    return z.NEVER;
  }
  return ms;
});

/** A size key (`2g`, `512m`, a bare number of megabytes), parsed to whole megabytes. */
export const sizeMb = z.union([z.string(), z.number()]).transform((value, context) => {
  const bytes = parseSize(value);
  if (bytes === undefined || bytes <= 0) {
    context.addIssue({ code: "custom", message: sizeHint });
    return z.NEVER;
  }
  return Math.max(1, Math.round(bytes / 1024 ** 2));
});

export const text = z.string().min(1, { error: "non-empty text" });
export const textList = z.array(text);
export const positiveNumber = z.number().positive();
export const port = z.number().int().min(1).max(65535);
export const variables = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "a variable name" }), z.coerce.string());

/** `sandbox_root` -> `sandboxRoot`. */
export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** Renames snake_case YAML keys to the camelCase option names, dropping absent ones. */
export function camelKeys<T>(input: Record<string, unknown>, rename: Record<string, string> = {}): T {
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined) output[rename[key] ?? camelCase(key)] = value;
  }
  return output as T;
}

/**
 * A descriptor's `terminal.options`: the values of the Hermes keys that are set, under their option names
 * (`{ docker_image: "image" }` turns `{ docker_image: "x" }` into `{ image: "x" }`).
 */
export function renamedOptions<Options>(
  names: Readonly<Record<string, keyof Options & string>>,
): (values: Record<string, unknown>) => Options {
  return (values) => {
    const options: Record<string, unknown> = {};
    for (const [key, option] of Object.entries(names)) if (values[key] !== undefined) options[option] = values[key];
    return options as Options;
  };
}

/** Keys every backend instance accepts (YAML names), included in each descriptor's schema by `backendOptionsSchema`. */
export const commonOptionKeys = {
  /** Where the session starts. */
  cwd: text.optional(),
  /** Default limit for one command (`exec`'s `timeoutMs` overrides it). */
  command_timeout: duration.optional(),
  /** Variables set in the environment. */
  env: variables.optional(),
  /** A folder on this machine copied into the session's starting directory at start, and back at dispose. */
  sync_dir: text.optional(),
  /** How long the environment stays up after its last use (instead of the section's lifetime_seconds). */
  keep_warm: duration.optional(),
  /** Estimated cost at which an environment's run is stopped. */
  budget_per_run_usd: z.number().nonnegative().optional(),
  /** Overrides the price table's estimate for this instance. */
  price_per_hour_usd: z.number().nonnegative().optional(),
  /** The programs commands may run on this backend (see the policy engine). */
  allowed_commands: textList.optional(),
  authorized_commands_only: z.boolean().optional(),
};

/** YAML names of the common keys whose option name is not just camelCase. */
export const commonOptionRenames: Record<string, string> = {
  command_timeout: "commandTimeoutMs",
  keep_warm: "keepWarmMs",
  budget_per_run_usd: "budgetPerRunUsd",
  price_per_hour_usd: "pricePerHourUsd",
};

/**
 * A descriptor's options schema: the common keys and the type's own (snake_case YAML keys), strict (an
 * unknown key is an error naming the closest known one), parsed into camelCase options. `renames` gives the
 * option name of a key that is not just its camelCase (`timeout` -> `connectTimeoutMs`).
 */
export function backendOptionsSchema<Options>(keys: z.ZodRawShape, renames: Record<string, string> = {}): z.ZodType<Options> {
  return z
    .strictObject({ ...commonOptionKeys, ...keys })
    .transform((input) => camelKeys<Options>(input, { ...commonOptionRenames, ...renames })) as unknown as z.ZodType<Options>;
}

/** The options of a type whose package is not installed: the common keys checked, the others kept (camelCase) unchecked. */
export const uncheckedOptionsSchema = z
  .looseObject(commonOptionKeys)
  .transform((input) => camelKeys<Record<string, unknown>>(input, commonOptionRenames));

/** The YAML keys an options schema accepts (those of `backendOptionsSchema`, or of any object schema). */
export function schemaKeys(schema: z.ZodType): string[] {
  const shaped = schema as unknown as { shape?: Record<string, unknown>; in?: { shape?: Record<string, unknown> } };
  return Object.keys(shaped.in?.shape ?? shaped.shape ?? {});
}
