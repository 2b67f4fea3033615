import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { type BackendType, backendPackages } from "./config/backend-packages.js";
import { BackendNotInstalledError, packageRoot } from "./errors/backend-not-installed-error.js";
import { HermesError } from "./errors/hermes-error.js";
import type { Backend } from "./types/backend.js";
import type { BackendDescriptor, CommonBackendOptions } from "./types/backend-descriptor.js";

/** Options as configured: the common ones and the type's own (checked by its descriptor). */
export type BackendOptions = CommonBackendOptions & Record<string, unknown>;

export type BackendFactory = (options: BackendOptions) => Backend;

const loaded = new Map<BackendType, Promise<BackendDescriptor>>();

/**
 * Loads the descriptor of a backend type from its package, only when the type is used, once. Tried in
 * order: from core itself (npm's flat node_modules, or pnpm with the optional peer), then from the
 * application's directory, then from the main script's (a globally installed CLI). Throws
 * BackendNotInstalledError (with the install command) when the package is nowhere.
 */
export function importBackendDescriptor(type: BackendType): Promise<BackendDescriptor> {
  let descriptor = loaded.get(type);
  if (!descriptor) {
    descriptor = loadDescriptor(type);
    loaded.set(type, descriptor);
    // A failure is not remembered: the package may be installed later in the process's life.
    descriptor.catch(() => loaded.delete(type));
  }
  return descriptor;
}

/** The descriptor of a type, or undefined when its package is not installed (other failures are thrown). */
export async function findBackendDescriptor(type: BackendType): Promise<BackendDescriptor | undefined> {
  try {
    return await importBackendDescriptor(type);
  } catch (error) {
    if (BackendNotInstalledError.isInstance(error)) return undefined;
    throw error;
  }
}

/** The factory of a backend type, from its descriptor. */
export async function importBackendFactory(type: BackendType): Promise<BackendFactory> {
  const descriptor = await importBackendDescriptor(type);
  return (options) => descriptor.factory(options);
}

async function loadDescriptor(type: BackendType): Promise<BackendDescriptor> {
  const { packageName, exportName } = backendPackages[type];
  const module = await importOptional(packageName);
  if (!module) throw new BackendNotInstalledError({ backendType: type, specifier: packageName });
  const descriptor = module[exportName] as Partial<BackendDescriptor> | undefined;
  if (
    typeof descriptor?.factory !== "function" ||
    descriptor.type !== type ||
    typeof descriptor.options?.safeParse !== "function" ||
    descriptor.prices === undefined
  ) {
    throw new HermesError({
      code: "BACKEND_INVALID",
      message: `${packageName} does not export a "${exportName}" describing the ${type} backend; its version may not match @hermes/core.`,
    });
  }
  return descriptor as BackendDescriptor;
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

/**
 * A backend's optional peer (a vendor SDK), imported by the backend's own `load` (so it resolves from the
 * backend's package). When that package itself is not installed this is a BackendNotInstalledError with the
 * command that installs `specifier` (`modal@0.11.1`: a pinned one when the bare name is another package);
 * a dependency missing inside an installed one is rethrown as it is.
 */
export async function importPeer<T>(load: () => Promise<T>, peer: { backendType: string; specifier: string }): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const name = peer.specifier.replace(/(.)@[^/]*$/, "$1");
    if (!isMissing(error, name)) throw error;
    throw new BackendNotInstalledError({ ...peer, cause: error });
  }
}

/**
 * A "not found" about this package itself, not about a dependency missing inside it; or an installed
 * version of it that does not have this subpath (`@hermes/backend-cloud/modal` before that backend existed).
 */
function isMissing(error: unknown, specifier: string): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const root = packageRoot(specifier);
  const message = String((error as Error | undefined)?.message);
  const subpath = `.${specifier.slice(root.length)}`;
  // Node says ERR_PACKAGE_PATH_NOT_EXPORTED; Vite (under vitest) words it without a code.
  if (
    subpath !== "." &&
    (code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || message.includes(`Missing "${subpath}" specifier in "${root}" package`))
  )
    return true;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  return message.includes(`'${root}'`) || message.includes(`'${specifier}'`) || message.includes(`"${specifier}"`);
}
