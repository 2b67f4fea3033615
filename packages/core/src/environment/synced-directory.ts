import type { FilePrimitives } from "../types/backend.js";
import { downloadFolder, uploadFolder } from "./environment-file-system.js";

type Warn = (code: string, message: string) => void;

/**
 * The `syncDir` option: a host folder copied into the session's starting directory as the environment
 * starts, and back once every command has ended at dispose.
 */
export class SyncedDirectory {
  /** Where the folder went in; nothing comes back from an environment it never reached. */
  private envDir: string | undefined;

  constructor(
    private readonly hostDir: string,
    private readonly warn: Warn,
  ) {}

  /** Copies the folder in; a failure is the caller's (the start fails). */
  async copyIn(files: FilePrimitives, envDir: string): Promise<void> {
    await uploadFolder(files, this.hostDir, envDir, { warn: this.warn });
    this.envDir = envDir;
  }

  /** Copies it back; a failure is told, and the dispose goes on. */
  async copyBack(files: FilePrimitives): Promise<void> {
    const envDir = this.envDir;
    if (envDir === undefined) return;
    await downloadFolder(files, envDir, this.hostDir, { warn: this.warn }).catch((error: unknown) =>
      this.warn("SYNC_BACK_FAILED", `could not copy ${envDir} back to ${this.hostDir}: ${String(error)}`),
    );
  }
}
