/** The defaults of every command, resolved here and nowhere else. */
export const commandDefaults = {
  /** An `exec` without `timeoutMs` (Hermes's `timeout`). A spawned process has no limit unless given one. */
  timeoutMs: 180_000,
  /** Bytes kept per output stream; beyond it the head and tail are kept. */
  maxOutputBytes: 1024 * 1024,
  /** Between the first signal and SIGKILL when a command is ended. */
  killGraceMs: 1000,
  /** Session shells open at once for concurrent calls. */
  maxShells: 8,
} as const;
