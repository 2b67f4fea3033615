import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pipedStdin, type RunToExit } from "./piped-stdin.js";

/** Runs the write commands here, with sh, as a sandbox would. */
const runHere: RunToExit = (argv) =>
  new Promise((resolve) => {
    execFile(argv[0] ?? "true", argv.slice(1), (error, _stdout, stderr) => {
      resolve({ exitCode: error ? Number(error.code ?? 1) : 0, stderr });
    });
  });

function startBehindPipe(argv: string[], run: RunToExit = runHere) {
  const piped = pipedStdin(argv);
  const child = spawn(piped.argv[0] ?? "sh", piped.argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  const chunks: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  let exited = false;
  const exit = once(child, "exit").then(([code]) => {
    exited = true;
    return code as number;
  });
  const dir = piped.argv[4] ?? "";
  return { stdin: piped.input(run, () => exited), exit, output: () => Buffer.concat(chunks), dir };
}

describe("pipedStdin", () => {
  it("carries every byte in order and ends with end-of-file", async () => {
    const cat = startBehindPipe(["cat"]);
    const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, index) => index % 256));
    cat.stdin.write("first\n");
    cat.stdin.write(bytes);
    cat.stdin.end("last\n");
    expect(await cat.exit).toBe(0);
    expect(cat.output().equals(Buffer.concat([Buffer.from("first\n"), bytes, Buffer.from("last\n")]))).toBe(true);
  });

  it("gives end-of-file again to a second read, as an anonymous pipe does, and passes the exit code through", async () => {
    const twice = startBehindPipe(["sh", "-c", "cat; cat /dev/stdin; [ -p /dev/stdin ] && echo a-pipe; exit 3"]);
    twice.stdin.end("once\n");
    expect(await twice.exit).toBe(3);
    expect(twice.output().toString()).toBe("once\na-pipe\n");
  });

  it("lets a process that never reads its stdin end by itself", async () => {
    const quick = startBehindPipe(["sh", "-c", "echo done"]);
    expect(await quick.exit).toBe(0);
    expect(quick.output().toString()).toBe("done\n");
    await expect.poll(() => existsSync(quick.dir), { timeout: 3000 }).toBe(false);
  });

  it("writes a write that the transport sent twice only once", async () => {
    const twice: RunToExit = async (argv) => {
      await runHere(argv);
      return runHere(argv);
    };
    const cat = startBehindPipe(["cat"], twice);
    cat.stdin.write("once\n");
    cat.stdin.end();
    expect(await cat.exit).toBe(0);
    expect(cat.output().toString()).toBe("once\n");
  });

  it("fails a write with EPIPE once the process has gone, and leaves no directory", async () => {
    const head = startBehindPipe(["head", "-c", "3"]);
    head.stdin.on("error", () => {});
    head.stdin.write("abc");
    expect(await head.exit).toBe(0);
    const error = await new Promise((resolve) => head.stdin.write("more", resolve));
    expect(error).toMatchObject({ code: "EPIPE" });
    await expect.poll(() => existsSync(head.dir), { timeout: 3000 }).toBe(false);
  });
});
