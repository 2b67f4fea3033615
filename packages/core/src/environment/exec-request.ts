import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { assertNoNul, assertVariableName } from "../session/shell-quote.js";
import type { ExecOptions, SpawnOptions } from "../types/exec.js";

/** setTimeout's ceiling (about 24.8 days); larger limits would fire at once. */
const maxTimerMs = 2_147_483_647;

/** Checks a command and its options before anything runs, so a bad call fails with a clear message. */
export function checkCommand(command: unknown): asserts command is string | readonly string[] {
  if (typeof command === "string") return assertNoNul(command, "command");
  if (Array.isArray(command) && command.length > 0 && command.every((part) => typeof part === "string")) {
    if (command[0] === "") throw new InvalidArgumentError({ argument: "command[0]", value: "", expected: "a program name" });
    for (const [index, part] of command.entries()) assertNoNul(part as string, `command[${index}]`);
    return;
  }
  throw new InvalidArgumentError({
    argument: "command",
    value: command,
    expected: "a string for bash, or a non-empty array of strings (program and arguments) to run without a shell",
  });
}

export function checkOptions(options: ExecOptions | SpawnOptions, kind: "exec" | "spawn"): void {
  const prefix = `${kind} option`;
  if (options.timeoutMs !== undefined) {
    const value = options.timeoutMs;
    if (typeof value !== "number" || !(value > 0) || value > maxTimerMs) {
      throw new InvalidArgumentError({
        argument: `${prefix} timeoutMs`,
        value,
        expected: `milliseconds, more than 0 and at most ${maxTimerMs}`,
      });
    }
  }
  if (options.maxOutputBytes !== undefined) {
    const value = options.maxOutputBytes;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new InvalidArgumentError({ argument: `${prefix} maxOutputBytes`, value, expected: "a whole number of bytes, 0 or more" });
    }
  }
  if (options.cwd !== undefined && (typeof options.cwd !== "string" || options.cwd === "")) {
    throw new InvalidArgumentError({ argument: `${prefix} cwd`, value: options.cwd, expected: "a non-empty path" });
  }
  if (options.env !== undefined) {
    if (typeof options.env !== "object" || options.env === null) {
      throw new InvalidArgumentError({
        argument: `${prefix} env`,
        value: options.env,
        expected: "an object of variable names to string values",
      });
    }
    for (const [name, value] of Object.entries(options.env)) {
      assertVariableName(name, `${prefix} env`);
      if (typeof value !== "string") {
        throw new InvalidArgumentError({ argument: `${prefix} env.${name}`, value, expected: "a string" });
      }
    }
  }
  if (options.stdin !== undefined && typeof options.stdin !== "string" && !(options.stdin instanceof Uint8Array)) {
    throw new InvalidArgumentError({ argument: `${prefix} stdin`, value: options.stdin, expected: "a string or a Uint8Array" });
  }
}

export function stdinBytes(stdin: string | Uint8Array | undefined): Uint8Array | undefined {
  return typeof stdin === "string" ? Buffer.from(stdin, "utf8") : stdin;
}
