const baseMarker = Symbol.for("hermes.error");

export interface HermesErrorOptions {
  message: string;
  /** Stable machine-readable code, e.g. `CONFIG_INVALID`. */
  code: string;
  /** Whether trying the same operation again may succeed. */
  retryable?: boolean;
  cause?: unknown;
}

/**
 * Base of every error the SDK throws. `isInstance` checks a `Symbol.for` marker instead of the
 * prototype chain, so it also works when two copies of `@hermes/core` are loaded.
 */
export class HermesError extends Error {
  readonly [baseMarker] = true;
  readonly code: string;
  readonly retryable: boolean;

  constructor(options: HermesErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HermesError";
    this.code = options.code;
    this.retryable = options.retryable ?? false;
  }

  static isInstance(error: unknown): error is HermesError {
    return hasMarker(error, baseMarker);
  }
}

/** True when `error` carries the given marker; how subclasses implement `isInstance`. */
export function hasMarker(error: unknown, marker: symbol): boolean {
  return typeof error === "object" && error !== null && marker in error && (error as Record<symbol, unknown>)[marker] === true;
}
