import type { ContainerRuntime, RuntimeSettings } from "./container-runtime.js";

/**
 * Charliecloud's `ch-run` on a directory image: unprivileged (a user namespace only, no setuid helper),
 * so it runs where Apptainer cannot be installed. The image stays read-only; the environment's writable
 * places are directories of its scratch dir bound at /workspace and /tmp (kept after dispose when
 * persistent). Each ch-run makes a user namespace of its own, in which the others could not read its
 * /proc entries, so an anchor makes the namespaces once and every process joins it (`--join-pid`); there is
 * no PID namespace, so core's kill by tag then sees every process of the environment.
 * ch-run passes the host process's environment through, core's tags included. Its binds are read-write
 * (the factory refuses a `:ro` bind for it rather than quietly dropping the flag).
 */
export function charliecloudRuntime(settings: RuntimeSettings): ContainerRuntime {
  const binds = [`${settings.scratch}/workspace:/workspace`, `${settings.scratch}/tmp:/tmp`, ...settings.binds];
  let anchorPid: string | undefined;
  return {
    name: "charliecloud",
    setup: undefined,
    teardown: undefined,
    anchor: {
      argv: [
        "ch-run",
        ...binds.flatMap((bind) => ["-b", bind]),
        settings.image,
        "--",
        "/bin/bash",
        "-c",
        'builtin echo "$$"; builtin read -r _',
      ],
      joined: (pid) => {
        anchorPid = pid;
      },
    },
    process: (spec) => ({
      argv: ["ch-run", `--join-pid=${anchorPid}`, ...(spec.cwd !== undefined ? ["-c", spec.cwd] : []), settings.image, "--", ...spec.argv],
      // ch-run refuses to start without $USER.
      env: { USER: settings.user, ...spec.env },
    }),
  };
}

/** Directories Charliecloud's binds need in the scratch dir. */
export const charliecloudScratch = ["workspace", "tmp"];
