import type { BackendContext } from "../types/backend.js";

/**
 * This process's values of the variables a backend's option names (docker's `forward_env`, the HPC
 * backend's `env_passthrough`), to set in the target; a name that is not set here is a warning that says
 * which key named it.
 */
export function forwardedVariables(
  names: readonly string[] | undefined,
  key: string,
  warn: BackendContext["warn"],
): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const name of names ?? []) {
    const value = process.env[name];
    if (value === undefined) warn("ENV_NOT_FORWARDED", `${key} names ${name}, which is not set here; it is not passed`);
    else variables[name] = value;
  }
  return variables;
}
