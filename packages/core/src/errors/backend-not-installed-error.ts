import { HermesError, hasMarker } from "./hermes-error.js";

const marker = Symbol.for("hermes.error.BackendNotInstalledError");

/** The package that implements a backend type is not installed where it can be imported. */
export class BackendNotInstalledError extends HermesError {
  readonly [marker] = true;
  readonly backendType: string;
  readonly packageName: string;
  readonly installCommand: string;

  /** `specifier` is what is imported, e.g. `@hermes/backend-cloud/modal`; the package is its root. */
  constructor(options: { backendType: string; specifier: string; cause?: unknown }) {
    const packageName = packageRoot(options.specifier);
    const installCommand = `npm install ${packageName}`;
    super({
      message: `Backend type "${options.backendType}" needs the package ${packageName}, which is not installed. Install it with: ${installCommand}`,
      code: "BACKEND_NOT_INSTALLED",
      cause: options.cause,
    });
    this.name = "BackendNotInstalledError";
    this.backendType = options.backendType;
    this.packageName = packageName;
    this.installCommand = installCommand;
  }

  static override isInstance(error: unknown): error is BackendNotInstalledError {
    return hasMarker(error, marker);
  }
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
export function packageRoot(specifier: string): string {
  const parts = specifier.split("/");
  return (specifier.startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1)).join("/");
}
