import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { local } from "@hermes/backend-local";
import { createEnv, type ExecutionEnvironment } from "@hermes/core";
import type { Experimental_SandboxSession } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hermesSandbox } from "../src/index.js";

// The AI SDK's documented SandboxSession semantics (packages/provider-utils/src/types/sandbox.ts in vercel/ai),
// each checked against a real environment on the local backend.
let dir: string;
let env: ExecutionEnvironment;
let sandbox: Experimental_SandboxSession;
const text = async (stream: ReadableStream<Uint8Array>) => new Response(stream).text();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hermes-ai-sdk-"));
  env = await createEnv({ backend: local({ cwd: dir }) });
  sandbox = await hermesSandbox(env);
});
afterAll(async () => {
  await env.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("hermesSandbox: the AI SDK's SandboxSession over an environment", () => {
  it("describes the environment and its fixed working directory for the agent's instructions", () => {
    expect(sandbox.description).toContain(`The working directory is ${dir}`);
    expect(sandbox.description).toMatch(/backend "local"/);
  });

  it("runs commands in the base directory; a cd or export lasts only for its command", async () => {
    expect(await sandbox.run({ command: "mkdir -p sub && cd sub && export ONLY=here && pwd && echo $ONLY" })).toEqual({
      exitCode: 0,
      stdout: `${dir}/sub\nhere\n`,
      stderr: "",
    });
    expect(await sandbox.run({ command: 'pwd; echo "[$ONLY]"' })).toMatchObject({ stdout: `${dir}\n[]\n` });
    expect(await sandbox.run({ command: "pwd", workingDirectory: "sub" })).toMatchObject({ stdout: `${dir}/sub\n` });
    expect(await sandbox.run({ command: "echo err >&2; exit 3" })).toEqual({ exitCode: 3, stdout: "", stderr: "err\n" });
    // A command ended by a signal gets the shell's 128 + n.
    expect((await sandbox.run({ command: "kill -TERM $$" })).exitCode).toBe(143);
  });

  it("merges env over the environment's own and keeps it to the command", async () => {
    expect((await sandbox.run({ command: 'echo "$GREETING $HOME"', env: { GREETING: "hi" } })).stdout).toBe(`hi ${process.env.HOME}\n`);
    expect((await sandbox.run({ command: 'echo "[$GREETING]"' })).stdout).toBe("[]\n");
  });

  it("resolves relative file paths against the base directory, whatever commands do", async () => {
    await sandbox.run({ command: "mkdir -p elsewhere && cd elsewhere" });
    await sandbox.writeTextFile({ path: "notes/a.txt", content: "one\ntwo\nthree\n" });
    expect(await sandbox.readTextFile({ path: `${dir}/notes/a.txt` })).toBe("one\ntwo\nthree\n");
    expect(await sandbox.readTextFile({ path: "notes/a.txt", startLine: 2, endLine: 2 })).toBe("two\n");
    expect(await sandbox.readTextFile({ path: "notes/a.txt", startLine: 2, endLine: 99 })).toBe("two\nthree\n");
    expect(await sandbox.readTextFile({ path: "notes/a.txt", startLine: 3 })).toBe("three\n");
  });

  it("reads and writes bytes exactly, as bytes and as a stream, with null for a missing file", async () => {
    const bytes = new Uint8Array([0, 1, 255, 10, 200]);
    await sandbox.writeBinaryFile({ path: "bin/x", content: bytes });
    expect([...((await sandbox.readBinaryFile({ path: "bin/x" })) ?? [])]).toEqual([...bytes]);
    await sandbox.writeFile({ path: "bin/streamed", content: new Blob(["streamed ", "text"]).stream() });
    const stream = await sandbox.readFile({ path: "bin/streamed" });
    expect(stream && (await text(stream))).toBe("streamed text");
    expect(await sandbox.readFile({ path: "missing" })).toBeNull();
    expect(await sandbox.readBinaryFile({ path: "missing" })).toBeNull();
    expect(await sandbox.readTextFile({ path: "missing" })).toBeNull();
    await sandbox.writeTextFile({ path: "latin.txt", content: "café", encoding: "latin1" });
    expect([...((await sandbox.readBinaryFile({ path: "latin.txt" })) ?? [])]).toEqual([0x63, 0x61, 0x66, 0xe9]);
    expect(await sandbox.readTextFile({ path: "latin.txt", encoding: "latin1" })).toBe("café");
    await expect(sandbox.writeTextFile({ path: "sub", content: "x" })).rejects.toThrow();
  });

  it("stats with links followed, lists with links not followed, and null for a missing path", async () => {
    await sandbox.run({
      command: "mkdir -p tree/d && printf 12345 > tree/f && ln -sf f tree/link && ln -sf nowhere tree/dangling && mkfifo tree/pipe",
    });
    expect(await sandbox.stat({ path: "tree/f" })).toEqual({ type: "file", size: 5 });
    expect(await sandbox.stat({ path: "tree/link" })).toEqual({ type: "file", size: 5 });
    expect(await sandbox.stat({ path: "tree/d" })).toMatchObject({ type: "directory" });
    expect(await sandbox.stat({ path: "tree/pipe" })).toMatchObject({ type: "other" });
    expect(await sandbox.stat({ path: "tree/dangling" })).toBeNull();
    expect(await sandbox.stat({ path: "tree/none" })).toBeNull();
    const entries = await sandbox.listDirectory({ path: "tree" });
    expect(entries?.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: "d", type: "directory" },
      { name: "dangling", type: "symlink" },
      { name: "f", type: "file" },
      { name: "link", type: "symlink" },
      { name: "pipe", type: "other" },
    ]);
    expect(await sandbox.listDirectory({ path: "tree/none" })).toBeNull();
    await expect(sandbox.listDirectory({ path: "tree/f" })).rejects.toThrow();
  });

  it("deletes a file or a link itself: true, false when missing, and rejects a directory", async () => {
    await sandbox.run({ command: "mkdir -p del && echo x > del/f && ln -sf f del/l" });
    expect(await sandbox.deleteFile({ path: "del/l" })).toBe(true);
    expect(await sandbox.stat({ path: "del/f" })).toMatchObject({ type: "file" });
    expect(await sandbox.deleteFile({ path: "del/f" })).toBe(true);
    expect(await sandbox.deleteFile({ path: "del/f" })).toBe(false);
    await expect(sandbox.deleteFile({ path: "del" })).rejects.toThrow(/IsADirectory/);
  });

  it("spawns a process with streamed output, stdin when asked, wait and an idempotent kill", async () => {
    const proc = await sandbox.spawn({ command: "echo started; cat; echo done >&2", stdin: true });
    const writer = proc.stdin.getWriter();
    await writer.write(new TextEncoder().encode("typed\n"));
    await writer.close();
    expect(await proc.wait()).toEqual({ exitCode: 0 });
    expect(await text(proc.stdout)).toBe("started\ntyped\n");
    expect(await text(proc.stderr)).toBe("done\n");
    // Without stdin, standard input is closed: cat ends at once.
    const closed = await sandbox.spawn({ command: "cat; echo after", workingDirectory: "sub" });
    expect("stdin" in closed).toBe(false);
    expect(await closed.wait()).toEqual({ exitCode: 0 });
    expect(await text(closed.stdout)).toBe("after\n");
    const sleeper = await sandbox.spawn({ command: "sleep 30" });
    await sleeper.kill();
    await sleeper.kill();
    expect((await sleeper.wait()).exitCode).toBeGreaterThan(128);
  });

  it("kills the process on abort: run rejects, and spawn's wait rejects with the abort's reason", async () => {
    const started = Date.now();
    const running = sandbox.run({ command: "sleep 30", abortSignal: AbortSignal.timeout(200) });
    await expect(running).rejects.toThrow();
    const controller = new AbortController();
    const proc = await sandbox.spawn({ command: "echo $$ > pid; sleep 30", abortSignal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const reason = new Error("the agent gave up");
    controller.abort(reason);
    await expect(proc.wait()).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(10_000);
    const pid = Number((await sandbox.readTextFile({ path: "pid" }))?.trim());
    await expect.poll(() => alive(pid)).toBe(false);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
