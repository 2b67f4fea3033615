import { InvalidArgumentError } from "@hermes/core";
import { describe, expect } from "vitest";
import { aliveFunction, type SuiteContext } from "./suite-context.js";

/** spawn: background processes with streamed output, stdin, kill of the whole tree. */
export function spawnCases(suite: SuiteContext): void {
  describe("spawn", () => {
    const env = suite.useSharedEnvironment();

    suite.test("streams output as it comes and reports how the process ended", ["background", "fileAccess"], async () => {
      const handle = await env().spawn("echo one; while [ ! -e spawn.flag ]; do sleep 0.01; done; rm spawn.flag; echo two; exit 4");
      const seen: string[] = [];
      for await (const chunk of handle.stdout) {
        seen.push(chunk);
        if (seen.join("") === "one\n") await env().files.write("spawn.flag", "");
      }
      expect(seen.join("")).toBe("one\ntwo\n");
      expect(await handle.wait()).toMatchObject({ exitCode: 4, stdout: "one\ntwo\n", signal: null });
    });

    suite.test("takes stdin writes and gives end-of-file on closeStdin", ["background", "stdin"], async () => {
      const handle = await env().spawn("cat; echo done >&2", { stdin: "first " });
      await handle.write("second ");
      await handle.write(new TextEncoder().encode("third"));
      await handle.closeStdin();
      expect(await handle.wait()).toMatchObject({ exitCode: 0, stdout: "first second third", stderr: "done\n" });
      await expect(handle.write("late")).rejects.toSatisfy(InvalidArgumentError.isInstance);
    });

    suite.test("kill ends the process and everything it started", ["background"], async () => {
      const handle = await env().spawn("sleep 1000 & echo $!; (while :; do :; done) & echo $!; wait");
      const pids: string[] = [];
      for await (const chunk of handle.stdout) {
        pids.push(...chunk.split("\n").filter(Boolean));
        if (pids.length >= 2) break;
      }
      await handle.kill();
      const result = await handle.wait();
      expect(result.exitCode).toBeNull();
      expect(result.signal).not.toBeNull();
      const check = await env().exec(`${aliveFunction}; for pid in ${pids.join(" ")}; do alive $pid && echo alive || echo dead; done`);
      expect(check.stdout).toBe("dead\ndead\n");
    });

    suite.test("a spawn timeout ends the process", ["background"], async () => {
      const handle = await env().spawn("echo waiting; sleep 1000", { timeoutMs: 500 });
      expect(await handle.wait()).toMatchObject({ timedOut: true, exitCode: null, stdout: "waiting\n" });
    });

    suite.test("output nobody reads is kept for wait() without blocking the process", ["background"], async () => {
      const handle = await env().spawn("yes line | head -c 2000000; echo; echo end", { maxOutputBytes: 10_000 });
      const result = await handle.wait();
      expect(result).toMatchObject({ exitCode: 0, truncated: true });
      expect(result.stdout.endsWith("end\n")).toBe(true);
    });
  });
}
