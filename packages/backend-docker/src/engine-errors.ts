/** An error from dockerode or the socket under it, as an HTTP status and a short reason. */
interface EngineErrorShape {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  reason?: string;
  message?: string;
}

/** The engine's own words for a failed request, or what went wrong with the connection. */
export function describeEngineError(error: unknown): string {
  const shape = (error ?? {}) as EngineErrorShape;
  const fromEngine = shape.json?.message;
  if (fromEngine) return fromEngine.trim();
  switch (shape.code) {
    case "ENOENT":
      return "no engine socket there (is dockerd running?)";
    case "ECONNREFUSED":
      return "connection refused (is dockerd running?)";
    case "EACCES":
      return "permission denied on the engine socket (is this user in the docker group?)";
    case "ECONNRESET":
    case "EPIPE":
      return "the engine closed the connection";
  }
  return (shape.message ?? String(error)).trim();
}

/** The engine answered with this HTTP status. */
export function hasStatus(error: unknown, status: number): boolean {
  return (error as EngineErrorShape | null)?.statusCode === status;
}

/** The engine could not be reached at all (as opposed to refusing a request). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as EngineErrorShape | null)?.code;
  return (
    code === "ENOENT" || code === "ECONNREFUSED" || code === "ECONNRESET" || code === "EPIPE" || code === "ETIMEDOUT" || code === "EACCES"
  );
}
