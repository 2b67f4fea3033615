import { ConfigError, type HealthReport } from "@hermes/core";
import { openClusterHost, quietContext } from "./cluster-host.js";
import { probeCluster } from "./cluster-probe.js";
import type { HpcBackendOptions } from "./descriptor.js";
import { hostScript } from "./host-program.js";

/** Partition, availability, nodes by state, and the jobs pending there: `sinfo` and `squeue` in one line each. */
const queueState = `sinfo -h \${1:+-p "$1"} -o "%P %a %D %t" 2>&1 || exit 3
printf 'pending %s\\n' "$(squeue -h -t PENDING \${1:+-p "$1"} 2>/dev/null | wc -l)"`;

/** The runtime and scratch dir on the cluster host, and with Slurm the queue state of the partition. */
export async function hpcHealth(options: HpcBackendOptions, slurm: boolean): Promise<HealthReport> {
  const host = await openClusterHost(options, quietContext("health")).catch((error: Error) => error);
  if (host instanceof Error) return { ok: false, reason: host.message, notConfigured: ConfigError.isInstance(host) };
  try {
    const probe = await probeCluster(host, options, options.clusterLogin?.host ?? "this machine");
    if (!slurm) return { ok: true, detail: `${probe.runtime}, scratch ${probe.scratchDir}` };
    const queue = await hostScript(host, queueState, [options.partition ?? ""]);
    const text = queue.stdout.toString("utf8").trim();
    if (queue.code !== 0 || text.startsWith("sinfo: error")) return { ok: false, reason: `Slurm: ${text || queue.stderr.trim()}` };
    const lines = text.split("\n");
    const pending = lines.pop() ?? "";
    if (lines.length === 0) return { ok: false, reason: `Slurm has no partition ${options.partition ?? ""}`.trim(), notConfigured: true };
    return { ok: true, detail: `${probe.runtime}; ${lines.join(", ")}; ${pending} jobs` };
  } catch (error) {
    return { ok: false, reason: (error as Error).message, notConfigured: ConfigError.isInstance(error) };
  } finally {
    await host.dispose().catch(() => {});
  }
}
