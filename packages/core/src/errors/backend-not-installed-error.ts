import { HermesError, hasMarker } from "./hermes-error.js";

const marker = Symbol.for("hermes.error.BackendNotInstalledError");

/** The package that implements a backend type is not installed where it can be imported. */
export class BackendNotInstalledError extends HermesError {
  private readonly [marker] = true;
  readonly backendType: string;
  readonly packageName: string;
  readonly installCommand: string;

  constructor(options: { backendType: string; packageName: string; cause?: unknown }) {
    const installCommand = `npm install ${options.packageName}`;
    super({
      message: `Backend type "${options.backendType}" needs the package ${options.packageName}, which is not installed. Install it with: ${installCommand}`,
      code: "BACKEND_NOT_INSTALLED",
      cause: options.cause,
    });
    this.name = "BackendNotInstalledError";
    this.backendType = options.backendType;
    this.packageName = options.packageName;
    this.installCommand = installCommand;
  }

  static override isInstance(error: unknown): error is BackendNotInstalledError {
    return hasMarker(error, marker);
  }
}
