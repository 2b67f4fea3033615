import type * as BackendPackages from "../src/config/backend-packages.js";

/**
 * Core's map of backend packages with modal's pointed at a subpath @hermes/backend-cloud does not export:
 * modal then stands, in core's tests, for a type whose package is not installed (every one is, in this
 * workspace). Used as `vi.mock(<backend-packages.js>, async (original) => modalNotInstalled(await original()))`.
 */
export function modalNotInstalled(actual: typeof BackendPackages): typeof BackendPackages {
  const modal = { packageName: "@hermes/backend-cloud/not-installed", exportName: "descriptor" };
  return { ...actual, backendPackages: { ...actual.backendPackages, modal } } as unknown as typeof BackendPackages;
}
