import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseTrailer } from "./session-trailer.js";
import { splitTraps } from "./session-traps.js";

const previous = { text: 'declare -x A="1"\n', env: new Map([["A", '"1"']]) };

describe("parseTrailer", () => {
  it("reads a full report: status, pid, cwd, traps and exports", () => {
    const text = "3 0 41 /tmp/a\\ b\0trap -- 'x' EXIT\n\0declare -x B=\"2\"\n";
    const trailer = parseTrailer(Buffer.from(text), previous);
    expect(trailer).toMatchObject({ exitCode: 3, exiting: false, pid: 41, traps: "trap -- 'x' EXIT\n" });
    expect(trailer.state.cwd).toBe("/tmp/a b");
    expect([...trailer.state.env]).toEqual([["B", '"2"']]);
  });

  it("keeps the previous exports for a quick report, which has none", () => {
    const trailer = parseTrailer(Buffer.from("0 q 41 /srv\0"), previous);
    expect(trailer).toMatchObject({ exitCode: 0, exiting: false, traps: undefined, exportsText: previous.text });
    expect(trailer.state.env).toBe(previous.env);
    expect(trailer.state.cwd).toBe("/srv");
  });

  it("reads the exiting report of the EXIT handler", () => {
    const trailer = parseTrailer(Buffer.from('9 1 41 /\0\0declare -x A="1"\n'), previous);
    expect(trailer).toMatchObject({ exitCode: 9, exiting: true, traps: "" });
    expect(trailer.state.env).toBe(previous.env);
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
