import { BackendUnavailableError, ConfigError, importPeer } from "@hermes/core";
import type { DaytonaBackendOptions } from "./descriptor.js";

type Sdk = typeof import("@daytonaio/sdk");
export type DaytonaClient = InstanceType<Sdk["Daytona"]>;
export type DaytonaSandbox = Awaited<ReturnType<DaytonaClient["create"]>>;

/** The vendor SDK, an optional peer: loaded on first use, with the command that installs it when missing. */
export function loadDaytonaSdk(): Promise<Sdk> {
  return importPeer(() => import("@daytonaio/sdk"), { backendType: "daytona", specifier: "@daytonaio/sdk" });
}

/** The API key from the options or `DAYTONA_API_KEY`; a typed error naming both when neither is set. */
export function daytonaApiKey(options: DaytonaBackendOptions): string {
  const key = options.apiKey ?? process.env.DAYTONA_API_KEY;
  if (key) return key;
  throw new ConfigError({
    issues: [{ path: "api_key", value: undefined, expected: "a Daytona API key: set DAYTONA_API_KEY, or the backend's api_key key" }],
  });
}

export async function daytonaClient(options: DaytonaBackendOptions): Promise<DaytonaClient> {
  const { Daytona } = await loadDaytonaSdk();
  return new Daytona({
    apiKey: daytonaApiKey(options),
    ...(options.apiUrl !== undefined && { apiUrl: options.apiUrl }),
    ...(options.target !== undefined && { target: options.target }),
  });
}

/**
 * A vendor error as a typed one: authentication and permission are not retryable (a wrong key stays
 * wrong), rate limits, server errors and lost connections are.
 */
export function daytonaFailure(backend: string, doing: string, error: unknown): Error {
  if (error instanceof BackendUnavailableError || error instanceof ConfigError) return error;
  const status = (error as { statusCode?: number }).statusCode;
  const message = error instanceof Error ? error.message : String(error);
  const retryable = status === undefined || status === 408 || status === 429 || status >= 500;
  const why =
    status === 401
      ? "the API key was refused (check DAYTONA_API_KEY or api_key)"
      : status === 403
        ? "the API key may not do this"
        : `HTTP ${status ?? "error"}`;
  return new BackendUnavailableError({ backend, reason: `${doing}: ${why}: ${message}`, retryable, cause: error });
}

const attempts = 3;
const firstBackoffMs = 250;

/**
 * Runs an idempotent vendor call again after a failure the vendor calls temporary (429, 5xx, a lost
 * connection), waiting 250 ms, then 500 ms; anything else, or the last failure, is thrown as it came.
 */
export async function withRetries<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      const temporary =
        status === undefined
          ? error instanceof Error && /ECONNRE|socket hang up|ETIMEDOUT/.test(error.message)
          : status === 429 || status >= 500;
      if (!temporary || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, firstBackoffMs * 2 ** (attempt - 1)));
    }
  }
}
