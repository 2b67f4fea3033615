import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { ConfigError, type ConfigIssue } from "../errors/config-error.js";
import { parseBackendSection } from "./backend-dialect.js";
import { brandConfig, type HermesConfig, isHermesConfig } from "./hermes-config.js";
import { hasTerminalOverrides, parseTerminalSection } from "./terminal-dialect.js";

export interface LoadConfigOptions {
  /** Variables for `TERMINAL_*` overrides and `HERMES_CONFIG`. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Where `./hermes.yaml` is looked for. Default `process.cwd()`. */
  cwd?: string;
  /** Where `~/.hermes/config.yaml` is looked for. Default the user's home. */
  home?: string;
}

/**
 * Reads and validates configuration: a YAML file path, a YAML-shaped object (either dialect), or nothing,
 * in which case it looks at $HERMES_CONFIG, ./hermes.yaml and ~/.hermes/config.yaml, and falls back to the
 * local backend. Throws ConfigError naming every bad key, its value and what was expected.
 */
export async function loadConfig(pathOrObject?: string | object, options: LoadConfigOptions = {}): Promise<HermesConfig> {
  if (isHermesConfig(pathOrObject)) return pathOrObject;
  const env = options.env ?? process.env;
  if (typeof pathOrObject === "string")
    return await parseConfigObject(await readYaml(pathOrObject), env, resolve(options.cwd ?? process.cwd(), pathOrObject));
  if (pathOrObject !== undefined) return await parseConfigObject(pathOrObject, env, undefined);
  const file = await findConfigFile(env, options.cwd ?? process.cwd(), options.home ?? homedir());
  return await parseConfigObject(file ? await readYaml(file) : undefined, env, file);
}

/** The first configuration file that exists: $HERMES_CONFIG (which must exist), ./hermes.yaml, ~/.hermes/config.yaml. */
export async function findConfigFile(env: Record<string, string | undefined>, cwd: string, home: string): Promise<string | undefined> {
  if (env.HERMES_CONFIG) return resolve(cwd, env.HERMES_CONFIG);
  for (const candidate of [join(cwd, "hermes.yaml"), join(home, ".hermes", "config.yaml")]) {
    if (
      await readFile(candidate).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}

async function readYaml(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ConfigError({
      issues: [{ path: "", value: file, expected: `a readable YAML file (${(error as NodeJS.ErrnoException).code ?? String(error)})` }],
      file,
      cause: error,
    });
  }
  const document = parseDocument(text, { prettyErrors: true });
  const problem = document.errors[0];
  if (problem) {
    throw new ConfigError({ issues: [{ path: "", value: undefined, expected: `valid YAML: ${problem.message}` }], file, cause: problem });
  }
  return document.toJS();
}

async function parseConfigObject(input: unknown, env: Record<string, string | undefined>, file: string | undefined): Promise<HermesConfig> {
  if (input !== undefined && input !== null && (typeof input !== "object" || Array.isArray(input))) {
    throw new ConfigError({
      issues: [{ path: "", value: input, expected: "a mapping with a terminal: or backend: section" }],
      ...(file && { file }),
    });
  }
  const root = (input ?? {}) as Record<string, unknown>;
  let result: { config: Omit<HermesConfig, symbol> } | { issues: ConfigIssue[] };
  const warnings: string[] = [];
  if (root.backend !== undefined) {
    result = await parseBackendSection(root.backend);
    if (root.terminal !== undefined) warnings.push("both terminal: and backend: sections are present; the backend: section is used");
  } else if (root.terminal !== undefined || hasTerminalOverrides(env)) {
    result = await parseTerminalSection(root.terminal, env);
  } else {
    if (file && Object.keys(root).length > 0) warnings.push(`${file} has no terminal: or backend: section; using the local backend`);
    result = {
      config: {
        dialect: "none",
        defaultBackend: "local",
        backends: { local: { type: "local", options: {} } },
        routing: { rules: [], fallback: [] },
        warnings: [],
      },
    };
  }
  if ("issues" in result) throw new ConfigError({ issues: result.issues, ...(file && { file }) });
  const config = result.config;
  config.warnings.unshift(...warnings);
  if (file) config.file = file;
  return brandConfig(config);
}
