import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import type Docker from "dockerode";
import type { DockerBackendOptions } from "./descriptor.js";

/** Hermes's defaults: the image its users run, 1 CPU, 5120 MB, `/workspace`. */
export const dockerDefaults = {
  image: "nikolaik/python-nodejs:python3.11-nodejs20",
  cpus: 1,
  memoryMb: 5120,
  pidsLimit: 256,
  cwd: "/workspace",
  network: "bridge",
} as const;

/**
 * Capabilities that `cap_add` may give back after all are dropped: what package managers and file tools
 * need (Hermes adds CHOWN, DAC_OVERRIDE, FOWNER, SETUID, SETGID), plus a few harmless ones. Anything that
 * reaches the kernel or the host (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, ...) is refused.
 */
export const addableCapabilities = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "NET_BIND_SERVICE",
  "NET_RAW",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
] as const;

/**
 * Size-limited tmpfs mounts, as Hermes has them (options as `mount -t tmpfs` takes them). The engine makes
 * a tmpfs `noexec` unless told otherwise; `/tmp` says `exec`, since builds and installers run code from it.
 */
export const tmpfsMounts: Readonly<Record<string, string>> = {
  "/tmp": "rw,exec,nosuid,nodev,size=512m",
  "/var/tmp": "rw,noexec,nosuid,nodev,size=256m",
  "/run": "rw,noexec,nosuid,nodev,size=64m",
};

/**
 * PID 1 of every container: an idle bash that reaps orphans (bash waits for any child on SIGCHLD) and
 * exits at once on SIGTERM, so stopping a container takes no grace period.
 */
export const idleInitScript = "trap 'exit 0' TERM INT; while :; do sleep 86400 & wait $!; done";

/** The tmpfs mounts a container gets: the defaults, except where a volume is mounted instead. */
export function tmpfsPathsOf(options: DockerBackendOptions): string[] {
  const mounted = new Set((options.volumes ?? []).map((volume) => bindSpec(volume).split(":")[1]));
  return Object.keys(tmpfsMounts).filter((path) => !mounted.has(path));
}

export interface ContainerSpecInput {
  options: DockerBackendOptions;
  name: string;
  labels: Readonly<Record<string, string>>;
  bashPath: string;
  /** Variables set in the container: `env` plus the host values of `forward_env`. */
  env: Readonly<Record<string, string>>;
}

/** The engine's create request for an environment's container: hardened unless options relax it. */
export function containerSpec(input: ContainerSpecInput): Docker.ContainerCreateOptions {
  const { options } = input;
  const cwd = options.cwd ?? dockerDefaults.cwd;
  const binds = (options.volumes ?? []).map(bindSpec);
  if (options.mountCwdToWorkspace) binds.push(`${process.cwd()}:${dockerDefaults.cwd}`);
  const mounted = new Set(binds.map((bind) => bind.split(":")[1]));
  const memoryBytes = Math.round((options.memoryMb ?? dockerDefaults.memoryMb) * 1024 * 1024);
  return {
    name: input.name,
    Image: options.image ?? dockerDefaults.image,
    Entrypoint: [input.bashPath, "-c", idleInitScript],
    Cmd: [],
    WorkingDir: cwd,
    Hostname: "hermes",
    Labels: { ...input.labels },
    Env: Object.entries(input.env).map(([name, value]) => `${name}=${value}`),
    // The working folder is an anonymous volume unless something is mounted there: the archive API (files)
    // works on it, and it is removed with the container.
    Volumes: mounted.has(cwd) ? {} : { [cwd]: {} },
    StopSignal: "SIGTERM",
    StopTimeout: 2,
    HostConfig: {
      Binds: binds,
      NetworkMode: options.network ?? dockerDefaults.network,
      CapDrop: ["ALL", ...(options.capDrop ?? [])],
      CapAdd: options.capAdd ?? [],
      SecurityOpt: ["no-new-privileges:true"],
      Privileged: false,
      PidsLimit: options.pidsLimit ?? dockerDefaults.pidsLimit,
      Memory: memoryBytes,
      // No swap beyond the memory limit.
      MemorySwap: memoryBytes,
      NanoCpus: Math.round((options.cpus ?? dockerDefaults.cpus) * 1e9),
      ReadonlyRootfs: options.readOnlyRoot ?? false,
      Tmpfs: Object.fromEntries(tmpfsPathsOf(options).map((path) => [path, tmpfsMounts[path] as string])),
      // Only overlay2 on xfs with pquota can limit the writable layer; elsewhere the engine refuses it (see createContainer).
      ...(options.diskMb !== undefined && { StorageOpt: { size: `${Math.round(options.diskMb)}M` } }),
      Init: false,
    },
  };
}

/** `host:container[:ro|rw]` with `~` and relative host paths resolved; `name:container` volumes as they are. */
export function bindSpec(volume: string): string {
  const [source = "", target = "", mode, ...rest] = volume.split(":");
  if (!source || !target.startsWith("/") || rest.length > 0 || (mode !== undefined && mode !== "ro" && mode !== "rw")) {
    throw new Error(`volume ${JSON.stringify(volume)} is not host-path:container-path[:ro] or volume-name:container-path[:ro]`);
  }
  const isPath = source.startsWith("/") || source.startsWith(".") || source.startsWith("~");
  const host = !isPath ? source : source.startsWith("~") ? resolve(homedir(), `.${source.slice(1)}`) : resolve(source);
  if (isPath && !isAbsolute(host)) throw new Error(`volume ${JSON.stringify(volume)}: cannot resolve the host path`);
  return [host, target, ...(mode ? [mode] : [])].join(":");
}
