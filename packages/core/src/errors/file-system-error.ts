import { HermesError, hasMarker } from "./hermes-error.js";

const marker = Symbol.for("hermes.error.FileSystemError");

export type FileSystemErrorReason =
  | "NotFound"
  | "NotADirectory"
  | "IsADirectory"
  | "AlreadyExists"
  | "NotEmpty"
  | "PermissionDenied"
  /** The filesystem is full (or a quota is reached): free space or write elsewhere, a retry alone will not help. */
  | "NoSpace"
  | "Other";

const codes: Record<FileSystemErrorReason, string> = {
  NotFound: "FILE_NOT_FOUND",
  NotADirectory: "FILE_NOT_A_DIRECTORY",
  IsADirectory: "FILE_IS_A_DIRECTORY",
  AlreadyExists: "FILE_ALREADY_EXISTS",
  NotEmpty: "FILE_DIRECTORY_NOT_EMPTY",
  PermissionDenied: "FILE_PERMISSION_DENIED",
  NoSpace: "FILE_NO_SPACE",
  Other: "FILE_ERROR",
};

/** A file operation failed inside the environment; `reason` says why in a form code can branch on. */
export class FileSystemError extends HermesError {
  readonly [marker] = true;
  readonly reason: FileSystemErrorReason;
  readonly path: string;
  readonly operation: string;

  constructor(options: { reason: FileSystemErrorReason; path: string; operation: string; detail?: string; cause?: unknown }) {
    const detail = options.detail ? `: ${options.detail}` : "";
    super({
      message: `${options.operation} ${options.path} failed (${options.reason})${detail}`,
      code: codes[options.reason],
      cause: options.cause,
    });
    this.name = "FileSystemError";
    this.reason = options.reason;
    this.path = options.path;
    this.operation = options.operation;
  }

  static override isInstance(error: unknown): error is FileSystemError {
    return hasMarker(error, marker);
  }
}
