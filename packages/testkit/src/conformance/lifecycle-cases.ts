import { EnvironmentDisposedError } from "@hermes/core";
import { describe, expect } from "vitest";
import type { SuiteContext } from "./suite-context.js";

/** Start, status, dispose: nothing left behind, nothing usable after. */
export function lifecycleCases(suite: SuiteContext): void {
  describe("lifecycle", () => {
    suite.test("reports its status", [], async () => {
      const env = await suite.options.create();
      try {
        expect((await env.status()).state).toBe("created");
        await env.exec("echo one");
        const status = await env.status();
        expect(status).toMatchObject({
          state: "ready",
          commandsRun: 1,
          runningCommands: 0,
          backend: env.backend,
          type: env.type,
          id: env.id,
        });
        expect(status.cwd).toEqual(expect.any(String));
        expect(status.lastUsedAt).toBeInstanceOf(Date);
      } finally {
        await env.dispose();
      }
    });

    suite.test("dispose is idempotent and later calls throw EnvironmentDisposedError", [], async () => {
      const env = await suite.options.create();
      await env.exec("true");
      await Promise.all([env.dispose(), env.dispose()]);
      await env.dispose();
      expect((await env.status()).state).toBe("disposed");
      await expect(env.exec("true")).rejects.toSatisfy(EnvironmentDisposedError.isInstance);
      await expect(env.files.read("x")).rejects.toSatisfy(EnvironmentDisposedError.isInstance);
    });

    suite.test("works with `await using`", [], async () => {
      let escaped: { dispose(): Promise<void>; exec(command: string): Promise<unknown> } | undefined;
      {
        await using env = await suite.options.create();
        escaped = env;
        await env.exec("true");
      }
      await expect(escaped.exec("true")).rejects.toSatisfy(EnvironmentDisposedError.isInstance);
    });

    const disposeCase = "dispose ends every process it started, including background ones";
    const processAlive = suite.options.processAlive;
    if (!processAlive) suite.skip(disposeCase, "no processAlive hook was given to look from outside the environment");
    else
      suite.test(disposeCase, ["background"], async () => {
        const env = await suite.options.create();
        const fromExec = await env.exec(
          "sleep 1000 & echo $!; (trap '' TERM; while :; do sleep 0.1; done) & echo $!; setsid sleep 1001 & echo $!",
        );
        const spawned = await env.spawn("sleep 1002 & echo $!; wait");
        let spawnedChild = "";
        for await (const chunk of spawned.stdout) {
          spawnedChild += chunk;
          if (spawnedChild.includes("\n")) break;
        }
        const pids = [...fromExec.stdout.trim().split("\n"), spawnedChild.trim()].map(Number);
        expect(pids).toHaveLength(4);
        for (const pid of pids) expect(await processAlive(pid, env)).toBe(true);
        await env.dispose();
        for (const pid of pids) expect(await processAlive(pid, env)).toBe(false);
      });
  });
}
