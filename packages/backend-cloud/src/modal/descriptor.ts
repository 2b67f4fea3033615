import {
  type BackendDescriptor,
  backendOptionsSchema,
  type CommonBackendOptions,
  duration,
  renamedOptions,
  sizeMb,
  text,
  textList,
} from "@hermes/core";
import { z } from "zod";
import { sandboxKeyRenames, sandboxKeys } from "../sandbox-keys.js";
import { modal } from "./modal-backend.js";

export interface ModalBackendOptions extends CommonBackendOptions {
  /** Default `MODAL_TOKEN_ID`, else the active profile of `~/.modal.toml` (or `MODAL_CONFIG_PATH`). */
  tokenId?: string;
  /** Default `MODAL_TOKEN_SECRET`, else that profile. */
  tokenSecret?: string;
  /** The Modal environment; default `MODAL_ENVIRONMENT`, else the profile's, else the workspace's default. */
  environment?: string;
  /** Another server in place of Modal's (what `MODAL_SERVER_URL` sets for the bare SDK). */
  apiUrl?: string;
  /** The Modal app the sandboxes belong to (created when missing). Default `hermes-agent`, as Hermes. */
  app?: string;
  /** A registry image (`python:3.12-slim`) or a Modal image id (`im-...`). Default Hermes's `nikolaik/python-nodejs:python3.11-nodejs20`. */
  image?: string;
  /** Physical CPU cores reserved (fractional allowed). */
  cpu?: number;
  /** Memory reserved, in MiB. */
  memoryMb?: number;
  /** GPUs, as Modal names them: `T4`, `A100-80GB`, `H100:2` (type, then count). */
  gpu?: string;
  /** The sandbox's lifetime (Modal ends it then). Default 1 hour, as Hermes. */
  timeoutMs?: number;
  /** Names of Modal secrets whose variables every command gets. */
  secrets?: string[];
  /** Snapshot the sandbox's files at dispose; the next environment of the same name starts from that image. */
  persistent?: boolean;
  /** Sandbox name in the app; default `hermes-<environment id>` (`hermes-<instance name>` when persistent). */
  name?: string;
  /** Longest wait for a sandbox to be created (image build included). Default 5 minutes. */
  createTimeoutMs?: number;
  /** Longest wait at dispose for the sandbox to be terminated (after the snapshot, when persistent); then a warning. Default 10 s. */
  disposeTimeoutMs?: number;
}

/** Hermes `terminal:` keys -> options. */
const terminalOptions: Record<string, keyof ModalBackendOptions & string> = {
  modal_image: "image",
  container_cpu: "cpu",
  container_memory: "memoryMb",
  container_persistent: "persistent",
};

/** `H100:2` -> H100, twice; the count defaults to 1. */
export function parseGpu(gpu: string): { type: string; count: number } {
  const [type = "", count] = gpu.split(":");
  return { type: type.toUpperCase(), count: count === undefined ? 1 : Number(count) };
}

const gpuSpec = text.refine((gpu) => /^[A-Za-z0-9!-]+(:[1-9][0-9]*)?$/.test(gpu), {
  message: "a GPU type, optionally with a count: T4, A100-80GB, H100:2",
});

/** The modal backend, as core's configuration, pricing, routing and policy see it. */
export const descriptor: BackendDescriptor<ModalBackendOptions> = {
  type: "modal",
  factory: modal,
  options: backendOptionsSchema<ModalBackendOptions>(
    {
      token_id: text.optional(),
      token_secret: text.optional(),
      environment: text.optional(),
      api_url: z.url().optional(),
      app: text.optional(),
      image: text.optional(),
      cpu: z.number().positive().optional(),
      memory_mb: sizeMb.optional(),
      memory: sizeMb.optional(),
      gpu: gpuSpec.optional(),
      timeout: duration.optional(),
      secrets: textList.optional(),
      ...sandboxKeys,
    },
    {
      memory_mb: "memoryMb",
      memory: "memoryMb",
      timeout: "timeoutMs",
      ...sandboxKeyRenames,
    },
  ),
  terminal: {
    keys: { modal_image: "text", container_cpu: "number", container_memory: "size", container_persistent: "boolean" },
    options: renamedOptions<ModalBackendOptions>(terminalOptions),
    ignoreHostCwd: true,
  },
  isolation: "microvm",
  // Modal's list prices (modal.com/pricing), billed per second: per physical core (2 vCPUs), per GiB of memory,
  // per GPU by type ("A100" is the 40 GB one). They may change: price_per_hour_usd overrides them.
  prices: {
    cpuHourUsd: 0.0472,
    memoryGibHourUsd: 0.008,
    gpuHourUsd: {
      T4: 0.59,
      L4: 0.8,
      A10: 1.1,
      A10G: 1.1,
      L40S: 1.95,
      A100: 2.1,
      "A100-40GB": 2.1,
      "A100-80GB": 2.5,
      H100: 3.95,
      "H100!": 3.95,
      H200: 4.54,
      B200: 6.25,
      // A type not listed is priced as the dearest, so the estimate stays an upper bound.
      default: 6.25,
    },
    source: "modal.com/pricing",
  },
  resources: (options) => ({
    ...(options.cpu !== undefined && { cpus: options.cpu }),
    ...(options.memoryMb !== undefined && { memoryMb: options.memoryMb }),
    ...(options.gpu !== undefined && { gpus: parseGpu(options.gpu) }),
  }),
  policy: { paths: "remote" },
};
