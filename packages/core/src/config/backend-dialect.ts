import { z } from "zod";
import type { ConfigIssue } from "../errors/config-error.js";
import { findBackendDescriptor } from "../import-backend.js";
import { parseTimeWindow } from "../router/time-window.js";
import { type BackendType, backendTypeAliases, backendTypes, notInstalledWarning } from "./backend-packages.js";
import { configIssues } from "./config-issues.js";
import type { BackendInstanceConfig, HermesConfig, PolicyConfig, RoutingRuleConfig } from "./hermes-config.js";
import { duration, schemaKeys, text, textList, uncheckedOptionsSchema } from "./schema-helpers.js";

const timeWindow = z.string().refine((value) => parseTimeWindow(value) !== undefined, {
  error: 'a local-time window such as "01:00-06:00" (start and end differ; it may cross midnight)',
});

const ruleSchema = z.strictObject({
  match: z.strictObject({
    task: text.optional(),
    size_gt_mb: z.number().nonnegative().optional(),
    language: text.optional(),
    cron_triggered: z.boolean().optional(),
    time_window: timeWindow.optional(),
  }),
  backend: text,
});

const sectionSchema = z.strictObject({
  default: text.optional(),
  backends: z
    .record(
      z.string().min(1),
      z.looseObject({
        type: z.preprocess((type) => (typeof type === "string" ? (backendTypeAliases[type] ?? type) : type), z.enum(backendTypes)),
      }),
    )
    .refine((backends) => Object.keys(backends).length > 0, {
      error: "at least one named backend, e.g. local: { type: local }",
    }),
  routing: z.strictObject({ rules: z.array(ruleSchema).optional(), fallback: textList.optional() }).optional(),
  global: z
    .strictObject({
      require_confirm: textList.optional(),
      forbid: z
        .array(z.union([text, z.strictObject({ name: text.optional(), program: z.union([text, textList]), args: textList.optional() })]))
        .optional(),
      log_all_commands: z.boolean().optional(),
      audit_log: text.optional(),
    })
    .optional(),
  lifetime_seconds: z.number().positive().optional(),
  command_timeout: duration.optional(),
});

const knownKeys: Record<string, string[]> = {
  "": Object.keys(sectionSchema.shape),
  routing: ["rules", "fallback"],
  global: ["require_confirm", "forbid", "log_all_commands", "audit_log"],
  rule: ["match", "backend"],
  match: ["task", "size_gt_mb", "language", "cron_triggered", "time_window"],
};

/**
 * Parses the multi-backend `backend:` section, each instance's keys with its type's descriptor (loaded from
 * its package). Returns the config or the list of everything wrong with it.
 */
export async function parseBackendSection(section: unknown): Promise<{ config: Omit<HermesConfig, symbol> } | { issues: ConfigIssue[] }> {
  const parsed = sectionSchema.safeParse(section);
  if (!parsed.success) return { issues: configIssues(parsed.error, section, "backend", sectionKeys) };
  const input = parsed.data;
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const backends: Record<string, BackendInstanceConfig> = {};
  for (const [name, raw] of Object.entries(input.backends)) {
    const { type, ...options } = raw as { type: BackendType } & Record<string, unknown>;
    const descriptor = await findBackendDescriptor(type);
    if (!descriptor) warnings.push(notInstalledWarning(`backend.backends.${name}`, type));
    const schema = descriptor?.options ?? uncheckedOptionsSchema;
    const result = schema.safeParse(options);
    if (!result.success) {
      const keys = descriptor ? schemaKeys(descriptor.options) : schemaKeys(uncheckedOptionsSchema);
      issues.push(...configIssues(result.error, options, `backend.backends.${name}`, () => ["type", ...keys]));
      continue;
    }
    const resolved = result.data as Record<string, unknown>;
    if (input.command_timeout !== undefined && resolved.commandTimeoutMs === undefined) resolved.commandTimeoutMs = input.command_timeout;
    backends[name] = { type, options: resolved } as BackendInstanceConfig;
  }
  const names = Object.keys(input.backends);
  const known = (path: string, value: string): void => {
    if (!names.includes(value)) issues.push({ path, value, expected: `the name of a configured backend (${names.join(", ")})` });
  };
  let defaultBackend = input.default;
  if (defaultBackend === undefined) {
    // YAML keeps the order the user wrote: the first backend listed is the natural default.
    defaultBackend = names[0] as string;
    if (names.length > 1)
      warnings.push(`backend.default is not set: calls without a routing match use "${defaultBackend}", the first backend listed`);
  } else known("backend.default", defaultBackend);
  const rules: RoutingRuleConfig[] = (input.routing?.rules ?? []).map((rule, index) => {
    known(`backend.routing.rules.${index}.backend`, rule.backend);
    const match = rule.match;
    return {
      backend: rule.backend,
      match: {
        ...(match.task !== undefined && { task: match.task }),
        ...(match.size_gt_mb !== undefined && { sizeGtMb: match.size_gt_mb }),
        ...(match.language !== undefined && { language: match.language }),
        ...(match.cron_triggered !== undefined && { cronTriggered: match.cron_triggered }),
        ...(match.time_window !== undefined && { timeWindow: match.time_window }),
      },
    };
  });
  const fallback = input.routing?.fallback ?? [];
  for (const [index, name] of fallback.entries()) known(`backend.routing.fallback.${index}`, name);
  if (issues.length > 0) return { issues };
  const policy: PolicyConfig | undefined = input.global && {
    requireConfirm: input.global.require_confirm ?? [],
    forbid: (input.global.forbid ?? []) as PolicyConfig["forbid"],
    logAllCommands: input.global.log_all_commands ?? false,
    ...(input.global.audit_log !== undefined && { auditLog: input.global.audit_log }),
  };
  return {
    config: {
      dialect: "backend",
      defaultBackend: defaultBackend as string,
      backends,
      routing: { rules, fallback },
      ...(policy && { policy }),
      ...(input.lifetime_seconds !== undefined && { lifetimeSeconds: input.lifetime_seconds }),
      warnings,
    },
  };
}

function sectionKeys(path: PropertyKey[]): string[] {
  const names = path.map(String);
  if (names.length === 0) return knownKeys[""] ?? [];
  if (names[0] === "routing" && names.length === 1) return knownKeys.routing ?? [];
  if (names[0] === "global") return knownKeys.global ?? [];
  if (names[0] === "routing" && names.length === 3) return knownKeys.rule ?? [];
  if (names[0] === "routing" && names[3] === "match") return knownKeys.match ?? [];
  return [];
}
