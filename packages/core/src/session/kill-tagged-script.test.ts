import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import type { ProcessSelector } from "../types/backend.js";
import { killTaggedScript } from "./kill-tagged-script.js";

const run = promisify(execFile);
const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0)) child.kill("SIGKILL");
});

/** Starts `script` in bash with extra variables; returns it and the pids it prints, one per line. */
async function startTree(script: string, env: Record<string, string>, count: number): Promise<{ child: ChildProcess; pids: number[] }> {
  const child = spawn("bash", ["-c", script], { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  started.push(child);
  let output = "";
  await new Promise<void>((resolve) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.split("\n").filter(Boolean).length >= count) resolve();
    });
  });
  return { child, pids: output.split("\n").filter(Boolean).map(Number) };
}

async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  return stat !== undefined && stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}

async function kill(selector: ProcessSelector, graceMs = 200): Promise<number> {
  const { stdout } = await run("bash", killTaggedScript(selector, { graceMs }), { env: { PATH: process.env.PATH } });
  return Number(stdout.trim());
}

describe("killTaggedScript", () => {
  it("ends tagged processes and their untagged descendants, even after setsid or env -i", async () => {
    const tree = await startTree(
      "setsid sleep 100 & echo $!; env -i sleep 101 & echo $!; (trap '' TERM; while :; do sleep 0.05; done) & echo $!; echo $$; wait",
      { HERMES_EXEC_ID: "tree-1" },
      4,
    );
    const bystander = await startTree("sleep 102 & echo $!; wait", { HERMES_EXEC_ID: "other" }, 1);
    for (const pid of tree.pids) expect(await alive(pid)).toBe(true);
    expect(await kill({ execId: "tree-1" })).toBeGreaterThanOrEqual(4);
    for (const pid of tree.pids) expect(await alive(pid), `pid ${pid}`).toBe(false);
    expect(await alive(bystander.pids[0] as number)).toBe(true);
  });

  it("selects by environment id", async () => {
    const tree = await startTree("sleep 100 & echo $!; wait", { HERMES_ENV_ID: "env-1", HERMES_EXEC_ID: "any" }, 1);
    await kill({ environmentId: "env-1" }, 0);
    expect(await alive(tree.pids[0] as number)).toBe(false);
  });

  it("with a shell, ends it and what it started since the command began, but not older background work", async () => {
    // A shell with a background loop from an earlier command (whose children carry that command's tag),
    // then a "command" that starts another loop.
    const shell = await startTree(
      "(export HERMES_EXEC_ID=earlier; while :; do sleep 0.05; done) & echo $!; sleep 0.3; read -r up _ < /proc/uptime; echo ${up/./}; (while :; do sleep 0.05; done) & echo $!; echo $$; wait",
      {},
      4,
    );
    const [older, uptime, newer, shellPid] = shell.pids as [number, number, number, number];
    await kill({ execId: "no-such-tag", shell: { pid: shellPid, since: String(uptime / 100) } });
    expect(await alive(newer)).toBe(false);
    expect(await alive(shellPid)).toBe(false);
    expect(await alive(older)).toBe(true);
    process.kill(older, "SIGKILL");
  });

  it("cuts by age with the shell's $EPOCHREALTIME too: an untagged subshell from before the command lives", async () => {
    const shell = await startTree(
      "(while :; do sleep 0.05; done) & echo $!; sleep 0.3; t=$EPOCHREALTIME; echo ${t/[.,]/}; (while :; do sleep 0.05; done) & echo $!; echo $$; wait",
      {},
      4,
    );
    const [older, micros, newer, shellPid] = shell.pids as [number, number, number, number];
    const since = `e${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, "0")}`;
    await kill({ execId: "no-such-tag", shell: { pid: shellPid, since } });
    expect(await alive(newer)).toBe(false);
    expect(await alive(shellPid)).toBe(false);
    expect(await alive(older)).toBe(true);
    process.kill(older, "SIGKILL");
  });

  it("keeps the grace by the clock: a process that ignores TERM lives through it, then is killed", async () => {
    const tree = await startTree("(trap '' TERM; while :; do sleep 0.05; done) & echo $!; wait", { HERMES_EXEC_ID: "grace-1" }, 1);
    const pid = tree.pids[0] as number;
    const started = Date.now();
    const killing = kill({ execId: "grace-1" }, 1000);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await alive(pid)).toBe(true);
    await killing;
    // Not a timing of the script: a grace off by its unit (10x either way) fails here.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await alive(pid)).toBe(false);
  });

  it("finds nothing and says so", async () => {
    expect(await kill({ execId: "nothing-has-this-tag" })).toBe(0);
  });
});
