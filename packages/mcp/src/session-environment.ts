import type { ConfirmCallback, ExecutionEnvironment } from "@hermes/core";

/** Makes the environment of one MCP session, given how to ask the session's user to confirm an action. */
export type EnvironmentFactory = (confirm: ConfirmCallback) => Promise<ExecutionEnvironment>;

/**
 * The one environment of an MCP session: made at the session's first tool call (so a client that only
 * lists tools starts nothing), its state (cwd, exports, background processes) kept for the session's life,
 * disposed when the session ends.
 */
export class SessionEnvironment {
  private made: Promise<ExecutionEnvironment> | undefined;
  private disposed = false;

  constructor(
    private readonly create: EnvironmentFactory,
    private readonly confirm: ConfirmCallback,
  ) {}

  get(): Promise<ExecutionEnvironment> {
    if (this.disposed) return Promise.reject(new Error("the MCP session has ended"));
    if (!this.made) {
      const made = this.create(this.confirm);
      // A failed creation is not kept: the next call tries again (a backend may come up).
      made.catch(() => {
        if (this.made === made) this.made = undefined;
      });
      this.made = made;
    }
    return this.made;
  }

  /** Whether an environment was made (and not yet disposed). */
  get started(): boolean {
    return this.made !== undefined && !this.disposed;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const made = this.made;
    this.made = undefined;
    if (made) await (await made.catch(() => undefined))?.dispose();
  }
}
