import type { ContainerRuntime, RuntimeSettings } from "./container-runtime.js";

/**
 * Apptainer (or SingularityCE, the same command line under another name), as Hermes runs it and more:
 * one instance per environment (`--containall --no-home`, a writable overlay in the scratch dir when
 * persistent, else `--writable-tmpfs`, binds, `--nv` for GPUs, memory and CPU limits), and every process
 * an `exec` in it, so all share its PID namespace and core's kill by tag sees them. `--containall` starts
 * from a clean environment, which drops what the host passes (Hermes bug #90298): every variable a process
 * needs goes in explicitly, as `APPTAINERENV_<NAME>` (`SINGULARITYENV_` for SingularityCE) in the host
 * process's environment, which the runtime sets inside and which no command line shows.
 */
export function apptainerRuntime(executable: "apptainer" | "singularity", settings: RuntimeSettings): ContainerRuntime {
  const prefix = executable === "apptainer" ? "APPTAINERENV_" : "SINGULARITYENV_";
  const instance = `instance://${settings.name}`;
  return {
    name: executable,
    setup: [
      executable,
      "instance",
      "start",
      "--containall",
      "--no-home",
      ...(settings.persistent ? ["--overlay", `${settings.scratch}/overlay`] : ["--writable-tmpfs"]),
      ...settings.binds.flatMap((bind) => ["--bind", bind]),
      ...(settings.gpu ? ["--nv"] : []),
      ...(settings.memoryMb !== undefined ? ["--memory", `${Math.round(settings.memoryMb)}M`] : []),
      ...(settings.cpu !== undefined ? ["--cpus", String(settings.cpu)] : []),
      settings.image,
      settings.name,
    ],
    teardown: [executable, "instance", "stop", settings.name],
    anchor: undefined,
    process: (spec) => ({
      argv: [executable, "exec", ...(spec.cwd !== undefined ? ["--pwd", spec.cwd] : []), instance, ...spec.argv],
      env: Object.fromEntries(Object.entries(spec.env ?? {}).map(([name, value]) => [`${prefix}${name}`, value])),
    }),
  };
}

/** Directories Apptainer needs in the scratch dir: the overlay when persistent. */
export function apptainerScratch(persistent: boolean): string[] {
  return persistent ? ["overlay"] : [];
}
