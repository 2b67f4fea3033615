import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { commandPayload } from "./command-payload.js";
import { newId } from "./new-id.js";
import { closeInheritedDescriptors, sessionLoop } from "./session-script.js";
import { ShellReport } from "./shell-report.js";

const nonce = "0123456789abcdef";
const done = `\x1e__HERMES_${nonce}_DONE\n`;
const shells: Array<ReturnType<typeof spawn>> = [];
afterEach(() => {
  for (const shell of shells.splice(0)) shell.kill("SIGKILL");
});

/** A real session shell, fed payloads by hand: each call resolves to the stdout of one command's cycle. */
function sessionShell(env: Record<string, string> = {}, acknowledgePieces = false) {
  const shell = spawn("bash", ["--noprofile", "--norc", "-s"], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ["pipe", "pipe", "ignore"],
  });
  shells.push(shell);
  let buffered = "";
  let waiting: ((text: string) => void) | undefined;
  shell.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("latin1");
    const end = buffered.indexOf(done);
    if (end !== -1 && waiting) {
      const cycle = buffered.slice(0, end);
      buffered = buffered.slice(end + done.length);
      const resolve = waiting;
      waiting = undefined;
      resolve(cycle);
    }
  });
  const next = (input: string) =>
    new Promise<string>((resolve) => {
      waiting = resolve;
      shell.stdin.write(input);
    });
  // Each cycle's trailer goes to a ShellReport, which decides as core does whether the next report is quick.
  const report = new ShellReport(nonce);
  const endMarker = `\x1e__HERMES_${nonce}_END `;
  const cycle = async (input: string) => {
    const text = await next(input);
    report.read(Buffer.from(text.slice(text.indexOf(endMarker) + endMarker.length), "latin1"));
    return text;
  };
  // Closes the shell's input: resolves to its exit code and what it printed after the last cycle.
  const end = () =>
    new Promise<{ code: number | null; stdout: string }>((resolve) => {
      shell.on("close", (code) => resolve({ code, stdout: buffered }));
      shell.stdin.end();
    });
  // As the shell worker does: after a quick payload the next comes as a block.
  let inQuickRun = false;
  const run = (command: string) => {
    const parts = report.nextPayload({ command }, false);
    const payload = commandPayload({ nonce, execId: newId(), command, inQuickRun, acknowledgePieces, ...parts });
    inQuickRun = payload.quick;
    // Where pieces are acknowledged, filler (see `AckNudger`) may come before a payload.
    return cycle(`${acknowledgePieces ? "\n\n" : ""}${payload.text}`);
  };
  return { end, started: cycle(sessionLoop(nonce, closeInheritedDescriptors, acknowledgePieces)), run };
}

