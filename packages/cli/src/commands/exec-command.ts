import { parseArgs } from "node:util";
import { CommandAbortedError, createEnv, type ExecResult, parseDuration } from "@hermes/core";
import type { CliIo } from "../cli-io.js";
import { exitCodeOf, signalExitCode } from "../exit-codes.js";
import { usageDirectory } from "../usage-directory.js";
import { UsageError } from "../usage-error.js";

export const execUsage = `hermes-env exec [options] -- COMMAND...

Runs a command in an execution environment, streams its output and exits with its code
(124 on timeout, 128+n when a signal ended it). One argument is a bash command line;
several are a program and its arguments, passed without a shell.

Options:
  --backend NAME     configured instance or backend type (default: the configured default)
  --config FILE      configuration file (default: $HERMES_CONFIG, ./hermes.yaml, ~/.hermes/config.yaml)
  --timeout DURATION wall-clock limit, e.g. 30s, 5m (a bare number is seconds; default 180s)
  --cwd DIR          working directory, relative to the backend's default
  --env NAME=VALUE   variable for the command (repeatable)
  --stdin            pass this process's stdin to the command (default: empty stdin)
  --one-shot         run in a fresh shell instead of the persistent session`;

export async function execCommand(args: string[], io: CliIo): Promise<number> {
  const separator = args.indexOf("--");
  const optionArgs = separator === -1 ? args : args.slice(0, separator);
  const { values, positionals } = parseArgs({
    args: optionArgs,
    allowPositionals: separator === -1,
    options: {
      backend: { type: "string" },
      config: { type: "string" },
      timeout: { type: "string" },
      cwd: { type: "string" },
      env: { type: "string", multiple: true },
      stdin: { type: "boolean" },
      "one-shot": { type: "boolean" },
    },
  });
  const command = separator === -1 ? positionals : args.slice(separator + 1);
  if (command.length === 0) throw new UsageError("exec needs a command after --, e.g. hermes-env exec -- 'ls -la'");

  const timeoutMs = values.timeout === undefined ? undefined : parseDuration(values.timeout);
  if (values.timeout !== undefined && timeoutMs === undefined) {
    throw new UsageError(`--timeout ${JSON.stringify(values.timeout)} is not a duration; use e.g. 30s, 5m or 90`);
  }
  const env = parseEnvAssignments(values.env ?? []);
  const stdin = values.stdin ? await io.readStdin() : undefined;

  const environment = await createEnv({
    ...(values.config !== undefined && { config: values.config }),
    ...(values.backend !== undefined && { backend: values.backend }),
    ...(values.cwd !== undefined && { cwd: values.cwd }),
    usage: usageDirectory(io),
  });
  environment.on("warning", ({ message }) => io.stderr(`hermes-env: warning: ${message}\n`));
  const abort = new AbortController();
  let receivedSignal: NodeJS.Signals | undefined;
  const unsubscribe = io.onSignal((signal) => {
    receivedSignal = signal;
    abort.abort(new Error(`hermes-env received ${signal}`));
  });
  try {
    const result = await environment.exec(command.length === 1 ? (command[0] as string) : command, {
      signal: abort.signal,
      session: !values["one-shot"],
      onStdout: io.stdout,
      onStderr: io.stderr,
      // Everything was streamed already; keep little in memory.
      maxOutputBytes: 64 * 1024,
      ...(timeoutMs !== undefined && { timeoutMs }),
      ...(Object.keys(env).length > 0 && { env }),
      ...(stdin !== undefined && { stdin }),
    });
    if (result.timedOut) io.stderr(`hermes-env: the command timed out after ${describeMs(result)}\n`);
    return exitCodeOf(result);
  } catch (error) {
    if (CommandAbortedError.isInstance(error)) return signalExitCode(receivedSignal ?? "SIGINT");
    throw error;
  } finally {
    unsubscribe();
    await environment.dispose();
  }
}

function parseEnvAssignments(assignments: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const assignment of assignments) {
    const equals = assignment.indexOf("=");
    const name = assignment.slice(0, equals);
    if (equals <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new UsageError(`--env ${JSON.stringify(assignment)} is not NAME=VALUE with a valid variable name`);
    }
    env[name] = assignment.slice(equals + 1);
  }
  return env;
}

function describeMs(result: ExecResult): string {
  return `${(result.durationMs / 1000).toFixed(1)}s`;
}
