import { z } from "zod";
import { camelKeys, duration, port, positiveNumber, sizeMb, text, textList, variables } from "./schema-helpers.js";

/** Backend types and the package (and export) that implements each. */
export const backendPackages = {
  local: { packageName: "@hermes/backend-local", exportName: "local" },
  docker: { packageName: "@hermes/backend-docker", exportName: "docker" },
  ssh: { packageName: "@hermes/backend-ssh", exportName: "ssh" },
  modal: { packageName: "@hermes/backend-cloud/modal", exportName: "modal" },
  daytona: { packageName: "@hermes/backend-cloud/daytona", exportName: "daytona" },
  "vercel-sandbox": { packageName: "@hermes/backend-cloud/vercel", exportName: "vercelSandbox" },
  singularity: { packageName: "@hermes/backend-hpc", exportName: "singularity" },
} as const;

export type BackendType = keyof typeof backendPackages;
export const backendTypes = Object.keys(backendPackages) as BackendType[];

/** Keys every backend instance accepts. */
const common = {
  /** Where the session starts. */
  cwd: text.optional(),
  /** Default limit for one command (`exec`'s `timeoutMs` overrides it). */
  command_timeout: duration.optional(),
  /** Variables set in the environment. */
  env: variables.optional(),
  /** How long the environment stays up after its last use (instead of the section's lifetime_seconds). */
  keep_warm: duration.optional(),
  /** Estimated cost at which an environment's run is stopped. */
  budget_per_run_usd: z.number().nonnegative().optional(),
  /** Overrides the price table's estimate for this instance. */
  price_per_hour_usd: z.number().nonnegative().optional(),
  /** The programs commands may run on this backend (see the policy engine). */
  allowed_commands: textList.optional(),
  authorized_commands_only: z.boolean().optional(),
};

/** YAML names of the common keys whose option name is not just camelCase. */
const commonRenames = {
  command_timeout: "commandTimeoutMs",
  keep_warm: "keepWarmMs",
  budget_per_run_usd: "budgetPerRunUsd",
  price_per_hour_usd: "pricePerHourUsd",
};

export interface CommonBackendOptions {
  cwd?: string;
  commandTimeoutMs?: number;
  env?: Record<string, string>;
  /** In a routed environment: idle time after which this backend's environment is disposed (default: lifetime_seconds). */
  keepWarmMs?: number;
  /** Estimated cost (USD) at which an environment's run is stopped and later calls refused. */
  budgetPerRunUsd?: number;
  /** Estimated price of an environment of this instance per hour it exists; default from the price table of its type. */
  pricePerHourUsd?: number;
  /** Policy: every program a command runs must be one of these. */
  allowedCommands?: string[];
  /** Policy: enforce `allowedCommands` (default true when it is given). */
  authorizedCommandsOnly?: boolean;
}

export interface LocalBackendOptions extends CommonBackendOptions {
  /** The working area: the session starts there and the files API refuses paths outside it. */
  sandboxRoot?: string;
  /** Memory limit per command process (RLIMIT_DATA), in megabytes. */
  maxMemoryMb?: number;
  /** Forward this process's environment (minus variables that look like secrets). Default true. */
  inheritEnv?: boolean;
  /** Names forwarded even though they look like secrets. */
  envPassthrough?: string[];
  /** Extra names (or `*` patterns) never forwarded. */
  envBlocklist?: string[];
  /** The bash to run. Default: `bash` on PATH. */
  bashPath?: string;
  /**
   * `bubblewrap`: every process runs with the machine read-only and `sandboxRoot` the only writable place
   * (the kernel enforces it). Needs `bwrap` (Debian's `bubblewrap`) and `sandboxRoot`. Default `none`.
   */
  confinement?: "none" | "bubblewrap";
  /** With bubblewrap: `none` gives commands no network at all. Default `host`. */
  network?: "host" | "none";
}

export interface DockerBackendOptions extends CommonBackendOptions {
  image?: string;
  /** `host:container[:ro]` bind mounts or `name:container` volumes. */
  volumes?: string[];
  /** `none`, `bridge` or a named network. */
  network?: string;
  capDrop?: string[];
  capAdd?: string[];
  memoryMb?: number;
  cpus?: number;
  diskMb?: number;
  readOnlyRoot?: boolean;
  persistent?: boolean;
  /** Host variables forwarded by name. */
  forwardEnv?: string[];
  mountCwdToWorkspace?: boolean;
  pidsLimit?: number;
  /** Engine address; default DOCKER_HOST. */
  host?: string;
  /** Container name; a persistent container is found again by it. Default `hermes-<instance name>` when persistent. */
  name?: string;
}

export interface SshBackendOptions extends CommonBackendOptions {
  host?: string;
  user?: string;
  port?: number;
  /** Private key file. */
  key?: string;
  passphrase?: string;
  connectTimeoutMs?: number;
  keepaliveMs?: number;
  knownHostsFile?: string;
  trustOnFirstUse?: boolean;
  proxyJump?: string;
  persistentShell?: boolean;
  /** OpenSSH client configuration read for host aliases. Default `~/.ssh/config`. */
  sshConfigFile?: string;
}

