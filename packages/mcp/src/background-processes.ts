import type { ExecResult, ProcessHandle } from "@hermes/core";

/** Output kept per stream between two reads; older output beyond it is dropped (and said to be). */
const keptChars = 1024 * 1024;

interface Tracked {
  handle: ProcessHandle;
  command: string;
  unread: { stdout: string; stderr: string };
  dropped: number;
  result: ExecResult | undefined;
}

/** A session's spawned processes, by the id the agent was given, with the output it has not read yet. */
export class BackgroundProcesses {
  private readonly processes = new Map<string, Tracked>();

  add(handle: ProcessHandle, command: string): string {
    const tracked: Tracked = { handle, command, unread: { stdout: "", stderr: "" }, dropped: 0, result: undefined };
    this.processes.set(handle.id, tracked);
    for (const stream of ["stdout", "stderr"] as const) void this.follow(tracked, stream);
    void handle.wait().then(
      (result) => {
        tracked.result = result;
      },
      () => {},
    );
    return handle.id;
  }

  get(id: string): Tracked {
    const tracked = this.processes.get(id);
    if (!tracked)
      throw new Error(`no process ${id} in this session: spawn gives the id (${[...this.processes.keys()].join(", ") || "none yet"})`);
    return tracked;
  }

  /** What the process printed since the last read, and whether it has ended. */
  read(id: string): { stdout: string; stderr: string; dropped: number; running: boolean; exitCode: number | null; signal: string | null } {
    const tracked = this.get(id);
    const { stdout, stderr } = tracked.unread;
    const dropped = tracked.dropped;
    tracked.unread = { stdout: "", stderr: "" };
    tracked.dropped = 0;
    const result = tracked.result;
    return { stdout, stderr, dropped, running: !result, exitCode: result?.exitCode ?? null, signal: result?.signal ?? null };
  }

  private async follow(tracked: Tracked, stream: "stdout" | "stderr"): Promise<void> {
    try {
      for await (const chunk of tracked.handle[stream]) {
        const text = tracked.unread[stream] + chunk;
        const over = text.length - keptChars;
        if (over > 0) tracked.dropped += over;
        tracked.unread[stream] = over > 0 ? text.slice(over) : text;
      }
    } catch {
      // The process's end says what happened; its wait() result carries it.
    }
  }
}
