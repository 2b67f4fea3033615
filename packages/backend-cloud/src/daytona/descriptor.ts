import { type BackendDescriptor, backendOptionsSchema, type CommonBackendOptions, renamedOptions, sizeMb, text } from "@hermes/core";
import { z } from "zod";
import { sandboxKeyRenames, sandboxKeys } from "../sandbox-keys.js";
import { daytona } from "./daytona-backend.js";

export interface DaytonaBackendOptions extends CommonBackendOptions {
  /** Default `DAYTONA_API_KEY`. */
  apiKey?: string;
  /** The control plane; default `DAYTONA_API_URL`, else Daytona's own. */
  apiUrl?: string;
  /** The region (`us`, `eu`); default `DAYTONA_TARGET`, else the organisation's default. */
  target?: string;
  /** An image the sandbox is built from (`python:3.12-slim`); else `snapshot`, else Daytona's default. */
  image?: string;
  snapshot?: string;
  /** Where commands start; default the sandbox user's home. */
  workspace?: string;
  cpu?: number;
  memoryMb?: number;
  /** Capped at 10 GiB (Daytona's limit), with a warning. */
  diskMb?: number;
  /** Keep the sandbox, stopped, after dispose, and start it again for the next environment of the same name. */
  persistent?: boolean;
  /** With `persistent`: archive the stopped sandbox at dispose (cheaper storage; the next start restores it, slower). */
  archive?: boolean;
  /** Sandbox name; default `hermes-<environment id>` (`hermes-<instance name>` when persistent). */
  name?: string;
  /** Longest wait for a sandbox to be created or started. Default 60 s. */
  createTimeoutMs?: number;
  /** Longest wait at dispose for the sandbox to be deleted (or, when persistent, stopped and archived); then a warning. Default 10 s. */
  disposeTimeoutMs?: number;
}

/** Hermes `terminal:` keys -> options. */
const terminalOptions: Record<string, keyof DaytonaBackendOptions & string> = {
  daytona_image: "image",
  container_cpu: "cpu",
  container_memory: "memoryMb",
  container_disk: "diskMb",
  container_persistent: "persistent",
};

/** The daytona backend, as core's configuration, pricing, routing and policy see it. */
export const descriptor: BackendDescriptor<DaytonaBackendOptions> = {
  type: "daytona",
  factory: daytona,
  options: backendOptionsSchema<DaytonaBackendOptions>(
    {
      api_key: text.optional(),
      api_url: z.url().optional(),
      target: text.optional(),
      image: text.optional(),
      snapshot: text.optional(),
      workspace: text.optional(),
      cpu: z.number().positive().optional(),
      memory: sizeMb.optional(),
      disk: sizeMb.optional(),
      container_disk: sizeMb.optional(),
      archive: z.boolean().optional(),
      ...sandboxKeys,
    },
    {
      memory: "memoryMb",
      disk: "diskMb",
      container_disk: "diskMb",
      ...sandboxKeyRenames,
    },
  ),
  terminal: {
    keys: {
      daytona_image: "text",
      container_cpu: "number",
      container_memory: "size",
      container_disk: "size",
      container_persistent: "boolean",
    },
    options: renamedOptions<DaytonaBackendOptions>(terminalOptions),
    ignoreHostCwd: true,
  },
  isolation: "microvm",
  // Daytona's list prices (daytona.io/pricing): per vCPU-hour and per GiB of memory-hour.
  prices: { cpuHourUsd: 0.0504, memoryGibHourUsd: 0.0162, source: "daytona.io/pricing" },
  resources: (options) => ({
    ...(options.cpu !== undefined && { cpus: options.cpu }),
    ...(options.memoryMb !== undefined && { memoryMb: options.memoryMb }),
  }),
  policy: { paths: "remote" },
};
