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
