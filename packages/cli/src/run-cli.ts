import { ConfigError, HermesError, InvalidArgumentError } from "@hermes/core";
import type { CliIo } from "./cli-io.js";
import { auditCommand, auditUsage } from "./commands/audit-command.js";
import { backendCommand, backendUsage } from "./commands/backend-command.js";
import { configCommand, configUsage } from "./commands/config-command.js";
import { execCommand, execUsage } from "./commands/exec-command.js";
import { mcpCommand, mcpUsage } from "./commands/mcp-command.js";
import { exitCodes } from "./exit-codes.js";
import { UsageError } from "./usage-error.js";

export const usage = `hermes-env: run commands in Hermes execution environments and manage their configuration.

${execUsage}

${configUsage}

${backendUsage}

${auditUsage}

${mcpUsage}

Exit codes: the command's own for exec (124 timeout, 128+n signal); 1 failure; 2 bad arguments
or configuration; 125 the environment could not be created (backend not installed or unreachable).`;

/** Runs one `hermes-env` invocation and returns its exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case "exec":
        return await execCommand(args, io);
      case "config":
        return await configCommand(args, io);
      case "backend":
        return await backendCommand(args, io);
      case "audit":
        return await auditCommand(args, io);
      case "mcp":
        return await mcpCommand(args, io);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout(`${usage}\n`);
        return command === undefined ? exitCodes.usage : exitCodes.ok;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}; try hermes-env --help`);
    }
  } catch (error) {
    io.stderr(`hermes-env: ${describeError(error)}\n`);
    return exitCodeFor(error);
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function exitCodeFor(error: unknown): number {
  // parseArgs reports unknown or malformed options with these codes.
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof UsageError || ConfigError.isInstance(error) || InvalidArgumentError.isInstance(error)) return exitCodes.usage;
  if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) return exitCodes.usage;
  if (HermesError.isInstance(error) && /^BACKEND_/.test(error.code)) return exitCodes.environment;
  return exitCodes.failure;
}
