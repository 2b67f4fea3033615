import {
  type BackendDescriptor,
  backendOptionsSchema,
  type CommonBackendOptions,
  positiveNumber,
  renamedOptions,
  sizeMb,
  text,
  textList,
} from "@hermes/core";
import { z } from "zod";
import { docker } from "./docker-backend.js";

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

/** Hermes `terminal:` keys -> docker options. */
const terminalOptions: Record<string, keyof DockerBackendOptions & string> = {
  docker_image: "image",
  docker_volumes: "volumes",
  docker_forward_env: "forwardEnv",
  docker_env: "env",
  docker_mount_cwd_to_workspace: "mountCwdToWorkspace",
  container_cpu: "cpus",
  container_memory: "memoryMb",
  container_disk: "diskMb",
  container_persistent: "persistent",
};

/** The docker backend, as core's configuration, pricing, routing and policy see it. */
export const descriptor: BackendDescriptor<DockerBackendOptions> = {
  type: "docker",
  factory: docker,
  options: backendOptionsSchema<DockerBackendOptions>(
    {
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
    },
    { memory_limit: "memoryMb", disk_limit: "diskMb", cpu_limit: "cpus" },
  ),
  terminal: {
    keys: {
      docker_image: "text",
      docker_forward_env: "list",
      docker_env: "map",
      docker_volumes: "list",
      docker_mount_cwd_to_workspace: "boolean",
      container_cpu: "number",
      container_memory: "size",
      container_disk: "size",
      container_persistent: "boolean",
    },
    options: renamedOptions<DockerBackendOptions>(terminalOptions),
    ignoreHostCwd: true,
  },
  isolation: "container",
  prices: { cpuHourUsd: 0, memoryGibHourUsd: 0, source: "your own engine" },
  resources: (options) => ({
    ...(options.cpus !== undefined && { cpus: options.cpus }),
    ...(options.memoryMb !== undefined && { memoryMb: options.memoryMb }),
  }),
  // Paths are the container's, not this machine's.
  policy: { paths: "remote" },
};
