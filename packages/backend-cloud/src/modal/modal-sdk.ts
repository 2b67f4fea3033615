import { BackendUnavailableError, ConfigError, importPeer } from "@hermes/core";
import { withDeadline } from "../vendor-deadline.js";
import type { ModalBackendOptions } from "./descriptor.js";

type Sdk = typeof import("modal");
export type ModalClient = InstanceType<Sdk["ModalClient"]>;
export type ModalSandbox = Awaited<ReturnType<ModalClient["sandboxes"]["create"]>>;
export type ModalExec = Awaited<ReturnType<ModalSandbox["exec"]>>;

/** The vendor SDK, an optional peer: loaded on first use, with the command that installs it when missing. */
export function loadModalSdk(): Promise<Sdk> {
  // `modal@latest` is an unrelated browser library: the pinned version is named.
  return importPeer(() => import("modal"), { backendType: "modal", specifier: "modal@0.11.1" });
}

/**
 * A client of its own for one environment (closed with it, which also ends the SDK's endless retries and
 * every call still waiting for an answer: the SDK's own `close` leaves those open, and their connection
 * keeps this process alive). The SDK takes its server only from `MODAL_SERVER_URL`, read while the client
 * is built: `apiUrl` is set there for that synchronous moment and the variable restored at once, so no
 * other client in this process sees it. Without credentials anywhere this is a typed error naming where
 * they go.
 */
export async function modalClient(options: ModalBackendOptions): Promise<ModalClient> {
  const { ModalClient } = await loadModalSdk();
  const saved = process.env.MODAL_SERVER_URL;
  if (options.apiUrl !== undefined) process.env.MODAL_SERVER_URL = options.apiUrl;
  const closed = new AbortController();
  let client: ModalClient;
  try {
    client = new ModalClient({
      ...(options.tokenId !== undefined && { tokenId: options.tokenId }),
      ...(options.tokenSecret !== undefined && { tokenSecret: options.tokenSecret }),
      ...(options.environment !== undefined && { environment: options.environment }),
      logLevel: "error",
      grpcMiddleware: [cancelledOnClose(closed.signal)],
    } as ConstructorParameters<typeof ModalClient>[0]);
  } catch (error) {
    throw modalFailure("modal", "reading the Modal credentials", error);
  } finally {
    if (saved === undefined) delete process.env.MODAL_SERVER_URL;
    else process.env.MODAL_SERVER_URL = saved;
  }
  const close = client.close.bind(client);
  client.close = () => {
    close();
    closed.abort();
  };
  const { tokenId, tokenSecret, oauthRefreshToken } = client.profile as {
    tokenId?: string;
    tokenSecret?: string;
    oauthRefreshToken?: string;
  };
  if (oauthRefreshToken || (tokenId && tokenSecret)) return client;
  client.close();
  throw new ConfigError({
    issues: [
      { key: "token_id", variable: "MODAL_TOKEN_ID", value: tokenId },
      { key: "token_secret", variable: "MODAL_TOKEN_SECRET", value: tokenSecret },
    ]
      .filter((entry) => !entry.value)
      .map(({ key, variable }) => ({
        path: key,
        value: undefined,
        expected: `set ${variable}, the backend's ${key} key, or ${key} in ~/.modal.toml (\`modal token new\` writes it)`,
      })),
  });
}

type Middleware = NonNullable<NonNullable<ConstructorParameters<Sdk["ModalClient"]>[0]>["grpcMiddleware"]>[number];

/** Every call (each try of it, behind the SDK's retries) cancelled once `closed` aborts. */
function cancelledOnClose(closed: AbortSignal): Middleware {
  return async function* cancelled(call, options) {
    const signal = options.signal ? AbortSignal.any([options.signal, closed]) : closed;
    return yield* call.next(call.request, { ...options, signal });
  } as Middleware;
}

/** gRPC status codes (the SDK's errors carry them as numbers). */
const grpc = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;
const statusName = Object.fromEntries(Object.entries(grpc).map(([name, code]) => [code, name]));

/** The gRPC status of an SDK error (nice-grpc's `ClientError` carries it), if it has one. */
export function modalStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}

export const isNotFound = (error: unknown) =>
  modalStatus(error) === grpc.NOT_FOUND || (error as Error | undefined)?.constructor?.name === "NotFoundError";

/**
 * A vendor error as a typed one. A refused token or permission stays refused (not retryable); a secret or
 * GPU type Modal does not know is a configuration error quoting Modal's words; a quota, a lost connection
 * and a server error are retryable (the SDK has already retried the transient ones).
 */
export function modalFailure(backend: string, doing: string, error: unknown): Error {
  if (BackendUnavailableError.isInstance(error) || ConfigError.isInstance(error)) return error;
  const status = modalStatus(error);
  const sdkError = (error as Error | undefined)?.constructor?.name;
  const message = (error as { details?: string }).details ?? (error instanceof Error ? error.message : String(error));
  if (/^Secret '.*' not found/.test(message))
    return configIssue("secrets", `a Modal secret of this workspace (\`modal secret list\`): ${message}`, error);
  if (status === grpc.INVALID_ARGUMENT && /GPU/i.test(message)) return configIssue("gpu", `a GPU type Modal offers: ${message}`, error);
  if (sdkError === "InvalidError" && /credentials/i.test(message)) return configIssue("token_id", message, error);
  const why =
    status === grpc.ALREADY_EXISTS
      ? "a running sandbox has this name (another environment of this instance holds it, or a crashed one left it: `hermes-env backend reap` ends those)"
      : status === grpc.UNAUTHENTICATED
        ? "the token was refused (check MODAL_TOKEN_ID and MODAL_TOKEN_SECRET, or token_id and token_secret)"
        : status === grpc.PERMISSION_DENIED
          ? "the token may not do this in this workspace"
          : status === grpc.RESOURCE_EXHAUSTED
            ? "a Modal quota or rate limit was reached"
            : sdkError === "ClientClosedError"
              ? "the environment's client was closed"
              : status === undefined
                ? (sdkError ?? "error")
                : (statusName[status] ?? `gRPC status ${status}`);
  const retryable =
    status !== grpc.UNAUTHENTICATED &&
    status !== grpc.PERMISSION_DENIED &&
    status !== grpc.INVALID_ARGUMENT &&
    status !== grpc.NOT_FOUND &&
    status !== grpc.ALREADY_EXISTS &&
    sdkError !== "ClientClosedError";
  return new BackendUnavailableError({ backend, reason: `${doing}: ${why}: ${message}`, retryable, cause: error });
}

function configIssue(path: string, expected: string, cause: unknown): ConfigError {
  return new ConfigError({ issues: [{ path, value: undefined, expected }], cause });
}

/**
 * `promise`, or a retryable error once `ms` have passed: the SDK retries some calls without end while its
 * server is unreachable. What the call yields after that is handed to `late` (to end a sandbox made too late).
 */
export function bounded<T>(promise: Promise<T>, ms: number, backend: string, doing: string, late?: (value: T) => void): Promise<T> {
  return withDeadline(promise, { ms, backend, vendor: "Modal", doing, ...(late && { late }) });
}