export interface ModalBackendOptions extends CommonBackendOptions {
  app?: string;
  image?: string;
  cpu?: number;
  memoryMb?: number;
  gpu?: string;
}

export interface DaytonaBackendOptions extends CommonBackendOptions {
  image?: string;
  snapshot?: string;
  cpu?: number;
  memoryMb?: number;
  diskMb?: number;
}

export interface VercelSandboxBackendOptions extends CommonBackendOptions {
  runtime?: string;
  vcpus?: number;
  memoryMb?: number;
}

export interface SingularityBackendOptions extends CommonBackendOptions {
  image?: string;
  cpu?: number;
  memoryMb?: number;
  persistent?: boolean;
}

export interface BackendOptionsByType {
  local: LocalBackendOptions;
  docker: DockerBackendOptions;
  ssh: SshBackendOptions;
  modal: ModalBackendOptions;
  daytona: DaytonaBackendOptions;
  "vercel-sandbox": VercelSandboxBackendOptions;
  singularity: SingularityBackendOptions;
}

const sizeKeys = { memory_limit: "memoryMb", memory_mb: "memoryMb", disk_limit: "diskMb", disk_mb: "diskMb", cpu_limit: "cpus" };

/** The YAML keys of each backend type (snake_case), parsed into that type's options (camelCase). */
export const backendOptionSchemas: { [T in BackendType]: z.ZodType<BackendOptionsByType[T]> } = {
  local: z
    .strictObject({
      ...common,
      sandbox_root: text.optional(),
      max_memory_mb: sizeMb.optional(),
      inherit_env: z.boolean().optional(),
      env_passthrough: textList.optional(),
      env_blocklist: textList.optional(),
      bash_path: text.optional(),
      confinement: z.enum(["none", "bubblewrap"]).optional(),
      network: z.enum(["host", "none"]).optional(),
    })
    .transform((input) => camelKeys<LocalBackendOptions>(input, commonRenames)),
  docker: z
    .strictObject({
      ...common,
      image: text.optional(),
      volumes: textList.optional(),
      network: text.optional(),
      cap_drop: textList.optional(),
      cap_add: textList.optional(),
      memory_limit: sizeMb.optional(),
      cpu_limit: positiveNumber.optional(),
      disk_limit: sizeMb.optional(),
      read_only_root: z.boolean().optional(),
      persistent: z.boolean().optional(),
      forward_env: textList.optional(),
      mount_cwd_to_workspace: z.boolean().optional(),
      pids_limit: z.number().int().positive().optional(),
      host: text.optional(),
      name: text.optional(),
    })
    .transform((input) => camelKeys<DockerBackendOptions>(input, { ...sizeKeys, ...commonRenames })),
  ssh: z
    .strictObject({
      ...common,
      host: text.optional(),
      user: text.optional(),
      port: port.optional(),
      key: text.optional(),
      passphrase: z.string().optional(),
      timeout: duration.optional(),
      keepalive: duration.optional(),
      known_hosts: text.optional(),
      trust_on_first_use: z.boolean().optional(),
      proxy_jump: text.optional(),
      persistent_shell: z.boolean().optional(),
      ssh_config: text.optional(),
    })
    .transform((input) =>
      camelKeys<SshBackendOptions>(input, {
        ...commonRenames,
        timeout: "connectTimeoutMs",
        keepalive: "keepaliveMs",
        known_hosts: "knownHostsFile",
        ssh_config: "sshConfigFile",
      }),
    ),
  modal: z
    .strictObject({
      ...common,
      app: text.optional(),
      image: text.optional(),
      cpu: positiveNumber.optional(),
      memory_mb: sizeMb.optional(),
      gpu: text.optional(),
    })
    .transform((input) => camelKeys<ModalBackendOptions>(input, { ...sizeKeys, ...commonRenames })),
  daytona: z
    .strictObject({
      ...common,
      image: text.optional(),
      snapshot: text.optional(),
      cpu: positiveNumber.optional(),
      memory_mb: sizeMb.optional(),
      disk_mb: sizeMb.optional(),
    })
    .transform((input) => camelKeys<DaytonaBackendOptions>(input, { ...sizeKeys, ...commonRenames })),
  "vercel-sandbox": z
    .strictObject({ ...common, runtime: text.optional(), vcpus: positiveNumber.optional(), memory_mb: sizeMb.optional() })
    .transform((input) => camelKeys<VercelSandboxBackendOptions>(input, { ...sizeKeys, ...commonRenames })),
  singularity: z
    .strictObject({
      ...common,
      image: text.optional(),
      cpu: positiveNumber.optional(),
      memory_mb: sizeMb.optional(),
      persistent: z.boolean().optional(),
    })
    .transform((input) => camelKeys<SingularityBackendOptions>(input, { ...sizeKeys, ...commonRenames })),
};