describe("the session loop's report", () => {
  it("is short after a command that cannot change the state, and full otherwise", async () => {
    const shell = sessionShell({ LANG: "C.UTF-8" });
    expect(await shell.started).toContain("declare -x");
    // The first command installs the session's EXIT trap: its report is full.
    expect(await shell.run("true")).toContain("declare -x");
    const quick = await shell.run("true");
    expect(quick).toMatch(/^\x1e__HERMES_\w+_END 0 q e[\d.,]+\0$/);
    expect(quick).not.toContain("declare -x");
    expect(await shell.run("export X=1")).toContain('declare -x X="1"');
  });

  it("has no start line for a quick command, and none at all in a shell without a clock", async () => {
    const shell = sessionShell();
    await shell.started;
    await shell.run("true");
    expect(await shell.run("echo quick")).toMatch(/^quick\n\x1e__HERMES_\w+_END 0 q e[\d.,]+\0$/);
    expect(await shell.run("x=1")).toContain("_BEGIN e");
    // As in bash 4: without $EPOCHREALTIME the records carry no clock, and every command gets the full report.
    await shell.run("unset EPOCHREALTIME");
    const full = await shell.run("echo full");
    expect(full).toMatch(/_END 0 {2}\d+ \w+ {2}/);
    expect(full).toContain("declare -x");
  });

  it("leaves silently when its input ends during a run of quick commands", async () => {
    const shell = sessionShell();
    await shell.started;
    await shell.run("true");
    expect(await shell.run("true")).toMatch(/_END 0 q /);
    const ended = await shell.end();
    expect(ended.stdout).toBe("");
    expect(ended.code).not.toBeNull();
  });

  it.each([
    ["", false],
    [", after filler, where pieces are acknowledged", true],
  ])("runs quick commands of any length exactly as written, in blocks until one that is not quick%s", async (_, pieces) => {
    const shell = sessionShell({}, pieces);
    await shell.started;
    await shell.run("true");
    // Lengths about the 94 characters a block holds of a command; the spaces at the end are the command's own.
    const exactly = (length: number) => {
      const [before, after] = ["echo '<", "   >'"];
      return `${before}${"x".repeat(length - before.length - after.length)}${after}`;
    };
    for (const length of [20, 93, 94, 95, 200, 900, 94]) {
      const command = exactly(length);
      expect(command).toHaveLength(length);
      const cycle = await shell.run(command);
      expect(cycle, `${length} characters`).toMatch(/_END 0 q /);
      expect(cycle.slice(0, cycle.indexOf("\x1e"))).toBe(`${command.slice(6, -1)}\n`);
      if (length === 200) {
        // A command that is not quick leaves the run; the next quick one starts another.
        expect(await shell.run("x=1; echo $x")).toMatch(/^\x1e__HERMES_\w+_BEGIN [^\n]*\n1\n.*declare -x/s);
        expect(await shell.run("echo again")).toMatch(/^again\n\x1e__HERMES_\w+_END 0 q /);
      }
    }
    expect(await shell.run("echo ü")).toContain("declare -x");
    expect(await shell.run("echo end")).toMatch(/^end\n.*_END 0 q /s);
  });

  it("is full when a name is a function or an alias, or allexport is on, as the last full report showed", async () => {
    const shell = sessionShell();
    await shell.started;
    await shell.run("true() { export VIA_FUNCTION=1; }");
    expect(await shell.run("true")).toContain('declare -x VIA_FUNCTION="1"');
    await shell.run("unset -f true; alias ls='export VIA_ALIAS=1'");
    expect(await shell.run("ls")).toContain('declare -x VIA_ALIAS="1"');
    await shell.run("unalias ls");
    expect(await shell.run("true")).toMatch(/_END 0 q /);
    await shell.run("set -a");
    expect(await shell.run("true")).toContain("declare -x");
  });

  it("gives a command only the pipes, quick or not, and switches between the two arrangements", async () => {
    const shell = sessionShell();
    await shell.started;
    await shell.run("true");
    // The command's output, word by word: after the BEGIN line (a quick command has none), before the END marker.
    const words = (cycle: string) =>
      cycle
        .slice(cycle.includes("_BEGIN ") ? cycle.indexOf("\n") + 1 : 0, cycle.indexOf(`\x1e__HERMES_${nonce}_END `))
        .split(/\s+/)
        .filter(Boolean);
    for (const round of [1, 2]) {
      const quick = await shell.run("ls /proc/self/fd");
      expect(quick, `round ${round}`).toMatch(/_END 0 q /);
      expect(words(quick)).toEqual(["0", "1", "2", "3"]);
      const other = await shell.run("x=1; ls /proc/self/fd");
      expect(other, `round ${round}`).toContain("declare -x");
      expect(words(other)).toEqual(["0", "1", "2", "3"]);
    }
    // From open back to quiet: a DEBUG trap the command sets never shows the protocol's steps after it.
    expect(await shell.run("true")).toMatch(/_END 0 q /);
    expect(words(await shell.run("trap 'echo dbg' DEBUG; echo hi"))).toEqual(["dbg", "hi"]);
  });

  it("reads a run's payloads from the copy of stdin bash keeps, wherever descriptors a command left open put it", async () => {
    const shell = sessionShell();
    await shell.started;
    await shell.run("true");
    // Descriptors of the command's own from 10 up, the lowest closed again: a gap below the others.
    const opened = await shell.run('exec {a}</dev/null {b}</dev/null {c}</dev/null; exec {a}<&-; echo "$b $c"');
    const own = (/^\x1e__HERMES_\w+_BEGIN [^\n]*\n(\d+ \d+)\n/.exec(opened)?.[1] ?? "").split(" ");
    expect(own).toHaveLength(2);
    for (const round of [1, 2, 3]) {
      const listed = await shell.run("ls /proc/self/fd");
      expect(listed, `round ${round}`).toMatch(/_END 0 q /);
      // A program gets the command's descriptors and those the shell was left with, not the payloads' copy.
      const fds = listed.slice(0, listed.indexOf("\x1e")).split(/\s+/).filter(Boolean);
      expect(fds.sort()).toEqual(["0", "1", "2", "3", ...own].sort());
    }
  });

  it("reports a shell a program ends with a signal between quick commands, from the open arrangement", async () => {
    const shell = sessionShell();
    await shell.started;
    const pid = /_END 0 \S* (\d+) /.exec(await shell.run("true"))?.[1];
    expect(await shell.run("true")).toMatch(/_END 0 q /);
    // `kill` as a program, so the command is quick: the EXIT handler finds no fds 63/62 and writes to the pipes.
    // The record says the shell is exiting (`1`); core takes the signal from how the process ends.
    expect(await shell.run(`/bin/kill -TERM ${pid}`)).toMatch(/_END \d+ 1 \d+ /);
  });

  it("reads a payload that is not ASCII byte for byte", async () => {
    const shell = sessionShell({ LANG: "C.UTF-8" });
    await shell.started;
    const output = await shell.run("echo 'héllo 你好'; export U='ü'");
    expect(Buffer.from(output, "latin1").toString("utf8")).toContain("héllo 你好\n");
    expect(await shell.run("echo after")).toMatch(/after\n.*_END 0 q /s);
    // A command the short report could take, but not ASCII: read byte for byte too, with the full report.
    const named = await shell.run("echo ü");
    expect(Buffer.from(named, "latin1").toString("utf8")).toContain("ü\n");
    expect(named).toContain("declare -x");
  });
});
