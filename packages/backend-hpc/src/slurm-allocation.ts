import { type BackendInstance, BackendUnavailableError, ConfigError, posixQuote } from "@hermes/core";
import { hostScript } from "./host-program.js";

export interface AllocationRequest {
  host: BackendInstance;
  backendName: string;
  jobName: string;
  /** The `hermes.*` labels, carried in the job's comment for `reap`. */
  labels: Readonly<Record<string, string>>;
  partition: string | undefined;
  /** `#SBATCH` lines. */
  template: string | undefined;
  /** A `--gres` value, e.g. `gpu:1` or `gpu:a100:2`. */
  gres: string | undefined;
  cpu: number | undefined;
  memoryMb: number | undefined;
  /** Where the batch step's own output goes (it quotes a failed setup). */
  outputFile: string;
  /** Run by the batch step before it idles, where the environment's processes will run. */
  setup: readonly string[] | undefined;
  maxQueueWaitMs: number;
  progress(message: string): void;
}

const pollMs = 200;

/**
 * One Slurm allocation per environment: a batch job whose step runs the setup and then idles, holding
 * one node. Every process of the environment is a further step in it (`srun --jobid --overlap`), so it
 * shares the allocation's resources and runs on the same node, where core's kill by tag reaches it.
 */
export class SlurmAllocation {
  private constructor(
    private readonly host: BackendInstance,
    readonly jobId: string,
  ) {}

  static async request(request: AllocationRequest): Promise<SlurmAllocation> {
    const jobId = await submit(request);
    const allocation = new SlurmAllocation(request.host, jobId);
    try {
      await waitUntilRunning(request, jobId);
      return allocation;
    } catch (error) {
      await allocation.cancel();
      throw error;
    }
  }

  /**
   * A step of this allocation running `argv`, its stdin and output those of the srun process. Quiet twice:
   * once silences srun's notes, twice its "task 0: Exited with exit code 3", which would end up in the
   * command's stderr.
   */
  step(argv: readonly string[]): string[] {
    return ["srun", `--jobid=${this.jobId}`, "--overlap", "--nodes=1", "--ntasks=1", "--quiet", "--quiet", "--", ...argv];
  }

  /** Cancels the job (every step with it) and waits until Slurm no longer runs it. */
  async cancel(): Promise<void> {
    const script = `scancel "$1" 2>/dev/null
for _ in $(seq 100); do
  state=$(squeue -h -j "$1" -o %T 2>/dev/null)
  case $state in "" | CANCELLED | COMPLETED | FAILED) exit 0 ;; esac
  sleep 0.1
done
exit 1`;
    await hostScript(this.host, script, [this.jobId]).catch(() => undefined);
  }
}

async function submit(request: AllocationRequest): Promise<string> {
  const comment = Object.entries(request.labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(" ");
  // Options on sbatch's command line take precedence over the template's #SBATCH lines.
  const options = [
    "--parsable",
    `--job-name=${request.jobName}`,
    `--comment=${comment}`,
    "--nodes=1",
    "--ntasks=1",
    `--output=${request.outputFile}`,
    ...(request.partition !== undefined ? [`--partition=${request.partition}`] : []),
    ...(request.gres !== undefined ? [`--gres=${request.gres}`] : []),
    ...(request.cpu !== undefined ? [`--cpus-per-task=${Math.ceil(request.cpu)}`] : []),
    ...(request.memoryMb !== undefined ? [`--mem=${Math.ceil(request.memoryMb)}M`] : []),
  ];
  const script = [
    "#!/bin/bash",
    ...(request.template ?? "")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== ""),
    ...(request.setup ? [`${request.setup.map(posixQuote).join(" ")} || exit 1`] : []),
    "while :; do sleep 3600; done",
    "",
  ].join("\n");
  const result = await hostScript(request.host, 'exec sbatch "$@"', options, Buffer.from(script));
  if (result.code === 0) return result.stdout.toString("utf8").trim().split(";")[0] as string;
  throw submissionError(request, result.stderr.trim() || `sbatch exited with ${result.code}`);
}

/** sbatch's refusal, as the key the user has to fix, in Slurm's own words. */
function submissionError(request: AllocationRequest, words: string): Error {
  if (/command not found|No such file/i.test(words) && !/sbatch: error/.test(words)) {
    return new ConfigError({
      issues: [{ path: "slurm", value: true, expected: `Slurm's sbatch on the PATH of the cluster host (${words})` }],
    });
  }
  if (/partition/i.test(words) && request.partition !== undefined) {
    return new ConfigError({
      issues: [{ path: "partition", value: request.partition, expected: `a partition of this cluster (Slurm: ${words})` }],
    });
  }
  if (/gres|generic resource/i.test(words) && request.gres !== undefined) {
    return new ConfigError({ issues: [{ path: "gpu", value: request.gres, expected: `GPUs this cluster has (Slurm: ${words})` }] });
  }
  if (request.template !== undefined && request.template.trim() !== "") {
    return new ConfigError({
      issues: [{ path: "slurm_job_template", value: request.template, expected: `#SBATCH lines Slurm accepts (Slurm: ${words})` }],
    });
  }
  return new BackendUnavailableError({ backend: request.backendName, reason: `Slurm refused the allocation: ${words}`, retryable: false });
}

/** Prints `STATE|REASON` while Slurm lists the job, else `GONE|<its final state>`. */
const jobState = `line=$(squeue -h -j "$1" -o "%T|%r" 2>/dev/null)
if [ -n "$line" ]; then printf '%s\n' "$line"
else printf 'GONE|%s\n' "$(scontrol show job -o "$1" 2>/dev/null | sed -n 's/.*JobState=\\([A-Z_]*\\).*/\\1/p')"; fi`;

async function waitUntilRunning(request: AllocationRequest, jobId: string): Promise<void> {
  const deadline = Date.now() + request.maxQueueWaitMs;
  let told = "";
  for (;;) {
    const result = await hostScript(request.host, jobState, [jobId]);
    const [state = "", reason = ""] = result.stdout.toString("utf8").trim().split("|");
    if (state === "RUNNING") {
      // Said even when it ran at once, so a caller always learns which job holds the environment.
      request.progress(`Slurm job ${jobId} is running`);
      return;
    }
    if (state === "GONE") {
      const output = await hostScript(request.host, 'tail -c 2000 "$1" 2>/dev/null', [request.outputFile]);
      const said = output.stdout.toString("utf8").trim();
      throw new BackendUnavailableError({
        backend: request.backendName,
        reason: `Slurm job ${jobId} ended before it ran (${reason || "no state"})${said ? `: ${said}` : ""}`,
        retryable: false,
      });
    }
    const news = `${state} (${reason})`;
    if (news !== told) {
      told = news;
      request.progress(`Slurm job ${jobId} is ${state.toLowerCase()}: ${reason}`);
    }
    if (Date.now() > deadline) {
      throw new BackendUnavailableError({
        backend: request.backendName,
        reason: `Slurm job ${jobId} waited more than ${Math.round(request.maxQueueWaitMs / 1000)}s in the queue (${reason}); raise max_queue_wait or choose another partition`,
        retryable: true,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
