/**
 * Where the session differs from a script on purpose (core's README lists each, with the reason). The suite
 * checks both halves: the session gives `session`, and a plain script gives something else (so an entry
 * that stopped being a difference fails until it is removed here and in the README).
 */
export interface DeliberateDifference {
  name: string;
  steps: readonly string[];
  /** All steps' stdout together, and optionally stderr (line numbers shown as N), through the session. */
  session: { stdout: string | RegExp; stderr?: string | RegExp };
}

export const deliberateDifferences: readonly DeliberateDifference[] = [
  { name: "errexit lasts one command", steps: ["set -e", "false", "echo continued"], session: { stdout: "continued\n" } },
  { name: "nounset lasts one command", steps: ["set -u", 'echo "[$NOT_SET_ANYWHERE]"'], session: { stdout: "[]\n" } },
  {
    name: "xtrace lasts one command, with two more +",
    steps: ["set -x; echo hi", "echo quiet"],
    session: { stdout: "hi\nquiet\n", stderr: "+++ echo hi\n" },
  },
  { name: "$? starts each command at 0", steps: ["false", "echo $?"], session: { stdout: "0\n" } },
  { name: "$_ starts each command empty", steps: ["echo a b", 'echo "[$_]"'], session: { stdout: "a b\n[]\n" } },
  {
    name: "line numbers count from each command's first line",
    steps: ["true", "true", "echo $LINENO; nosuch"],
    session: { stdout: "1\n", stderr: "bash: line N: nosuch: command not found\n" },
  },
  {
    name: "break and continue outside a loop are silent",
    steps: ["break", "continue", "echo after"],
    session: { stdout: "after\n", stderr: "" },
  },
  {
    name: "a syntax error ends only its command",
    steps: ["echo (", "echo after"],
    session: { stdout: "after\n", stderr: /^bash: eval: line N: syntax error/ },
  },
  {
    name: "exec redirections of stdout and stderr last one command",
    steps: ["exec >/dev/null 2>&1", "echo shown"],
    session: { stdout: "shown\n" },
  },
  { name: "fds 60-63 are the session's between commands", steps: ["exec 63>kept63", "echo x >&63 && echo wrote"], session: { stdout: "" } },
  { name: "aliases are expanded", steps: ["alias hi='echo alias-ran'", "hi"], session: { stdout: "alias-ran\n" } },
  {
    name: "trap -p shows the session's EXIT handler, which runs yours",
    steps: ["trap 'echo bye' EXIT", "trap -p EXIT"],
    session: { stdout: /^trap -- '.*builtin eval '\\''echo bye'\\''.*' EXIT\n$/s },
  },
  {
    name: "the EXIT trap runs when the session's shell ends, not after each call",
    steps: ["trap 'echo bye' EXIT", "echo next"],
    session: { stdout: "next\n" },
  },
];
