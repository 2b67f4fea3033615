import { mkdir, realpath, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { resolve } from "node:path";
import {
  type Backend,
  type BackendInstance,
  type Capabilities,
  ConfigError,
  type KillOptions,
  killTaggedScript,
  type LocalBackendOptions,
  type ProcessSelector,
} from "@hermes/core";
import { hostEnvironment } from "./host-environment.js";
import { isInside, LocalFiles } from "./local-files.js";
import { startLocalProcess } from "./local-process.js";
import { ownerVariable, reapProcesses } from "./reap-processes.js";

export type { LocalBackendOptions } from "@hermes/core";

const capabilities: Capabilities = {
  persistentSession: true,
  stdin: true,
  pty: false,
  background: true,
  snapshot: false,
  hibernate: false,
  gpu: false,
  fileAccess: true,
  isolation: "none",
  network: "host",
};

/**
 * Commands on this machine, as this user: no isolation. `sandboxRoot` sets the working area and confines
 * the files API to it; `maxMemoryMb` limits each command process. Does no I/O until an environment starts.
 */
export function local(options: LocalBackendOptions = {}): Backend {
  checkOptions(options);
  return {
    type: "local",
    capabilities,
    create: (context) => createLocalInstance(options, context.labels["hermes.owner"]),
    health: async () => {
      const probe = await startLocalProcess(
        { argv: [options.bashPath ?? "bash", "-c", "exit 0"], stdin: "ignore" },
        process.env as Record<string, string>,
      ).catch((error: Error) => error);
      if (probe instanceof Error) return { ok: false, reason: `cannot run bash: ${probe.message}` };
      const exit = await probe.exited;
      return exit.code === 0 ? { ok: true } : { ok: false, reason: `bash exited with ${exit.code ?? exit.signal}` };
    },
    reap: reapProcesses,
  };
}

async function createLocalInstance(options: LocalBackendOptions, owner: string | undefined): Promise<BackendInstance> {
  const sandboxRoot = options.sandboxRoot === undefined ? undefined : await prepareSandboxRoot(expandHome(options.sandboxRoot));
  const defaultCwd = await resolveCwd(options, sandboxRoot);
  // Every process inherits its owner's label, so a reaper can find what a crashed owner left behind.
  const environment = { ...hostEnvironment(process.env, options), ...(owner && { [ownerVariable]: owner }) };
  const bashPath = options.bashPath ?? "bash";
  const start: BackendInstance["start"] = (spec) => startLocalProcess(spec, environment);
  return {
    defaultCwd,
    bashPath,
    // RLIMIT_DATA caps a process's private writable memory; unlike RLIMIT_AS it leaves runtimes that reserve
    // large address ranges (V8, the JVM) working. It is per process, not a total for the command's tree.
    ...(options.maxMemoryMb !== undefined && { shellPrelude: `builtin ulimit -d ${Math.round(options.maxMemoryMb * 1024)}` }),
    start,
    killTagged: (selector: ProcessSelector, kill: KillOptions) => killTagged(start, bashPath, selector, kill),
    files: new LocalFiles(sandboxRoot),
    dispose: async () => {},
  };
}

/** Runs core's kill program in a fresh bash that carries no tag of its own. */
async function killTagged(
  start: BackendInstance["start"],
  bashPath: string,
  selector: ProcessSelector,
  options: KillOptions,
): Promise<number> {
  const process = await start({ argv: [bashPath, ...killTaggedScript(selector, options)], stdin: "ignore" });
  let output = "";
  process.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  process.stderr.resume();
  await process.exited;
  return Number.parseInt(output.trim(), 10) || 0;
}

async function prepareSandboxRoot(path: string): Promise<string> {
  await mkdir(path, { recursive: true }).catch((error: Error) => {
    throw new ConfigError({
      issues: [{ path: "sandbox_root", value: path, expected: `a directory that can be created (${error.message})` }],
    });
  });
  return realpath(path);
}

async function resolveCwd(options: LocalBackendOptions, sandboxRoot: string | undefined): Promise<string> {
  const base = sandboxRoot ?? process.cwd();
  if (options.cwd === undefined) return base;
  const cwd = await realpath(resolve(base, expandHome(options.cwd))).catch(() => undefined);
  const isDirectory = cwd !== undefined && (await stat(cwd)).isDirectory();
  if (!cwd || !isDirectory) throw new ConfigError({ issues: [{ path: "cwd", value: options.cwd, expected: "an existing directory" }] });
  if (sandboxRoot !== undefined && !isInside(cwd, sandboxRoot)) {
    throw new ConfigError({ issues: [{ path: "cwd", value: options.cwd, expected: `a directory inside sandbox_root ${sandboxRoot}` }] });
  }
  return cwd;
}

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? resolve(homedir(), `.${path.slice(1)}`) : path;
}

function checkOptions(options: LocalBackendOptions): void {
  const problems: { path: string; value: unknown; expected: string }[] = [];
  const check = (ok: boolean, path: string, value: unknown, expected: string) => ok || problems.push({ path, value, expected });
  if (options.maxMemoryMb !== undefined)
    check(
      typeof options.maxMemoryMb === "number" && options.maxMemoryMb > 0,
      "max_memory_mb",
      options.maxMemoryMb,
      "a positive number of megabytes",
    );
  if (options.sandboxRoot !== undefined)
    check(typeof options.sandboxRoot === "string" && options.sandboxRoot !== "", "sandbox_root", options.sandboxRoot, "a directory path");
  if (options.cwd !== undefined) check(typeof options.cwd === "string" && options.cwd !== "", "cwd", options.cwd, "a directory path");
  for (const key of ["envPassthrough", "envBlocklist"] as const) {
    const value = options[key];
    if (value !== undefined)
      check(Array.isArray(value) && value.every((name) => typeof name === "string"), key, value, "a list of variable names");
  }
  if (problems.length > 0) throw new ConfigError({ issues: problems });
}
