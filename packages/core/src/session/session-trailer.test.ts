import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { definedNames, parseTrailer } from "./session-trailer.js";
import { splitTraps } from "./session-traps.js";

const previous = {
  pid: 41,
  options: "hB",
  state: { cwd: "/srv", cwdWord: "/srv", env: new Map([["A", '"1"']]) },
  exportsText: 'declare -x A="1"\n',
  namesText: "declare -f old\n",
  names: new Set(["old"]),
};

describe("parseTrailer", () => {
  it("reads a full report: status, pid, options, clock, cwd, traps, names and exports", () => {
    const text = "3  42 ahB e1733300000.123456 /tmp/a\\ b\0trap -- 'x' EXIT\n\0declare -f fn\nalias ll='ls -l'\n\0declare -x B=\"2\"\n";
    const trailer = parseTrailer(Buffer.from(text), previous);
    expect(trailer).toMatchObject({ exitCode: 3, exiting: false, pid: 42, options: "ahB", clock: "e1733300000.123456" });
    expect(trailer.traps).toBe("trap -- 'x' EXIT\n");
    expect(trailer.state.cwd).toBe("/tmp/a b");
    expect([...trailer.state.env]).toEqual([["B", '"2"']]);
    expect([...trailer.names]).toEqual(["fn", "ll"]);
  });

  it("keeps the previous pid, options, state and names for a quick report, which has only a status and a clock", () => {
    const trailer = parseTrailer(Buffer.from("7 q e1733300001,5\0"), previous);
    expect(trailer).toMatchObject({ exitCode: 7, exiting: false, pid: 41, options: "hB", clock: "e1733300001,5", traps: undefined });
    expect(trailer.state).toBe(previous.state);
    expect(trailer.exportsText).toBe(previous.exportsText);
    expect(trailer.names).toBe(previous.names);
  });

  it("reads the exiting report of the EXIT handler", () => {
    const trailer = parseTrailer(Buffer.from('9 1 41 hB  /\0\0\0declare -x A="1"\n'), previous);
    expect(trailer).toMatchObject({ exitCode: 9, exiting: true, traps: "", clock: "" });
    expect(trailer.state.cwd).toBe("/");
    expect(trailer.state.env).toBe(previous.state.env);
  });
});

describe("definedNames", () => {
  it("reads the names of functions and aliases as bash prints them", () => {
    const script = "f() { :; }; g() { :; }; declare -fx g; alias ll='ls -l' multi=$'echo a\\nalias fake=1'; declare -F; alias -p";
    const printed = execFileSync("bash", ["-c", script]).toString();
    // A value's line that looks like an alias only adds a name: safe, as a name taken for one is never quick.
    expect([...definedNames(printed)].sort()).toEqual(["f", "fake", "g", "ll", "multi"]);
    expect(definedNames("").size).toBe(0);
  });
});

describe("splitTraps", () => {
  it("finds the EXIT line and any other trap with an action, as bash prints them", () => {
    const script = "trap 'echo a' EXIT; trap '' PIPE; trap \"x'y\" USR1; trap ': $BASH_COMMAND' DEBUG; trap -p; trap - EXIT";
    const printed = execFileSync("bash", ["-c", script]).toString();
    expect(splitTraps(printed)).toEqual({ exit: "trap -- 'echo a' EXIT\n", others: true });
    expect(splitTraps(printed.replace(/.*USR1\n.*DEBUG\n/s, "trap -- 'echo a' EXIT\n"))).toEqual({
      exit: "trap -- 'echo a' EXIT\n",
      others: false,
    });
  });

  it("ignores signals ignored with an empty action", () => {
    const printed = "trap -- 'echo a' EXIT\ntrap -- '' SIGPIPE\n";
    expect(splitTraps(printed)).toEqual({ exit: "trap -- 'echo a' EXIT\n", others: false });
    expect(splitTraps("")).toEqual({ exit: "", others: false });
  });

  it("takes what it cannot read for a trap that may run code", () => {
    expect(splitTraps("trap -- 'echo a' EXIT\nsomething else\n").others).toBe(true);
  });
});
