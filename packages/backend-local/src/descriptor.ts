import { type BackendDescriptor, backendOptionsSchema, type CommonBackendOptions, sizeMb, text, textList } from "@hermes/core";
import { z } from "zod";
import { local } from "./local-backend.js";

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

/** The local backend, as core's configuration, pricing, routing and policy see it. */
export const descriptor: BackendDescriptor<LocalBackendOptions> = {
  type: "local",
  factory: local,
  options: backendOptionsSchema<LocalBackendOptions>({
    sandbox_root: text.optional(),
    max_memory_mb: sizeMb.optional(),
    inherit_env: z.boolean().optional(),
    env_passthrough: textList.optional(),
    env_blocklist: textList.optional(),
    bash_path: text.optional(),
    confinement: z.enum(["none", "bubblewrap"]).optional(),
    network: z.enum(["host", "none"]).optional(),
  }),
  terminal: {
    keys: { env_passthrough: "list" },
    options: (values) => ({ ...(values.env_passthrough !== undefined && { envPassthrough: values.env_passthrough as string[] }) }),
  },
  isolation: "none",
  prices: { cpuHourUsd: 0, memoryGibHourUsd: 0, source: "your own machine" },
  // Its sandbox_root is also the policy's: writes outside it are refused; paths are this machine's.
  policy: { sandboxRoot: "sandboxRoot", paths: "local" },
};
