import type { Capabilities, ExecutionEnvironment } from "@hermes/core";
import { afterAll, beforeAll, it } from "vitest";

export interface ConformanceOptions {
  /** A new environment (createEnv or `new Environment(backend)`); the suite starts and disposes it. */
  create(): Promise<ExecutionEnvironment>;
  /**
   * Whether a process, by its pid inside the environment, still runs, seen from outside the environment
   * (e.g. the host's /proc, or another exec in the environment's container). Lets the suite check that
   * dispose() leaves nothing running; without it that case is skipped.
   */
  processAlive?(pid: number, environment: ExecutionEnvironment): Promise<boolean>;
  /** Cases to skip, by name, each with the reason (printed in the test name). */
  skip?: ReadonlyArray<{ test: string; reason: string }>;
  /** Multiplies time limits for slow backends. Default 1. */
  slowness?: number;
}

type Capability = keyof Capabilities;

/** What each group of cases gets: a shared environment and a way to declare cases with their needs. */
export class SuiteContext {
  readonly testTimeoutMs: number;
  private shared: ExecutionEnvironment | undefined;

  constructor(
    readonly options: ConformanceOptions,
    readonly capabilities: Capabilities,
  ) {
    this.testTimeoutMs = 30_000 * (options.slowness ?? 1);
  }

  /** One environment for the cases of the current describe block, disposed after them. */
  useSharedEnvironment(): () => ExecutionEnvironment {
    beforeAll(async () => {
      this.shared = await this.options.create();
      await this.shared.start();
    }, this.testTimeoutMs);
    afterAll(async () => {
      await this.shared?.dispose();
      this.shared = undefined;
    }, this.testTimeoutMs);
    return () => {
      if (!this.shared) throw new Error("the shared environment is not ready");
      return this.shared;
    };
  }

  /** Declares a case that cannot run here, with the reason in its name. */
  skip(name: string, reason: string): void {
    it.skip(`${name} [skipped: ${reason}]`, () => {});
  }

  /** Declares a case; it is skipped, with the reason in its name, when the backend lacks a capability it needs. */
  test(name: string, needs: readonly Capability[], body: () => Promise<void>): void {
    const explicit = this.options.skip?.find((entry) => entry.test === name);
    const missing = needs.filter((capability) => this.capabilities[capability] === false);
    if (explicit) it.skip(`${name} [skipped: ${explicit.reason}]`, body);
    else if (missing.length > 0) it.skip(`${name} [skipped: the backend does not declare ${missing.join(", ")}]`, body);
    else it(name, body, this.testTimeoutMs);
  }
}

/** Bash that succeeds while a pid runs and is not a zombie (builtins and /proc only). */
export const aliveFunction = `alive() { local s; { read -r s < /proc/$1/stat; } 2>/dev/null || return 1; s=\${s##*) }; [ "\${s%% *}" != Z ]; }`;
