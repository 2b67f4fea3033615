import { HermesError, hasMarker } from "./hermes-error.js";

const marker = Symbol.for("hermes.error.ConfigError");

export interface ConfigIssue {
  /** Dotted key path, e.g. `backend.backends.docker.memory_limit`. */
  path: string;
  /** The value found there (`undefined` when the key is missing). */
  value: unknown;
  /** What was expected instead, in words. */
  expected: string;
}

/** Configuration that cannot be used; names every bad key, its value and what was expected. */
export class ConfigError extends HermesError {
  readonly [marker] = true;
  readonly issues: readonly ConfigIssue[];
  /** The file the configuration came from, when it came from a file. */
  readonly file: string | undefined;

  constructor(options: { issues: readonly ConfigIssue[]; file?: string; cause?: unknown }) {
    super({ message: formatIssues(options.issues, options.file), code: "CONFIG_INVALID", cause: options.cause });
    this.name = "ConfigError";
    this.issues = options.issues;
    this.file = options.file;
  }

  static override isInstance(error: unknown): error is ConfigError {
    return hasMarker(error, marker);
  }
}

function formatIssues(issues: readonly ConfigIssue[], file: string | undefined): string {
  const where = file ? ` in ${file}` : "";
  const lines = issues.map((issue) => `  - ${issue.path || "(root)"}: got ${describeValue(issue.value)}; expected ${issue.expected}`);
  return `Invalid configuration${where}:\n${lines.join("\n")}`;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing (the key is missing)";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (Array.isArray(value)) return `a list (${truncate(JSON.stringify(value))})`;
  return `${truncate(JSON.stringify(value))}`;
}

function truncate(text: string | undefined): string {
  if (text === undefined) return "an unprintable value";
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
