import { ownerVariable } from "@hermes/core";

/** Segments of a variable name that mark it as a secret: `GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY`, `DB_PASSWORD`. */
const secretSegments = new Set([
  "KEY",
  "APIKEY",
  "TOKEN",
  "SECRET",
  "PASSWORD",
  "PASSWD",
  "PASSPHRASE",
  "PASS",
  "CREDENTIAL",
  "CREDENTIALS",
  "AUTH",
  "PRIVATE",
  "COOKIE",
]);

/** Values that are secrets whatever their name: well-known token formats and URLs carrying a password. */
const secretValues = [
  /^(gh[pousr]_|github_pat_)[A-Za-z0-9_]{20,}/, // GitHub
  /^sk-[A-Za-z0-9_-]{20,}/, // OpenAI, Anthropic
  /^xox[abposr]-[A-Za-z0-9-]{10,}/, // Slack
  /^(AKIA|ASIA)[A-Z0-9]{16}$/, // AWS access key id
  /^glpat-[A-Za-z0-9_-]{20,}/, // GitLab
  /^npm_[A-Za-z0-9]{30,}/, // npm
  /^eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./, // JWT
  /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, // scheme://user:password@host
];

/** Variables kept when `inheritEnv` is false: enough for tools to find themselves and their locale. */
const essentialNames = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TERM", "TMPDIR", "TZ"];

/** Core's bookkeeping variables; an outer environment's must not leak into ours. */
const internalNames = new Set(["HERMES_ENV_ID", "HERMES_EXEC_ID", ownerVariable]);

export interface HostEnvironmentOptions {
  inheritEnv?: boolean;
  envPassthrough?: readonly string[];
  envBlocklist?: readonly string[];
  env?: Readonly<Record<string, string>>;
}

export function looksLikeSecret(name: string, value: string): boolean {
  const segments = name.toUpperCase().split(/[^A-Z0-9]+/);
  if (segments.some((segment) => secretSegments.has(segment))) return true;
  return secretValues.some((pattern) => pattern.test(value));
}

/**
 * The environment commands get: this process's variables minus those that look like secrets (by name or
 * by value), minus `envBlocklist`, plus `envPassthrough` names even if they look secret, plus `env`.
 */
export function hostEnvironment(source: NodeJS.ProcessEnv, options: HostEnvironmentOptions = {}): Record<string, string> {
  const passthrough = new Set(options.envPassthrough ?? []);
  const blocked = (options.envBlocklist ?? []).map(globPattern);
  const inherit = options.inheritEnv ?? true;
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || internalNames.has(name)) continue;
    if (blocked.some((pattern) => pattern.test(name))) continue;
    if (passthrough.has(name)) {
      result[name] = value;
      continue;
    }
    if (!inherit && !essentialNames.includes(name) && !name.startsWith("LC_")) continue;
    if (!looksLikeSecret(name, value)) result[name] = value;
  }
  return { ...result, ...options.env };
}

function globPattern(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*");
  return new RegExp(`^${escaped}$`);
}
