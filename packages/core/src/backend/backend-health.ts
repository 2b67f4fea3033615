import { Environment } from "../environment/environment.js";
import { ConfigError } from "../errors/config-error.js";
import type { Backend, HealthReport } from "../types/backend.js";

/**
 * Whether environments of `backend` can be created now. Never throws. A backend without a `health` of
 * its own is checked the long way: an environment is created, runs `true`, and is disposed.
 */
export async function backendHealth(backend: Backend, backendName = backend.type): Promise<HealthReport> {
  if (backend.health) return backend.health().catch(failure);
  const environment = new Environment(backend, { backendName, timeoutMs: 30_000 });
  try {
    const result = await environment.exec("true");
    return result.exitCode === 0 ? { ok: true } : { ok: false, reason: `true exited with ${result.exitCode ?? result.signal}` };
  } catch (error) {
    return failure(error);
  } finally {
    await environment.dispose().catch(() => {});
  }
}

/** health() should never throw; one that does is reported, a ConfigError as "not configured". */
function failure(error: unknown): HealthReport {
  return { ok: false, reason: error instanceof Error ? error.message : String(error), notConfigured: ConfigError.isInstance(error) };
}
