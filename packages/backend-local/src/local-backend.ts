import { mkdir, realpath, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { type Backend, type BackendInstance, BackendUnavailableError, ConfigError, runProgram } from "@hermes/core";
import { confinedArgv, confinedTemporaryDirectory } from "./bubblewrap.js";
import type { LocalBackendOptions } from "./descriptor.js";
import { hostEnvironment } from "./host-environment.js";
import { isInside, LocalFiles } from "./local-files.js";
import { startLocalProcess } from "./local-process.js";
import { reapProcesses } from "./reap-processes.js";

export type { LocalBackendOptions } from "./descriptor.js";

/**
 * Commands on this machine, as this user: no isolation. `sandboxRoot` sets the working area and confines
 * the files API to it; `maxMemoryMb` limits each command process. Does no I/O until an environment starts.
 */
export function local(options: LocalBackendOptions = {}): Backend {
  checkOptions(options);
  return {
    type: "local",
    capabilities: { isolation: "none", network: "host" },
    create: () => createLocalInstance(options),
    reap: reapProcesses,
  };
}

async function createLocalInstance(options: LocalBackendOptions): Promise<BackendInstance> {
  const sandboxRoot = options.sandboxRoot === undefined ? undefined : await prepareSandboxRoot(expandHome(options.sandboxRoot));
  const defaultCwd = await resolveCwd(options, sandboxRoot);
  const environment: Record<string, string> = hostEnvironment(process.env, options);
  const confined = options.confinement === "bubblewrap" ? (sandboxRoot as string) : undefined;
  if (confined !== undefined) {
    const temporary = confinedTemporaryDirectory(confined);
    await mkdir(temporary, { recursive: true });
    environment.TMPDIR = temporary;
    await checkBubblewrap(confined, options.network ?? "host", environment);
  }
  const start: BackendInstance["start"] = (spec) =>
    startLocalProcess(
      confined === undefined ? spec : { ...spec, argv: confinedArgv(spec.argv, confined, options.network ?? "host") },
      environment,
    );
  return {
    defaultCwd,
    ...(options.bashPath !== undefined && { bashPath: options.bashPath }),
    ...(options.maxMemoryMb !== undefined && { shellPrelude: memoryLimit(options.maxMemoryMb) }),
    start,
    // Both are pipes (or socket pairs) that this process reads (see local-process.ts).
    outputInOrder: true,
    files: new LocalFiles(sandboxRoot),
    dispose: async () => {},
  };
}

/**
 * RLIMIT_DATA caps a process's private writable memory; unlike RLIMIT_AS it leaves runtimes that reserve
 * large address ranges (V8, the JVM) working. It is per process, not a total for the command's tree.
 */
function memoryLimit(maxMemoryMb: number): string {
  return `builtin ulimit -d ${Math.round(maxMemoryMb * 1024)}`;
}

/** Runs `true` confined once, so a missing or unusable bwrap fails the start with a reason, not every command. */
async function checkBubblewrap(root: string, network: "host" | "none", environment: Record<string, string>): Promise<void> {
  const failure = await runProgram((spec) => startLocalProcess(spec, environment), confinedArgv(["true"], root, network)).then(
    (probe) => (probe.code === 0 ? undefined : probe.stderr.trim() || `bwrap exited with ${probe.code}`),
    (error: Error) => error.message,
  );
  if (failure !== undefined) {
    throw new BackendUnavailableError({
      backend: "local",
      reason: `bubblewrap confinement cannot start (${failure}); install it with apt-get install bubblewrap, or set confinement: none`,
      retryable: false,
    });
  }
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
  if (options.confinement !== undefined)
    check(["none", "bubblewrap"].includes(options.confinement), "confinement", options.confinement, "none or bubblewrap");
  if (options.confinement === "bubblewrap") {
    check(
      options.sandboxRoot !== undefined,
      "sandbox_root",
      options.sandboxRoot,
      "the directory commands may write to (bubblewrap confinement needs one)",
    );
  }
  if (options.network !== undefined) check(["host", "none"].includes(options.network), "network", options.network, "host or none");
  if (problems.length > 0) throw new ConfigError({ issues: problems });
}
