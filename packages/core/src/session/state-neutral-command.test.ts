import { describe, expect, it } from "vitest";
import { commandNamesIfStateNeutral } from "./state-neutral-command.js";

describe("commandNamesIfStateNeutral", () => {
  it.each([
    ["true", ["true"]],
    ["ls -la /tmp", ["ls"]],
    ["git status --short", ["git"]],
    ["python3 -m pytest -q tests/test_x.py::test_y", ["python3"]],
    ["grep -rn 'a b' src | head -n 5", ["grep", "head"]],
    ['echo "plain text" && cat file.txt || echo failed', ["echo", "cat"]],
    ["make 2>&1 | tail -20", ["make", "tail"]],
    ["cmd >out.log 2>err.log </dev/null", ["cmd"]],
    ["cmd &>all.log; cmd >>more.log 3>&- 2>&1", ["cmd"]],
    ["ls *.ts src/[ab]?.js", ["ls"]],
    ["./run.sh --flag=value", ["./run.sh"]],
    ["[ -f x ] && echo yes", ["[", "echo"]],
    ["cat a\ncat b", ["cat"]],
    ["> truncated.txt", []],
    ["seq 10 | sort -n", ["seq", "sort"]],
  ])("%j runs programs only: %j", (command, names) => {
    expect(commandNamesIfStateNeutral(command)).toEqual(names);
  });

  it.each([
    ["cd /tmp", "a builtin that changes the shell"],
    ["export A=1", "a builtin that changes the shell"],
    ["printf -v PATH x", "printf -v assigns"],
    ["read line", "read assigns"],
    ["source env.sh", "source runs code in the shell"],
    [". env.sh", "so does ."],
    ["A=1 make", "an assignment before a command"],
    ["A=1", "an assignment"],
    ["echo $HOME", "an expansion"],
    ['echo "$HOME"', "an expansion in double quotes"],
    ["echo `date`", "a command substitution"],
    ["echo a\\ b", "a backslash"],
    ["(cd /tmp)", "a subshell"],
    ["{ ls; }", "a group"],
    ["ls &", "a background job"],
    ["cat <<EOF\nx\nEOF", "a here-document"],
    ["cat <<< text", "a here-string"],
    ["diff <(ls a) <(ls b)", "process substitution"],
    ["exec 3>file", "exec"],
    ["if true; then ls; fi", "a compound command"],
    ["for f in a; do ls; done", "a loop"],
    ["f() { :; }", "a function definition"],
    ["time ls", "a keyword"],
    ["! ls", "negation"],
    ["~/bin/tool", "a tilde in the command name"],
    ["'ls' -l", "a quoted command name"],
    ["l* -l", "a glob in the command name"],
    ["echo 'unterminated", "an unterminated quote"],
    ['echo "unterminated', "an unterminated double quote"],
    ["echo # comment", "a comment"],
    ["echo {a,b}", "brace expansion"],
    ["echo !!", "history expansion"],
    ["ls 2>", "a redirection without a target"],
    ["case x in x) ;; esac", "case"],
    ["exit 1", "exit"],
    ["echo hi | read x", "read in a pipeline"],
  ])("%j may change the state (%s)", (command) => {
    expect(commandNamesIfStateNeutral(command)).toBeUndefined();
  });

  it("gives up on very long commands", () => {
    expect(commandNamesIfStateNeutral(`echo ${"x".repeat(5000)}`)).toBeUndefined();
  });
});
