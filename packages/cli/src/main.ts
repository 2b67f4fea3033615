#!/usr/bin/env node
import { setExitHandlers } from "@hermes/core";
import { processIo } from "./cli-io.js";
import { runCli } from "./run-cli.js";

// The CLI handles SIGINT/SIGTERM itself (it ends the command and exits 128+N) and always disposes.
setExitHandlers(false);

process.exitCode = await runCli(process.argv.slice(2), processIo());
