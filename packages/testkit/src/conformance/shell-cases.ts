import type { ExecResult, ExecutionEnvironment } from "@hermes/core";
import { describe, expect } from "vitest";
import type { SuiteContext } from "./suite-context.js";

/**
 * What a command can do to its own shell: kill it, exit through its own EXIT trap, switch to POSIX mode,
 * close the protocol's descriptors, unset every function. The session answers each with a result, keeps
 * its cwd and exports, and never shows its own machinery.
 */
export function shellCases(suite: SuiteContext): void {
  describe("shell", () => {
    /** A fresh environment for a case that ends its shell, with a scratch directory as its cwd. */
    const fresh = async (body: (env: ExecutionEnvironment, restarts: () => number) => Promise<void>) => {
      const env = await suite.options.create();
      let restarts = 0;
      env.on("session:restart", () => restarts++);
      try {
        await env.exec('mkdir -p "${TMPDIR:-/tmp}/hermes-shell-cases" && cd "${TMPDIR:-/tmp}/hermes-shell-cases"');
        await body(env, () => restarts);
      } finally {
        await env.exec('rm -rf "${TMPDIR:-/tmp}/hermes-shell-cases"', { session: false }).catch(() => {});
        await env.dispose();
      }
    };

    suite.test(
      "a command that signals its own process group ends only its shell, which comes back with its state",
      ["persistentSession"],
      () =>
        fresh(async (env) => {
          await env.exec("mkdir -p pg && cd pg && export PG_STATE=kept");
          const killers = ["kill 0; echo not-reached", 'read -r s </proc/$$/stat; set -- ${s##*) }; kill -TERM -- "-$3"; echo not-reached'];
          for (const killer of killers) {
            const killed = await env.exec(killer);
            expect(endedBySigterm(killed), `${killer}: ${JSON.stringify(killed)}`).toBe(true);
            expect(killed.stdout).toBe("");
            const after = await env.exec('echo "$PG_STATE ${PWD##*/}"');
            expect(after).toMatchObject({ exitCode: 0, stdout: "kept pg\n" });
          }
          // The idiom `trap 'kill 0' EXIT`: as in bash, the shell dies by the signal on its way out.
          await env.exec("trap 'kill 0' EXIT");
          expect(endedBySigterm(await env.exec("exit 2"))).toBe(true);
          expect((await env.exec('echo "$PG_STATE ${PWD##*/}"')).stdout).toBe("kept pg\n");
        }),
    );

    suite.test("`kill $$` reports the signal that ended the shell", ["persistentSession"], () =>
      fresh(async (env) => {
        expect(endedBySigterm(await env.exec("kill $$"))).toBe(true);
        expect((await env.exec("echo ok")).stdout).toBe("ok\n");
      }),
    );

    suite.test("commands have no controlling terminal", [], async () => {
      await fresh(async (env) => {
        for (const session of [true, false]) {
          const result = await env.exec("read -r x </dev/tty; echo rc=$?", { session });
          expect(result.stdout).toBe("rc=1\n");
          expect(result.stderr).toMatch(/\/dev\/tty: No such device or address/);
        }
      });
    });

    suite.test("/dev/stdout and /dev/stderr are the command's own streams", ["stdin"], () =>
      fresh(async (env) => {
        const command = "cat; cat /dev/stdin; echo out >/dev/stdout; echo err >/dev/stderr";
        for (const session of [true, false]) {
          expect(await env.exec(command, { session }), `session: ${session}`).toMatchObject({
            exitCode: 0,
            stdout: "out\n",
            stderr: "err\n",
          });
          const fed = await env.exec(command, { stdin: "in\n", session });
          expect(fed, `session: ${session}, with stdin`).toMatchObject({ stdout: "in\nout\n", stderr: expect.stringMatching(/err\n$/) });
        }
        const spawned = await env.spawn(command);
        await spawned.write("typed\n");
        await spawned.closeStdin();
        expect(await spawned.wait()).toMatchObject({ stdout: "typed\nout\n", stderr: expect.stringMatching(/err\n$/) });
      }),
    );

    suite.test("a background child killed as it starts never speaks for the session", ["persistentSession"], async () => {
      // New sessions, as the race is most likely while a shell is young.
      for (let session = 0; session < 3; session++) {
        const env = await suite.options.create();
        let restarts = 0;
        const stray: string[] = [];
        env.on("session:restart", () => restarts++);
        env.on("output:stray", (event) => stray.push(event.text));
        try {
          await env.exec("hermes_fn() { echo still-here; }");
          let killed = 0;
          for (let round = 0; round < 20; round++) {
            const result = await env.exec("sleep 1 & kill $!; wait $!; echo rc=$?");
            // Bash itself, with an EXIT trap set (the session always has one), now and then loses a signal sent
            // to a child it is still forking; then `sleep` runs to its end. Never an empty or borrowed result.
            expect(result.stdout === "rc=0\n" && result.durationMs >= 900 ? "rc=143\n" : result.stdout, `round ${round}`).toBe("rc=143\n");
            expect(result.exitCode).toBe(0);
            if (result.stdout === "rc=143\n") killed++;
          }
          expect(killed).toBeGreaterThanOrEqual(17);
          expect((await env.exec("hermes_fn")).stdout).toBe("still-here\n");
          expect(restarts).toBe(0);
          expect(stray).toEqual([]);
        } finally {
          await env.dispose();
        }
      }
    });

    suite.test("POSIX mode keeps every exported variable in the next shell", ["persistentSession"], () =>
      fresh(async (env) => {
        const before = (await env.exec('printf "%s|%s" "$HOME" "$PATH"')).stdout;
        expect(before).not.toBe("|");
        for (const posix of ["set -o posix", "POSIXLY_CORRECT=1"]) {
          await env.exec(posix);
          expect((await env.exec("exit 3")).exitCode).toBe(3);
          expect((await env.exec('printf "%s|%s" "$HOME" "$PATH"')).stdout).toBe(before);
        }
      }),
    );

    suite.test("a working directory deleted under the session is reported, never silently replaced", ["persistentSession"], () =>
      fresh(async (env) => {
        const parent = (await env.exec("mkdir -p gone-parent/gone && cd gone-parent && pwd")).stdout.trim();
        await env.exec("cd gone && rmdir ../gone");
        expect((await env.exec("exit 0")).cwd).toBe(`${parent}/gone`);
        const refused = await env.exec("echo ran; pwd");
        expect(refused).toMatchObject({ exitCode: 1, stdout: "", cwd: parent });
        expect(refused.stderr).toContain(`the working directory ${parent}/gone no longer exists, so this command did not run`);
        expect(await env.exec("pwd")).toMatchObject({ exitCode: 0, stdout: `${parent}\n`, cwd: parent });
      }),
    );

    suite.test("a user's EXIT trap runs when a command exits, and the exiting command's state is kept", ["persistentSession"], () =>
      fresh(async (env) => {
        await env.exec("mkdir -p trapdir/sub");
        await env.exec("trap 'echo bye; echo bye-err >&2' EXIT");
        const exited = await env.exec("cd trapdir/sub && export TRAPPED=1 && exit 4");
        expect(exited).toMatchObject({ exitCode: 4, stdout: "bye\n", stderr: "bye-err\n" });
        expect((await env.exec('echo "$TRAPPED ${PWD##*/}"; cd ../..')).stdout).toBe("1 sub\n");
        await env.exec("trap 'echo once' EXIT; trap - EXIT");
        const again = await env.exec("cd trapdir && export TRAPPED=2 && exit 5");
        expect(again).toMatchObject({ exitCode: 5, stdout: "" });
        expect((await env.exec('echo "$TRAPPED ${PWD##*/}"')).stdout).toBe("2 trapdir\n");
      }),
    );

    suite.test("a value that is not UTF-8 reaches new shells byte for byte", ["persistentSession"], () =>
      fresh(async (env) => {
        await env.exec("export RAW_BYTES=$'\\xff\\xfe-\\x80'");
        const word = "$'\\377\\376-\\200'\n";
        expect((await env.exec('printf "%q\\n" "$RAW_BYTES"', { session: false })).stdout).toBe(word);
        await env.exec("exit 0");
        expect((await env.exec('printf "%q\\n" "$RAW_BYTES"')).stdout).toBe(word);
      }),
    );

    suite.test("closing the protocol's descriptors, or unsetting every function, breaks nothing", ["persistentSession"], () =>
      fresh(async (env, restarts) => {
        await env.exec("export FD_STATE=kept");
        for (const command of [
          "exec 63>&-",
          "exec 62>&-",
          "exec 63>&- 62>&- 1>&- 2>&-",
          "for f in $(compgen -A function); do unset -f $f; done",
        ]) {
          expect(await env.exec(command, { timeoutMs: 10_000 }), command).toMatchObject({ exitCode: 0, timedOut: false });
          expect(await env.exec('echo "next $FD_STATE"', { timeoutMs: 10_000 }), command).toMatchObject({ stdout: "next kept\n" });
        }
        expect(restarts()).toBe(0);
      }),
    );

    suite.test("the shell holds no protocol functions, variables or aliases a command could see", ["persistentSession"], () =>
      fresh(async (env) => {
        await env.exec("echo previous-last-argument");
        expect((await env.exec('echo "[$_]"')).stdout).toBe("[]\n");
        const seen = await env.exec("set; declare -F; alias; compgen -v; compgen -A function");
        expect(seen.stdout).not.toMatch(/__hermes/i);
        // A program alone (the short report's path, where the loop's variables stay set) inherits none either.
        const inherited = await env.exec("env");
        expect(inherited.stdout).toMatch(/HERMES_EXEC_ID=/);
        expect(inherited.stdout).not.toMatch(/__hermes/i);
        // The command sees the pipes on 0-2 only: nothing else of the protocol's is inherited.
        expect((await env.exec("ls /proc/self/fd")).stdout.split(/\s+/).filter(Boolean)).toEqual(["0", "1", "2", "3"]);
      }),
    );

    suite.test("DEBUG, ERR and RETURN traps and `set -x` see the command, not the protocol", ["persistentSession"], () =>
      fresh(async (env) => {
        await env.exec("trap 'echo DBG' DEBUG");
        expect(await env.exec("echo one")).toMatchObject({ stdout: "DBG\none\n", stderr: "" });
        await env.exec("trap - DEBUG; trap 'echo ERR' ERR; set -o functrace; trap 'echo RET' RETURN");
        expect(await env.exec("true")).toMatchObject({ stdout: "", stderr: "" });
        expect(await env.exec("false")).toMatchObject({ exitCode: 1, stdout: "ERR\n", stderr: "" });
        await env.exec("trap - ERR RETURN; set +o functrace");
        // Two `+` more than a script shows: the command runs inside two `eval`s.
        expect(await env.exec("set -x; echo traced")).toMatchObject({ stdout: "traced\n", stderr: "+++ echo traced\n" });
        expect(await env.exec("echo quiet")).toMatchObject({ stdout: "quiet\n", stderr: "" });
      }),
    );
  });
}

/** Killed by SIGTERM: a signal where the backend reports one, else 128 + 15 (as `docker exec` reports it). */
function endedBySigterm(result: ExecResult): boolean {
  return (result.exitCode === null && result.signal === "SIGTERM") || (result.exitCode === 143 && result.signal === null);
}
