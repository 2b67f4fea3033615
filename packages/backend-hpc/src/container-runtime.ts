import type { ProcessSpec } from "@hermes/core";

/** How one container runtime runs the environment's processes, as command lines for the cluster host. */
export interface ContainerRuntime {
  readonly name: "apptainer" | "singularity" | "charliecloud";
  /** Run once before any process, where they will run (an Apptainer instance); none for Charliecloud. */
  readonly setup: readonly string[] | undefined;
  /** Run once at dispose, where `setup` ran. */
  readonly teardown: readonly string[] | undefined;
  /** A process started before any other, whose namespaces the others join (see namespace-anchor.ts). */
  readonly anchor: { argv: readonly string[]; joined(pid: string): void } | undefined;
  /** The argv of a process in the container, and what the host process's environment needs to carry for it. */
  process(spec: ProcessSpec): { argv: string[]; env: Record<string, string> };
}

/** What every runtime is given: the image, mounts, limits and the environment's writable places. */
export interface RuntimeSettings {
  /** The image as the runtime takes it (a SIF, a sandbox or image directory, a docker:// reference). */
  image: string;
  /** `host:container[:ro]`. */
  binds: readonly string[];
  /** The environment's own directory in the scratch dir (its writable layer lives there). */
  scratch: string;
  persistent: boolean;
  gpu: boolean;
  cpu: number | undefined;
  memoryMb: number | undefined;
  /** A name unique to the environment (an Apptainer instance name). */
  name: string;
  /** The user on the cluster host. */
  user: string;
}
