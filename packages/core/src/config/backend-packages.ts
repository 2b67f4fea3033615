import { BackendNotInstalledError } from "../errors/backend-not-installed-error.js";

/**
 * Backend types and the package (and its export, a `BackendDescriptor`) that implements each: all core knows
 * of a type until its package is loaded. Options, prices, isolation and policy defaults live in the descriptor.
 */
export const backendPackages = {
  local: { packageName: "@hermes/backend-local", exportName: "descriptor" },
  docker: { packageName: "@hermes/backend-docker", exportName: "descriptor" },
  ssh: { packageName: "@hermes/backend-ssh", exportName: "descriptor" },
  modal: { packageName: "@hermes/backend-cloud/modal", exportName: "descriptor" },
  daytona: { packageName: "@hermes/backend-cloud/daytona", exportName: "descriptor" },
  "vercel-sandbox": { packageName: "@hermes/backend-cloud/vercel", exportName: "descriptor" },
  singularity: { packageName: "@hermes/backend-hpc", exportName: "descriptor" },
} as const;

export type BackendType = keyof typeof backendPackages;

/** Other names a configuration may give a type (`type: apptainer` is the singularity backend). */
export const backendTypeAliases: Readonly<Record<string, BackendType>> = { apptainer: "singularity" };
export const backendTypes = Object.keys(backendPackages) as BackendType[];

export function isBackendType(name: string): name is BackendType {
  return Object.hasOwn(backendPackages, name);
}

/** Why an instance's own keys go unchecked: its package is missing (named, with the install command). */
export function notInstalledWarning(path: string, type: BackendType): string {
  const missing = new BackendNotInstalledError({ backendType: type, specifier: backendPackages[type].packageName });
  return (
    `${path}: backend type "${type}" needs the package ${missing.packageName}, which is not installed (${missing.installCommand}); ` +
    "only its common keys are checked, and creating it fails until it is installed"
  );
}
