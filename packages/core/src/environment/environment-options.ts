/** Options of `new Environment(backend, options)`; createEnv fills them from the configuration. */
export interface EnvironmentOptions {
  /** The environment's id (it labels what the backend creates). Default: a new random id. */
  id?: string;
  /** Configured instance name (defaults to the backend type). */
  backendName?: string;
  /** Default `exec` timeout. Default 180_000 ms. */
  timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL when a command is ended. Default 1000 ms. */
  killGraceMs?: number;
  /** Most session shells open at once for concurrent calls. Default 8. */
  maxShells?: number;
  /** Working directory the session starts in, resolved against the backend's default. */
  cwd?: string;
  /** Variables exported in the session at start. */
  env?: Record<string, string>;
  /**
   * A folder on this machine copied into the session's starting directory when the environment starts, and
   * that directory copied back onto it at dispose (files the commands deleted stay on this machine).
   */
  syncDir?: string;
  /** Configuration warnings, emitted as `warning` events when the environment starts. */
  warnings?: readonly string[];
}
