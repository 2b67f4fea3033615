export type { CliIo } from "./cli-io.js";
export { processIo } from "./cli-io.js";
export { exitCodes } from "./exit-codes.js";
export { runCli, usage } from "./run-cli.js";
