import { CommandAbortedError, InvalidArgumentError } from "@hermes/core";
import { describe, expect } from "vitest";
import { aliveFunction, type SuiteContext } from "./suite-context.js";

/** exec: results, exit codes, output framing, streaming, stdin, timeouts, aborts, concurrency, limits. */
export function execCases(suite: SuiteContext): void {
  describe("exec", () => {
    const env = suite.useSharedEnvironment();

    suite.test("returns stdout, stderr and the exit code separately", [], async () => {
      const result = await env().exec("echo out; echo err >&2; exit 3");
      expect(result).toMatchObject({ exitCode: 3, signal: null, stdout: "out\n", stderr: "err\n", timedOut: false, truncated: false });
      expect(result.backend).toBe(env().backend);
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
    });

    suite.test("reports a missing program as exit code 127, not a thrown error", [], async () => {
      const result = await env().exec("no-such-program-hermes");
      expect(result.exitCode).toBe(127);
      expect(result.stderr).toMatch(/no-such-program-hermes/);
    });

    suite.test("runs an argv array without a shell", [], async () => {
      const result = await env().exec(["printf", "%s|", "a b", "$HOME", "*", "'quoted'"]);
      expect(result.stdout).toBe("a b|$HOME|*|'quoted'|");
    });

    suite.test("keeps output without a trailing newline exactly", [], async () => {
      expect((await env().exec("printf 'no newline'")).stdout).toBe("no newline");
      expect((await env().exec("printf 'two\\n\\n'")).stdout).toBe("two\n\n");
      expect((await env().exec("printf ''")).stdout).toBe("");
    });

    suite.test("is not confused by output that looks like a delimiter", [], async () => {
      const fake = ["__HERMES_0123456789abcdef_END", "__HERMES_0123456789abcdef_DONE", "__HERMES_x_BEGIN 1.0", "END", "\\0"];
      const command = fake.map((line) => `printf '%s\\n' '${line}'; printf '%s\\n' '${line}' >&2`).join("; ");
      const result = await env().exec(`${command}; printf '\\n__HERMES_'`);
      expect(result.stdout).toBe(`${fake.join("\n")}\n\n__HERMES_`);
      expect(result.stderr).toBe(`${fake.join("\n")}\n`);
      expect((await env().exec("echo next")).stdout).toBe("next\n");
    });

    suite.test("passes binary output through and keeps working", [], async () => {
      const result = await env().exec("printf 'a\\000b\\001\\377\\376c'");
      expect(result.stdout).toBe("a\u0000b\u0001\ufffd\ufffdc");
      expect((await env().exec("echo after")).stdout).toBe("after\n");
    });

    suite.test("decodes multi-byte characters split across chunks", [], async () => {
      const result = await env().exec("for i in {1..20000}; do printf 'é😀'; done");
      expect(result.stdout).toBe("é😀".repeat(20000));
    });

    suite.test("streams output to the callbacks while the command runs", ["fileAccess"], async () => {
      const chunks: string[] = [];
      let flagged: Promise<void> | undefined;
      const result = await env().exec("echo first; while [ ! -e stream.flag ]; do sleep 0.01; done; rm -f stream.flag; echo second >&2", {
        timeoutMs: 20_000,
        onStdout: (chunk) => {
          chunks.push(chunk);
          if (chunks.join("").includes("first")) flagged ??= env().files.write("stream.flag", "");
        },
        onStderr: (chunk) => chunks.push(chunk),
      });
      await flagged;
      expect(result.timedOut).toBe(false);
      expect(chunks.join("")).toBe("first\nsecond\n");
    });

    suite.test("gives a command end-of-file on stdin when none is given", [], async () => {
      const result = await env().exec("cat; read line; echo read=$?", { timeoutMs: 10_000 });
      expect(result).toMatchObject({ timedOut: false, stdout: "read=1\n" });
    });

    suite.test("feeds stdin, text or bytes", ["stdin"], async () => {
      expect((await env().exec("cat", { stdin: "hello\nworld" })).stdout).toBe("hello\nworld");
      const bytes = Uint8Array.from({ length: 256 }, (_, index) => index);
      expect((await env().exec("wc -c", { stdin: bytes })).stdout.trim()).toBe("256");
      expect((await env().exec("head -n 1", { stdin: "one\necho injected\n" })).stdout).toBe("one\n");
    });

    suite.test("runs concurrent calls side by side", [], async () => {
      const waiting = env().exec("while [ ! -e concurrency.flag ]; do sleep 0.01; done; rm -f concurrency.flag; echo waited", {
        timeoutMs: 20_000,
      });
      const releasing = env().exec(": > concurrency.flag; echo released");
      const [first, second] = await Promise.all([waiting, releasing]);
      expect(first).toMatchObject({ stdout: "waited\n", timedOut: false });
      expect(second.stdout).toBe("released\n");
    });

    suite.test("caps output per stream, keeping head and tail", [], async () => {
      const result = await env().exec(
        "echo START; yes abcdefgh | head -c 3000000; echo; echo END; echo err-start >&2; yes e | head -c 200000 >&2",
        {
          maxOutputBytes: 64 * 1024,
        },
      );
      expect(result.truncated).toBe(true);
      expect(result.stdout.length).toBeLessThan(64 * 1024 + 200);
      expect(result.stdout.startsWith("START\nabcdefgh")).toBe(true);
      expect(result.stdout.endsWith("abcdefgh\nEND\n") || result.stdout.endsWith("\nEND\n")).toBe(true);
      expect(result.stdout).toMatch(/bytes omitted/);
      expect(result.stderr.length).toBeLessThan(64 * 1024 + 200);
      expect(result.stderr.startsWith("err-start\n")).toBe(true);
    });

    suite.test("returns large output whole below the cap", [], async () => {
      const result = await env().exec("yes 0123456789 | head -c 900000");
      expect(result.truncated).toBe(false);
      expect(result.stdout.length).toBe(900_000);
    });

    suite.test("refuses bad arguments with InvalidArgumentError before running anything", [], async () => {
      await expect(env().exec([])).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expect(env().exec("echo \u0000")).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expect(env().exec("true", { timeoutMs: -1 })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expect(env().exec("true", { env: { "1BAD": "x" } })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expect(env().exec("true", { maxOutputBytes: 1.5 })).rejects.toSatisfy(InvalidArgumentError.isInstance);
    });

    suite.test("emits exec:start and exec:end", [], async () => {
      const events: string[] = [];
      const onStart = (event: { execId: string }) => events.push(`start:${event.execId}`);
      const onEnd = (event: { execId: string; result: { stdout: string } }) => events.push(`end:${event.execId}:${event.result.stdout}`);
      env().on("exec:start", onStart).on("exec:end", onEnd);
      await env().exec("echo evented");
      env().off("exec:start", onStart).off("exec:end", onEnd);
      expect(events).toHaveLength(2);
      const id = events[0]?.slice("start:".length);
      expect(events[1]).toBe(`end:${id}:evented\n`);
    });
  });

  describe("exec: timeouts and aborts", () => {
    const env = suite.useSharedEnvironment();

    suite.test("a timeout is a result with the partial output, and the whole tree dies", [], async () => {
      await env().exec("mkdir -p tree && cd tree && export KEPT=yes");
      const result = await env().exec(
        "sleep 1000 & echo $! > bg.pid; (while :; do :; done) & echo $! > loop.pid; (trap '' TERM; while :; do sleep 0.05; done) & echo $! > stubborn.pid; echo partial; sleep 1000; echo never",
        { timeoutMs: 1500 },
      );
      expect(result).toMatchObject({ timedOut: true, exitCode: null, stdout: "partial\n" });
      expect(result.signal).not.toBeNull();
      const check = await env().exec(
        `${aliveFunction}; for f in bg loop stubborn; do if alive "$(cat $f.pid)"; then echo "$f alive"; else echo "$f dead"; fi; done; echo "$KEPT $(basename "$PWD")"`,
      );
      expect(check.stdout).toBe("bg dead\nloop dead\nstubborn dead\nyes tree\n");
    });

    suite.test("a command of programs alone times out with its whole pipeline, and the session goes on", [], async () => {
      // Programs alone get the short report, with no start line: the tree kill starts from the shell's last report.
      await env().exec("true");
      const result = await env().exec("sleep 1234 | sleep 1235 | cat", { timeoutMs: 1000 });
      expect(result).toMatchObject({ timedOut: true, exitCode: null });
      const left = await env().exec(
        "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < \"$f\"; echo; done 2>/dev/null | grep -c '^sleep 123[45] $'",
      );
      expect(left.stdout).toBe("0\n");
      expect((await env().exec("echo alive")).stdout).toBe("alive\n");
    });

    suite.test("a builtin loop in the session itself times out too", [], async () => {
      const result = await env().exec("while :; do :; done", { timeoutMs: 500 });
      expect(result.timedOut).toBe(true);
      expect((await env().exec("echo alive")).stdout).toBe("alive\n");
    });

    suite.test("an abort ends the command with CommandAbortedError carrying the output so far", [], async () => {
      const controller = new AbortController();
      const running = env().exec("echo started; sleep 1000", {
        signal: controller.signal,
        onStdout: (chunk) => chunk.includes("started") && controller.abort(new Error("user pressed stop")),
      });
      const error = await running.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(CommandAbortedError.isInstance(error)).toBe(true);
      expect((error as CommandAbortedError).result.stdout).toBe("started\n");
      expect((error as CommandAbortedError).message).toMatch(/user pressed stop/);
      expect((await env().exec("echo still here")).stdout).toBe("still here\n");
    });

    suite.test("an already aborted signal runs nothing", [], async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(env().exec(": > aborted.flag", { signal: controller.signal })).rejects.toSatisfy(CommandAbortedError.isInstance);
      expect((await env().exec("[ -e aborted.flag ] && echo ran || echo not-run")).stdout).toBe("not-run\n");
    });
  });
}
