import { describe, expect, it } from "vitest";
import { OutputCapture } from "../session/output-capture.js";
import type { KillOptions } from "../types/backend.js";
import { type CommandEnd, CommandRun } from "./command-run.js";

/** A command that has already ended as `end` says; records the kills it is asked for. */
function endedCommand(end: CommandEnd) {
  const kills: KillOptions[] = [];
  const run = new CommandRun(
    {
      outcome: Promise.resolve(end),
      exited: Promise.resolve(end.error ? { error: end.error } : {}),
      cancel: async (options) => {
        kills.push(options);
      },
    },
    {
      timeoutMs: undefined,
      signal: undefined,
      killGraceMs: 100,
      backendName: "test",
      stdout: new OutputCapture(1024),
      stderr: new OutputCapture(1024),
      onKillFailed: () => {},
    },
  );
  return { run, kills };
}

describe("CommandRun.end", () => {
  it("does nothing once the process has exited", async () => {
    const { run, kills } = endedCommand({ exitCode: 0, signal: null, cwd: "/" });
    await run.finished;
    await run.end("kill", "SIGKILL");
    expect(kills).toEqual([]);
  });

  it("still kills when the connection was lost under the process: it may run on there", async () => {
    const { run, kills } = endedCommand({ exitCode: null, signal: null, cwd: "/", error: new Error("connection lost") });
    await run.finished;
    await run.end("kill", "SIGKILL");
    expect(kills).toEqual([{ signal: "SIGKILL", graceMs: 0 }]);
  });
});
