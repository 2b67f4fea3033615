import { describe, expect, it } from "vitest";
import { mergeState } from "./session.js";
import { quoteShellWord } from "./shell-quote.js";
import { stateRestore } from "./state-restore.js";

const state = (cwd: string, env: Record<string, string | null>) => ({
  cwd,
  cwdWord: quoteShellWord(cwd),
  env: new Map(Object.entries(env)),
});

describe("mergeState", () => {
  it("applies only what the command changed, so concurrent commands do not undo each other", () => {
    const start = state("/w", { A: "1", B: "1", GONE: "x" });
    // Two commands started from `start`; the first already finished and exported C.
    const current = state("/w", { A: "1", B: "1", GONE: "x", C: "3" });
    const second = state("/w/sub", { A: "2", B: "1" });
    expect(mergeState(current, start, second)).toEqual(state("/w/sub", { A: "2", B: "1", C: "3" }));
  });

  it("keeps the current cwd when the command did not move", () => {
    expect(mergeState(state("/elsewhere", {}), state("/w", {}), state("/w", {})).cwd).toBe("/elsewhere");
  });
});

describe("stateRestore", () => {
  it("is empty between equal states and moves, exports and unsets otherwise", () => {
    expect(stateRestore(state("/w", { A: '"1"' }), state("/w", { A: '"1"' }))).toEqual({ variables: "" });
    const restore = stateRestore(state("/w", { A: '"1"', OLD: '"x"' }), state("/w x", { A: `"it's"`, NEW: null }));
    expect(restore).toEqual({ cwd: "'/w x'", variables: `builtin export A="it's" NEW; builtin unset OLD` });
  });

  it("leaves PWD to the cd", () => {
    expect(stateRestore(state("/a", { PWD: '"/a"' }), state("/b", { PWD: '"/b"' }))).toEqual({ cwd: "/b", variables: "" });
  });
});
