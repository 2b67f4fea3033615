import { type BackendInstance, ConfigError } from "@hermes/core";
import type { HpcBackendOptions } from "./descriptor.js";
import { hostScript } from "./host-program.js";

export interface ClusterProbe {
  runtime: "apptainer" | "singularity" | "charliecloud";
  /** The user commands run as there (ch-run needs $USER, which a bare environment may lack). */
  user: string;
  /** The scratch dir, created and writable, as a physical path. */
  scratchDir: string;
}

/** Prints the first runtime of `$1` (space-separated) on the PATH, then the first usable scratch dir of `$2...`. */
const probeScript = `runtime=
for exe in $1; do command -v "$exe" >/dev/null 2>&1 && { runtime=$exe; break; }; done
[ -n "$runtime" ] || exit 3
shift
user=\${USER:-$(id -un)}
for dir in "$@" "/scratch/$user/hermes-agent" "\${TMPDIR:-/tmp}/hermes-hpc-$user"; do
  [ -n "$dir" ] || continue
  mkdir -p "$dir" 2>/dev/null && [ -w "$dir" ] && { printf '%s\\n%s\\n%s\\n' "$runtime" "$(cd "$dir" && pwd -P)" "$user"; exit 0; }
done
exit 4`;

/** Finds the runtime and the scratch dir on the cluster host, in one round trip. */
export async function probeCluster(host: BackendInstance, options: HpcBackendOptions, where: string): Promise<ClusterProbe> {
  const candidates = options.runtime === "charliecloud" ? ["ch-run"] : options.runtime ? [options.runtime] : ["apptainer", "singularity"];
  const scratch = options.scratchDir ?? process.env.TERMINAL_SCRATCH_DIR ?? "";
  const result = await hostScript(host, probeScript, [candidates.join(" "), scratch]);
  if (result.code === 3) {
    throw new ConfigError({
      issues: [
        {
          path: "runtime",
          value: options.runtime ?? "(not set)",
          expected: `a container runtime installed on ${where}: ${candidates.join(" or ")} is not on its PATH${options.runtime ? "" : " (set runtime: charliecloud to use ch-run)"}`,
        },
      ],
    });
  }
  if (result.code !== 0) {
    throw new ConfigError({
      issues: [
        {
          path: "scratch_dir",
          value: options.scratchDir ?? "(not set)",
          expected: `a directory that can be created and written on ${where}${result.stderr.trim() ? ` (${result.stderr.trim()})` : ""}`,
        },
      ],
    });
  }
  const [found, scratchDir, user] = result.stdout.toString("utf8").trim().split("\n");
  return {
    runtime: found === "ch-run" ? "charliecloud" : (found as ClusterProbe["runtime"]),
    scratchDir: scratchDir as string,
    user: user as string,
  };
}
