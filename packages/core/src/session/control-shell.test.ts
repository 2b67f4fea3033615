import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { TargetProcess } from "../backend/target-process.js";
import type { ProcessExit } from "../types/backend.js";
import { ControlShell } from "./control-shell.js";

/** A process that takes what is written to it and never answers: a target whose network went silent. */
function silentProcess(kills: string[]): TargetProcess {
  let exit: (value: ProcessExit) => void = () => {};
  const exited = new Promise<ProcessExit>((resolve) => {
    exit = resolve;
  });
  return {
    pid: undefined,
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    exited,
    wait: () => exited,
    kill: (signal) => {
      kills.push(signal);
      exit({ code: null, signal });
    },
    unref: () => {},
    ref: () => {},
  };
}

describe("ControlShell deadlines", () => {
  it("gives up a shell that does not answer in time, kills it, and starts another for the next call", async () => {
    const kills: string[] = [];
    let started = 0;
    const control = new ControlShell(async () => {
      started++;
      return silentProcess(kills);
    });
    await expect(control.run("true", 50)).rejects.toThrow(/did not answer within 0.05 s/);
    expect(kills).toEqual(["SIGKILL"]);
    await expect(control.run("true", 50)).rejects.toThrow(/did not answer/);
    expect(started).toBe(2);
  });

  it("bounds a shell that never starts, and the calls queued behind it", async () => {
    const control = new ControlShell(() => new Promise<TargetProcess>(() => {}));
    const first = control.run("true", 50);
    const second = control.run("true", 50);
    await expect(first).rejects.toThrow(/did not answer/);
    await expect(second).rejects.toThrow(/did not answer/);
  });
});
