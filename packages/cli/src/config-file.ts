import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { ConfigError, loadConfig } from "@hermes/core";
import { type Document, isMap, isScalar, isSeq, parse, parseDocument } from "yaml";
import type { CliIo } from "./cli-io.js";
import { UsageError } from "./usage-error.js";

/** The file `config get/set` edit: --file, else $HERMES_CONFIG, else ~/.hermes/config.yaml (as `hermes config set`). */
export function editableConfigFile(io: CliIo, file: string | undefined): string {
  if (file !== undefined) return resolve(io.cwd, file);
  if (io.env.HERMES_CONFIG) return resolve(io.cwd, io.env.HERMES_CONFIG);
  return join(io.home, ".hermes", "config.yaml");
}

export async function readConfigDocument(file: string): Promise<Document> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
  const document = parseDocument(text, { keepSourceTokens: false });
  const problem = document.errors[0];
  if (problem) {
    throw new ConfigError({ issues: [{ path: "", value: undefined, expected: `valid YAML: ${problem.message}` }], file });
  }
  return document;
}

/** Splits `terminal.docker_volumes.0` into its segments; rejects empty ones. */
export function keyPath(key: string): string[] {
  const segments = key.split(".");
  if (segments.some((segment) => segment.length === 0)) {
    throw new UsageError(`${JSON.stringify(key)} is not a key path; write it like terminal.backend or backend.backends.docker.image`);
  }
  return segments;
}

/** The value at `path`, or undefined when it is not set. */
export function getConfigValue(document: Document, path: string[]): unknown {
  if (!document.hasIn(path)) return undefined;
  const node = document.getIn(path, true);
  return isScalar(node) ? node.value : isMap(node) || isSeq(node) ? node.toJSON() : node;
}

/**
 * Sets `path` to `text` read as a YAML value (`docker`, `true`, `5120`, `[a, b]`), keeping the file's comments
 * and layout. The result is validated as a whole before anything is written; a bad value leaves the file as it was.
 */
export async function setConfigValue(file: string, path: string[], text: string): Promise<void> {
  const document = await readConfigDocument(file);
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new UsageError(`${JSON.stringify(text)} is not a YAML value: ${(error as Error).message}`);
  }
  const existing = document.hasIn(path) ? document.getIn(path, true) : undefined;
  if (isScalar(existing) && (value === null || typeof value !== "object")) {
    // Changing the scalar in place keeps a comment written after it on the same line.
    existing.value = value;
  } else {
    document.setIn(path, document.createNode(value));
  }
  await loadConfig(document.toJS() ?? {}, { env: {} }).catch((error: unknown) => {
    if (ConfigError.isInstance(error)) throw new ConfigError({ issues: error.issues, file, cause: error });
    throw error;
  });
  await writeAtomically(file, document.toString());
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const mode = await stat(file).then(
    (stats) => stats.mode & 0o777,
    () => 0o600,
  );
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode });
  await rename(temporary, file);
}
