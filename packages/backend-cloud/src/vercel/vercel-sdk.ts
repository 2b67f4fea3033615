import { BackendUnavailableError, ConfigError, importPeer } from "@hermes/core";
import type { VercelBackendOptions } from "./descriptor.js";

type Sdk = typeof import("@vercel/sandbox");
export type VercelSandbox = InstanceType<Sdk["Sandbox"]>;
export type VercelSession = ReturnType<VercelSandbox["currentSession"]>;
export type VercelCommand = Awaited<ReturnType<VercelSession["getCommand"]>>;

/** What every static call of the SDK takes: the credentials (or none, for `VERCEL_OIDC_TOKEN`) and the fetch. */
export interface VercelAccess {
  token?: string;
  teamId?: string;
  projectId?: string;
  fetch?: typeof globalThis.fetch;
}

/** The vendor SDK, an optional peer: loaded on first use, with the command that installs it when missing. */
export function loadVercelSdk(): Promise<Sdk> {
  // The SDK otherwise probes the environment for AI agents to name in its user agent.
  process.env.VERCEL_TELEMETRY_DISABLED ??= "1";
  return importPeer(() => import("@vercel/sandbox"), { backendType: "vercel-sandbox", specifier: "@vercel/sandbox" });
}

/**
 * The credentials the SDK is given: the three keys (or `VERCEL_TOKEN`, `VERCEL_TEAM_ID`, `VERCEL_PROJECT_ID`),
 * all or none; none means `VERCEL_OIDC_TOKEN`, which carries all three. With nothing set this is a typed
 * error: the SDK would otherwise start an interactive device login.
 */
export function vercelAccess(options: VercelBackendOptions): VercelAccess {
  const fetch = options.apiUrl === undefined ? undefined : rewritingFetch(options.apiUrl);
  const given: Record<string, string> = {};
  const missing: Array<(typeof credentialKeys)[number]> = [];
  for (const entry of credentialKeys) {
    const value = options[entry.option] ?? process.env[entry.variable];
    if (value === undefined) missing.push(entry);
    else given[entry.option] = value;
  }
  if (missing.length === 0) return { ...given, ...(fetch && { fetch }) };
  if (missing.length === credentialKeys.length && process.env.VERCEL_OIDC_TOKEN) return fetch ? { fetch } : {};
  throw new ConfigError({
    issues: missing.map(({ key, variable }) => ({
      path: key,
      value: undefined,
      expected: `set ${variable}, or the backend's ${key} key (or VERCEL_OIDC_TOKEN, which carries all three)`,
    })),
  });
}

const credentialKeys = [
  { key: "token", option: "token", variable: "VERCEL_TOKEN" },
  { key: "team_id", option: "teamId", variable: "VERCEL_TEAM_ID" },
  { key: "project_id", option: "projectId", variable: "VERCEL_PROJECT_ID" },
] as const;

/**
 * A fetch that sends the SDK's requests to `apiUrl` instead of Vercel's API (whose origin is fixed in the
 * SDK, and has moved between `vercel.com/api` and `api.vercel.com` before, so both are rewritten).
 */
export function rewritingFetch(apiUrl: string): typeof globalThis.fetch {
  const base = apiUrl.replace(/\/$/, "");
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const path = url.host === "vercel.com" ? url.pathname.replace(/^\/api/, "") : url.pathname;
    // The SDK's own connection pool (an undici 7 Agent) is dropped: it is meant for Vercel's HTTPS origin,
    // and handed to this Node's fetch (another undici) it loses requests on reused connections.
    const { dispatcher: _dispatcher, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
    return globalThis.fetch(`${base}${path}${url.search}`, rest);
  };
}

/** The HTTP status of an SDK error (`APIError` carries the response), if it has one. */
export function vercelStatus(error: unknown): number | undefined {
  return (error as { response?: { status?: number } }).response?.status;
}

/**
 * A vendor error as a typed one: authentication and permission are not retryable (a wrong token stays
 * wrong), rate limits, server errors and lost connections are. The SDK has already retried those twice.
 */
export function vercelFailure(backend: string, doing: string, error: unknown): Error {
  if (error instanceof BackendUnavailableError || error instanceof ConfigError) return error;
  const status = vercelStatus(error);
  const body = (error as { json?: { error?: { code?: string; message?: string } } }).json?.error;
  const message = body?.message ?? (error instanceof Error ? error.message : String(error));
  const retryable = status === undefined || status === 408 || status === 429 || status >= 500;
  const why =
    status === 401
      ? "the token was refused (check VERCEL_TOKEN or token)"
      : status === 403
        ? "the token may not do this for this team and project"
        : status === 410
          ? "the sandbox has stopped (its timeout passed, or it was stopped elsewhere)"
          : `HTTP ${status ?? "error"}${body?.code ? ` ${body.code}` : ""}`;
  return new BackendUnavailableError({ backend, reason: `${doing}: ${why}: ${message}`, retryable, cause: error });
}
