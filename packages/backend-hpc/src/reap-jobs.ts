import { ownerState, type ReapOptions, type ReapReport, reapOwnedProcesses } from "@hermes/core";
import { openClusterHost, quietContext } from "./cluster-host.js";
import type { HpcBackendOptions } from "./descriptor.js";
import { hostScript } from "./host-program.js";

/** Lists `jobid|comment` of the jobs Slurm knows (nothing when there is no Slurm). */
const listJobs = `command -v squeue >/dev/null 2>&1 || exit 0
squeue -h -o "%i|%k" 2>/dev/null; true`;

/**
 * Cancels the Slurm jobs, and ends the processes on the cluster host, that environments of crashed
 * processes left: found by the `hermes.owner` label in a job's comment, or the HERMES_OWNER a process
 * carries, whose owner process (on this machine) is gone.
 */
export async function reapJobs(options: HpcBackendOptions, reapOptions: ReapOptions = {}): Promise<ReapReport> {
  const host = await openClusterHost(options, quietContext("reap"));
  try {
    const listing = await hostScript(host, listJobs);
    const orphans = listing.stdout
      .toString("utf8")
      .split("\n")
      .map((line) => {
        const [jobId = "", comment = ""] = line.split("|");
        const owner = /(?:^| )hermes\.owner=(\S+)/.exec(comment)?.[1];
        return { jobId, owner, environment: /(?:^| )hermes\.env-id=(\S+)/.exec(comment)?.[1] ?? "?" };
      })
      .filter((job) => job.jobId !== "" && job.owner !== undefined && ownerState(job.owner) === "gone");
    if (orphans.length > 0 && !reapOptions.dryRun)
      await hostScript(
        host,
        'scancel "$@"',
        orphans.map((job) => job.jobId),
      );
    const where = options.clusterLogin?.host ?? "this machine";
    const processes = await reapOwnedProcesses(
      (spec) => host.start(spec),
      (pid, environmentId) => `singularity process ${pid} on ${where} (environment ${environmentId})`,
      reapOptions,
    );
    return {
      removed: [...orphans.map((job) => `Slurm job ${job.jobId} on ${where} (environment ${job.environment})`), ...processes.removed],
    };
  } finally {
    await host.dispose();
  }
}
