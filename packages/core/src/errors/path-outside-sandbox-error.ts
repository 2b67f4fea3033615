import { HermesError, hasMarker } from "./hermes-error.js";

const marker = Symbol.for("hermes.error.PathOutsideSandboxError");

/** A file operation named a path that resolves outside the environment's `sandbox_root`. */
export class PathOutsideSandboxError extends HermesError {
  readonly [marker] = true;
  readonly path: string;
  readonly resolvedPath: string;
  readonly sandboxRoot: string;

  constructor(options: { path: string; resolvedPath: string; sandboxRoot: string; operation: string }) {
    const via = options.resolvedPath === options.path ? "" : ` (it resolves to ${options.resolvedPath})`;
    super({
      message: `Refused to ${options.operation} ${options.path}${via}: it is outside the sandbox root ${options.sandboxRoot}. Use a path inside ${options.sandboxRoot}.`,
      code: "PATH_OUTSIDE_SANDBOX",
    });
    this.name = "PathOutsideSandboxError";
    this.path = options.path;
    this.resolvedPath = options.resolvedPath;
    this.sandboxRoot = options.sandboxRoot;
  }

  static override isInstance(error: unknown): error is PathOutsideSandboxError {
    return hasMarker(error, marker);
  }
}
