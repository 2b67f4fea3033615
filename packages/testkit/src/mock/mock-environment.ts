import {
  type Capabilities,
  CommandAbortedError,
  defaultCapabilities,
  EnvironmentDisposedError,
  type EnvironmentEvents,
  type EnvironmentStatus,
  type ExecOptions,
  type ExecResult,
  type ExecutionEnvironment,
  environmentFileSystem,
  type ProcessHandle,
  resolveEnvPath,
  type SpawnOptions,
} from "@hermes/core";
import { EventEmitter } from "eventemitter3";
import { MemoryFiles } from "./memory-files.js";

/** What a handler answers: stdout text, or any part of the result. */
export type MockResponse = string | Partial<ExecResult>;
export type MockMatcher = string | RegExp | ((command: string) => boolean);
export type MockResponder = MockResponse | ((command: string, options: ExecOptions) => MockResponse | Promise<MockResponse>);

export interface MockCall {
  kind: "exec" | "spawn";
  command: string;
  options: ExecOptions | SpawnOptions;
}

export interface MockEnvironmentOptions {
  backend?: string;
  capabilities?: Partial<Capabilities>;
  /** The (fixed) working directory relative file paths resolve against. Default "/workspace". */
  cwd?: string;
  /** Files present at the start. */
  files?: Record<string, string | Uint8Array>;
}

/** Core's defaults, but no session: a mock keeps no shell state between calls. */
const mockCapabilities: Capabilities = { ...defaultCapabilities, persistentSession: false, network: "none" };

/**
 * An ExecutionEnvironment for your own tests: commands are answered by handlers you register (first match
 * wins; unmatched commands exit 127), every call is recorded in `calls`, and files live in memory with
 * the same semantics and errors as a real backend. Nothing runs.
 */
export class MockEnvironment extends EventEmitter<EnvironmentEvents> implements ExecutionEnvironment {
  readonly id = `mock-${Math.random().toString(16).slice(2)}`;
  readonly backend: string;
  readonly type = "mock";
  readonly capabilities: Capabilities;
  readonly files;
  readonly calls: MockCall[] = [];
  private readonly handlers: Array<{ matcher: MockMatcher; responder: MockResponder }> = [];
  private readonly memory = new MemoryFiles();
  private readonly cwd: string;
  private disposed = false;
  private commandsRun = 0;

  constructor(options: MockEnvironmentOptions = {}) {
    super();
    this.backend = options.backend ?? "mock";
    this.capabilities = { ...mockCapabilities, ...options.capabilities };
    this.cwd = options.cwd ?? "/workspace";
    void this.memory.mkdir(this.cwd, { recursive: true });
    for (const [path, data] of Object.entries(options.files ?? {})) {
      this.memory.put(resolveEnvPath(path, { cwd: this.cwd, home: "/root" }), typeof data === "string" ? Buffer.from(data) : data);
    }
    this.files = environmentFileSystem({
      primitives: async (operation) => {
        this.assertOpen(operation);
        return this.memory;
      },
      location: () => ({ cwd: this.cwd, home: "/root" }),
      warn: (code, message) => this.emit("warning", { code, message }),
    });
  }

  /** Answers commands that match (a whole command string, a RegExp or a predicate). Later handlers do not override earlier ones. */
  handle(matcher: MockMatcher, responder: MockResponder): this {
    this.handlers.push({ matcher, responder });
    return this;
  }

  async exec(command: string | readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.assertOpen("run a command");
    const text = typeof command === "string" ? command : command.join(" ");
    this.calls.push({ kind: "exec", command: text, options });
    const result = await this.respond(text, options);
    if (options.signal?.aborted)
      throw new CommandAbortedError({ result: { ...result, exitCode: null, signal: "SIGTERM" }, reason: options.signal.reason });
    if (result.stdout) options.onStdout?.(result.stdout);
    if (result.stderr) options.onStderr?.(result.stderr);
    this.commandsRun++;
    return result;
  }

  async spawn(command: string | readonly string[], options: SpawnOptions = {}): Promise<ProcessHandle> {
    this.assertOpen("spawn a process");
    const text = typeof command === "string" ? command : command.join(" ");
    this.calls.push({ kind: "spawn", command: text, options });
    const result = await this.respond(text, options);
    const once = (value: string) => ({
      async *[Symbol.asyncIterator]() {
        if (value) yield value;
      },
    });
    return {
      id: `mock-process-${this.calls.length}`,
      pid: undefined,
      stdout: once(result.stdout),
      stderr: once(result.stderr),
      write: async () => {},
      closeStdin: async () => {},
      wait: async () => result,
      kill: async () => {},
    };
  }

  async start(): Promise<void> {
    this.assertOpen("start");
  }

  async status(): Promise<EnvironmentStatus> {
    return {
      id: this.id,
      backend: this.backend,
      type: this.type,
      state: this.disposed ? "disposed" : "ready",
      cwd: this.cwd,
      commandsRun: this.commandsRun,
      runningCommands: 0,
      backgroundProcesses: 0,
      startedAt: null,
      lastUsedAt: null,
    };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.emit("disposed");
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  private async respond(command: string, options: ExecOptions | SpawnOptions): Promise<ExecResult> {
    const handler = this.handlers.find(({ matcher }) => matches(matcher, command));
    const response = handler
      ? typeof handler.responder === "function"
        ? await handler.responder(command, options)
        : handler.responder
      : { exitCode: 127, stderr: `mock: no handler for command: ${command}\n` };
    const partial = typeof response === "string" ? { stdout: response } : response;
    return {
      exitCode: 0,
      signal: null,
      stdout: "",
      stderr: "",
      timedOut: false,
      truncated: false,
      durationMs: 0,
      cwd: this.cwd,
      backend: this.backend,
      ...partial,
    };
  }

  private assertOpen(operation: string): void {
    if (this.disposed) throw new EnvironmentDisposedError({ environmentId: this.id, operation });
  }
}

function matches(matcher: MockMatcher, command: string): boolean {
  if (typeof matcher === "string") return matcher === command;
  if (matcher instanceof RegExp) return matcher.test(command);
  return matcher(command);
}

/** A mock environment; see MockEnvironment. */
export function createMockEnvironment(options: MockEnvironmentOptions = {}): MockEnvironment {
  return new MockEnvironment(options);
}
