import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { type BackendOptionsByType, type BackendType, backendPackages } from "./config/backend-options.js";
import { BackendNotInstalledError, packageRoot } from "./errors/backend-not-installed-error.js";
import { HermesError } from "./errors/hermes-error.js";
import type { Backend } from "./types/backend.js";

export type BackendFactory<T extends BackendType = BackendType> = (options: BackendOptionsByType[T]) => Backend;

/**
 * Loads the package that implements a backend type, only when it is used. Tried in order: from core
 * itself (npm's flat node_modules, or pnpm with the optional peer), then from the application's
 * directory, then from the main script's (a globally installed CLI).
 */
export async function importBackendFactory<T extends BackendType>(type: T): Promise<BackendFactory<T>> {
  const { packageName, exportName } = backendPackages[type];
  const module = await importOptional(packageName);
  if (!module) throw new BackendNotInstalledError({ backendType: type, specifier: packageName });
  const factory = module[exportName];
  if (typeof factory !== "function") {
    throw new HermesError({
      code: "BACKEND_INVALID",
      message: `${packageName} does not export a "${exportName}" backend factory; its version may not match @hermes/core.`,
    });
  }
  return factory as BackendFactory<T>;
}

async function importOptional(specifier: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    if (!isMissing(error, specifier)) throw error;
  }
  for (const base of [`${process.cwd()}/`, process.argv[1]]) {
    if (!base) continue;
    let resolved: string;
    try {
      resolved = createRequire(base).resolve(specifier);
    } catch (error) {
      if (isMissing(error, specifier)) continue;
      throw error;
    }
    return (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  }
  return undefined;
}

/** A "not found" about this package itself, not about a dependency missing inside it. */
function isMissing(error: unknown, specifier: string): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  const root = packageRoot(specifier);
  const message = (error as Error).message;
  return message.includes(`'${root}'`) || message.includes(`'${specifier}'`) || message.includes(`"${specifier}"`);
}
