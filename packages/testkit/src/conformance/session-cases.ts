import { describe, expect } from "vitest";
import type { SuiteContext } from "./suite-context.js";

/** The persistent session: what survives between calls, and what a command cannot break. */
export function sessionCases(suite: SuiteContext): void {
  describe("session", () => {
    const env = suite.useSharedEnvironment();

    suite.test("keeps the working directory and exported variables between calls", ["persistentSession"], async () => {
      const moved = await env().exec("mkdir -p persist/inner && cd persist/inner && export GREETING='hello world' && echo moved");
      expect(moved.cwd.endsWith("/persist/inner")).toBe(true);
      const result = await env().exec('echo "$GREETING from $(basename "$PWD")"');
      expect(result.stdout).toBe("hello world from inner\n");
      expect(result.cwd).toBe(moved.cwd);
      await env().exec("cd ../.. && unset GREETING");
      expect((await env().exec('echo "${GREETING-unset}"')).stdout).toBe("unset\n");
    });

    suite.test("keeps values with newlines, quotes and control characters exactly", ["persistentSession"], async () => {
      await env().exec(`export TRICKY=$'line1\\nline2 "quoted" \\'single\\' $dollar \`tick\` back\\\\slash\\ttab\\001'`);
      const result = await env().exec('printf "%s" "$TRICKY"');
      expect(result.stdout).toBe("line1\nline2 \"quoted\" 'single' $dollar `tick` back\\slash\ttab\u0001");
      const concurrent = await Promise.all([env().exec('printf "%s" "$TRICKY"'), env().exec('printf "%s" "$TRICKY"')]);
      expect(concurrent.map((item) => item.stdout)).toEqual([result.stdout, result.stdout]);
    });

    suite.test("survives `exit N` with its cwd and exported variables", ["persistentSession"], async () => {
      const exited = await env().exec("mkdir -p after-exit && cd after-exit && export AFTER_EXIT=1 && exit 7");
      expect(exited.exitCode).toBe(7);
      const result = await env().exec('echo "$AFTER_EXIT $(basename "$PWD")"; cd ..');
      expect(result).toMatchObject({ exitCode: 0, stdout: "1 after-exit\n" });
    });

    suite.test("survives `set -e` in a command, which applies to that command only", ["persistentSession"], async () => {
      const failed = await env().exec("set -e; export BEFORE_FAIL=1; false; echo not-reached");
      expect(failed).toMatchObject({ exitCode: 1, stdout: "" });
      const next = await env().exec('false; echo "continues $BEFORE_FAIL"');
      expect(next).toMatchObject({ exitCode: 0, stdout: "continues 1\n" });
    });

    suite.test("survives a command that closes or redirects its output", ["persistentSession"], async () => {
      expect((await env().exec("exec >&-; exec 2>/dev/null; echo lost")).exitCode).not.toBeNull();
      expect(await env().exec("echo visible; echo visible-err >&2")).toMatchObject({ stdout: "visible\n", stderr: "visible-err\n" });
      await env().exec("exec > /dev/null");
      expect((await env().exec("echo shown")).stdout).toBe("shown\n");
    });

    suite.test("does not trace its own machinery after `set -x`", ["persistentSession"], async () => {
      const traced = await env().exec("set -x; echo hi");
      expect(traced.stderr).toMatch(/\+ echo hi/);
      expect(await env().exec("echo quiet")).toMatchObject({ stdout: "quiet\n", stderr: "" });
    });

    suite.test("applies a per-call cwd and env without leaking them", ["persistentSession"], async () => {
      await env().exec("mkdir -p percall/sub");
      const before = (await env().exec("pwd")).stdout;
      const result = await env().exec('echo "$ONLY_HERE $(basename "$PWD")"; cd /; export LEAKED=1', {
        cwd: "percall/sub",
        env: { ONLY_HERE: "here" },
      });
      expect(result.stdout).toBe("here sub\n");
      expect(result.cwd.endsWith("/percall/sub")).toBe(true);
      const after = await env().exec('echo "${ONLY_HERE-unset} ${LEAKED-unset}"; pwd');
      expect(after.stdout).toBe(`unset unset\n${before}`);
    });

    suite.test("fails a per-call cwd that does not exist, without running the command", [], async () => {
      const result = await env().exec("echo ran", { cwd: "no/such/dir" });
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/no\/such\/dir/);
    });

    suite.test("session: false runs in a fresh process that sees, but cannot change, the session", ["persistentSession"], async () => {
      await env().exec("mkdir -p oneshot && cd oneshot && export SEEN=yes");
      const session = await env().exec("echo $$");
      const fresh = await env().exec('echo "$$ $SEEN $(basename "$PWD")"; cd /; export CHANGED=1', { session: false });
      const [pid, seen, dir] = fresh.stdout.trim().split(" ");
      expect(pid).not.toBe(session.stdout.trim());
      expect([seen, dir]).toEqual(["yes", "oneshot"]);
      expect((await env().exec('echo "${CHANGED-unset} $(basename "$PWD")"; cd ..')).stdout).toBe("unset oneshot\n");
    });

    // A plain program call gets a short report without the exports (see core's README): these are the
    // ways a command that looks like one still changes them. A fresh process shows what the session knows.
    suite.test("knows what a function, an alias or a trap changed behind a program's name", ["persistentSession"], async () => {
      const known = async () => (await env().exec('echo "${VIA-unset} $(basename "$PWD")"', { session: false })).stdout;
      await env().exec("mkdir -p via/function via/alias && cd via");
      await env().exec("ls() { export VIA=function; cd function; }");
      await env().exec("ls");
      expect(await known()).toBe("function function\n");
      await env().exec("unset -f ls; cd ..; alias cat='export VIA=alias; cd alias'");
      await env().exec("cat");
      expect(await known()).toBe("alias alias\n");
      await env().exec("unalias cat; cd ..; trap 'export VIA=err' ERR");
      await env().exec("false");
      expect(await known()).toBe("err via\n");
      await env().exec("trap - ERR; trap 'export VIA=$((VIA + 1))' DEBUG");
      const before = Number((await known()).split(" ")[0]);
      await env().exec("true");
      const after = Number((await known()).split(" ")[0]);
      await env().exec("trap - DEBUG; unset VIA; cd ..");
      expect(after).toBeGreaterThan(before);
    });

    suite.test("leaves no variable of its own in a command's environment under allexport", ["persistentSession"], async () => {
      await env().exec("set -a");
      const seen = await env().exec("env");
      await env().exec("set +a");
      expect(seen.stdout).not.toMatch(/__hermes/);
      expect(seen.stdout).toMatch(/HERMES_EXEC_ID=/);
    });
  });
}
