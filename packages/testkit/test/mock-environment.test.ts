import { CommandAbortedError, EnvironmentDisposedError, FileSystemError } from "@hermes/core";
import { describe, expect, it } from "vitest";
import { createMockEnvironment, describeConformance } from "../src/index.js";

// The mock's in-memory files must behave like a real backend's: the same cases, the same errors.
describeConformance("mock", { create: async () => createMockEnvironment(), groups: ["files"] });

describe("MockEnvironment", () => {
  it("answers with the first matching handler: exact string, RegExp, predicate", async () => {
    const env = createMockEnvironment()
      .handle("git status", "clean\n")
      .handle(/^pytest\b/, { exitCode: 1, stdout: "1 failed\n" })
      .handle(
        (command) => command.includes("ls"),
        (command) => ({ stdout: `listed by ${command}\n` }),
      )
      .handle(/^pytest -k/, "never reached");
    expect(await env.exec("git status")).toMatchObject({ exitCode: 0, stdout: "clean\n", backend: "mock", timedOut: false });
    expect(await env.exec("pytest -k fast")).toMatchObject({ exitCode: 1, stdout: "1 failed\n" });
    expect((await env.exec(["ls", "-la"])).stdout).toBe("listed by ls -la\n");
  });

  it("exits 127 with a message for a command no handler matches", async () => {
    const result = await createMockEnvironment().exec("make deploy");
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toContain("no handler for command: make deploy");
  });

  it("records every call with its options, and streams the answer to the callbacks", async () => {
    const env = createMockEnvironment().handle("echo hi", { stdout: "hi\n", stderr: "warn\n" });
    const seen: string[] = [];
    await env.exec("echo hi", { cwd: "sub", onStdout: (text) => seen.push(`out:${text}`), onStderr: (text) => seen.push(`err:${text}`) });
    await env.spawn("server --port 80");
    expect(env.calls.map(({ kind, command }) => `${kind} ${command}`)).toEqual(["exec echo hi", "spawn server --port 80"]);
    expect(env.calls[0]?.options.cwd).toBe("sub");
    expect(seen).toEqual(["out:hi\n", "err:warn\n"]);
    expect((await env.status()).commandsRun).toBe(1);
  });

  it("spawned processes stream the handler's output and wait() gives the result", async () => {
    const env = createMockEnvironment().handle(/^tail/, { stdout: "line\n", exitCode: 3 });
    const handle = await env.spawn("tail -f log");
    const chunks: string[] = [];
    for await (const chunk of handle.stdout) chunks.push(chunk);
    expect(chunks).toEqual(["line\n"]);
    expect((await handle.wait()).exitCode).toBe(3);
  });

  it("lets a responder see the options and answer asynchronously", async () => {
    const env = createMockEnvironment().handle("cat", async (_command, options) => String(options.stdin ?? "").toUpperCase());
    expect((await env.exec("cat", { stdin: "piped" })).stdout).toBe("PIPED");
  });

  it("throws CommandAbortedError when the call's signal is aborted", async () => {
    const env = createMockEnvironment().handle("sleep 1", "");
    const abort = new AbortController();
    abort.abort();
    const error = await env.exec("sleep 1", { signal: abort.signal }).catch((caught: unknown) => caught);
    expect(CommandAbortedError.isInstance(error)).toBe(true);
  });

  it("starts with the given files, relative to its cwd, with real file errors", async () => {
    const env = createMockEnvironment({ cwd: "/app", files: { "src/main.py": "print(1)\n", "/etc/motd": "hello" } });
    expect(await env.files.readText("/app/src/main.py")).toBe("print(1)\n");
    expect(await env.files.readText("src/main.py")).toBe("print(1)\n");
    expect((await env.files.list("/app/src")).map((entry) => entry.name)).toEqual(["main.py"]);
    const error = await env.files.list("/app/src/main.py").catch((caught: unknown) => caught);
    expect(FileSystemError.isInstance(error) && error.reason).toBe("NotADirectory");
  });

  it("refuses every call after dispose with EnvironmentDisposedError", async () => {
    const env = createMockEnvironment({ files: { "a.txt": "a" } });
    let disposedEvents = 0;
    env.on("disposed", () => disposedEvents++);
    await env.dispose();
    await env.dispose();
    expect(disposedEvents).toBe(1);
    for (const call of [() => env.exec("true"), () => env.spawn("true"), () => env.files.read("a.txt")]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(EnvironmentDisposedError.isInstance(error)).toBe(true);
    }
    expect((await env.status()).state).toBe("disposed");
  });
});
