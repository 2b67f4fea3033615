import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/host-on-terminal.mjs", import.meta.url));

/** Runs the fixture on a real pseudo-terminal (util-linux `script`), as a user's program in a terminal runs. */
function runOnTerminal(): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  const child = spawn("script", ["--quiet", "--return", "--command", `${process.execPath} ${fixture}`, "/dev/null"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal, output })));
}

describe("the program that embeds the SDK is out of a command's reach", () => {
  it("survives commands that signal their process group, and commands cannot open its terminal", async () => {
    const run = await runOnTerminal();
    expect(run, run.output).toMatchObject({ code: 0, signal: null });
    const line = run.output.split(/\r?\n/).find((text) => text.startsWith("{")) as string;
    const { onTerminal, results } = JSON.parse(line);
    // The fixture itself has the terminal: the test is real only then.
    expect(onTerminal).toBe(true);
    expect(results.killGroup).toMatchObject({ exitCode: null, signal: "SIGTERM" });
    expect(results.killOwnGroup).toMatchObject({ exitCode: null, signal: "SIGTERM" });
    expect(results.exitTrap).toMatchObject({ exitCode: null, signal: "SIGTERM" });
    expect(results.spawnKillGroup).toMatchObject({ exitCode: null, signal: "SIGTERM" });
    expect(results.tty).toMatchObject({ stdout: "rc=1\n" });
    expect(results.tty.stderr).toMatch(/\/dev\/tty: No such device or address/);
    expect(results.oneShotTty).toMatch(/\/dev\/tty: No such device or address/);
  }, 60_000);
});
