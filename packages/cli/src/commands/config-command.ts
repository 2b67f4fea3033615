import { join } from "node:path";
import { parseArgs } from "node:util";
import { findConfigFile, loadConfig } from "@hermes/core";
import { stringify } from "yaml";
import type { CliIo } from "../cli-io.js";
import { editableConfigFile, getConfigValue, keyPath, readConfigDocument, setConfigValue } from "../config-file.js";
import { exitCodes } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";

export const configUsage = `hermes-env config validate [FILE]   check a configuration file (default: the one createEnv would read)
hermes-env config get KEY [--file FILE]          print a value, e.g. terminal.backend
hermes-env config set KEY VALUE [--file FILE]    set a value, keeping the file's comments
hermes-env config path                           print the file createEnv would read

get and set edit --file, else $HERMES_CONFIG, else ~/.hermes/config.yaml. VALUE is read as YAML
(docker, 5120, true, [a, b]); the whole file is validated before it is written.`;

export async function configCommand(args: string[], io: CliIo): Promise<number> {
  const [subcommand, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { file: { type: "string" } } });
  switch (subcommand) {
    case "validate":
      return validate(positionals[0] ?? values.file, io);
    case "get": {
      const [key, extra] = positionals;
      if (key === undefined || extra !== undefined) throw new UsageError("usage: hermes-env config get KEY [--file FILE]");
      const file = editableConfigFile(io, values.file);
      const value = getConfigValue(await readConfigDocument(file), keyPath(key));
      if (value === undefined) {
        io.stderr(`hermes-env: ${key} is not set in ${file}\n`);
        return exitCodes.failure;
      }
      io.stdout(value !== null && typeof value === "object" ? stringify(value) : `${String(value)}\n`);
      return exitCodes.ok;
    }
    case "set": {
      const [key, value, extra] = positionals;
      if (key === undefined || value === undefined || extra !== undefined) {
        throw new UsageError("usage: hermes-env config set KEY VALUE [--file FILE] (quote VALUE if it has spaces)");
      }
      const file = editableConfigFile(io, values.file);
      await setConfigValue(file, keyPath(key), value);
      io.stdout(`${key} = ${value} (${file})\n`);
      const used = await findConfigFile(io.env, io.cwd, io.home);
      if (used && used !== file) io.stderr(`hermes-env: note: ${used} is read first, so this change has no effect here\n`);
      return exitCodes.ok;
    }
    case "path": {
      const used = await findConfigFile(io.env, io.cwd, io.home);
      io.stdout(
        `${used ?? `none (createEnv uses the local backend; looked for ./hermes.yaml and ${join(io.home, ".hermes", "config.yaml")})`}\n`,
      );
      return exitCodes.ok;
    }
    default:
      throw new UsageError(`unknown config subcommand ${JSON.stringify(subcommand ?? "")}\n\n${configUsage}`);
  }
}

async function validate(file: string | undefined, io: CliIo): Promise<number> {
  const config = await loadConfig(file, { env: io.env, cwd: io.cwd, home: io.home });
  const source = config.file ?? "no configuration file (defaults)";
  const names = Object.entries(config.backends).map(([name, instance]) => (name === instance.type ? name : `${name} (${instance.type})`));
  io.stdout(`${source}: valid, ${config.dialect} dialect; backends: ${names.join(", ")}; default: ${config.defaultBackend}\n`);
  for (const warning of config.warnings) io.stderr(`hermes-env: warning: ${warning}\n`);
  return exitCodes.ok;
}
