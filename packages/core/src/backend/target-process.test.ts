import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { BackendUnavailableError } from "../errors/backend-unavailable-error.js";
import { targetProcess } from "./target-process.js";

describe("targetProcess", () => {
  it("turns a rejected wait() into a lost connection, never a rejection", async () => {
    const process = targetProcess(
      { stdin: null, stdout: new PassThrough(), stderr: new PassThrough(), wait: () => Promise.reject(new Error("socket hang up")) },
      "cloud",
      async () => {},
    );
    const exit = await process.exited;
    expect(exit.code).toBeNull();
    expect(BackendUnavailableError.isInstance(exit.error)).toBe(true);
    expect(exit.error?.message).toContain("socket hang up");
  });

  it("signals by tag when the backend gives no kill, and reads web streams as Node streams", async () => {
    const signals: string[] = [];
    const process = targetProcess(
      {
        stdin: null,
        stdout: Readable.toWeb(Readable.from([Buffer.from("out")])) as ReadableStream<Uint8Array>,
        stderr: new PassThrough(),
        wait: async () => ({ code: 0, signal: null }),
      },
      "cloud",
      async (signal) => {
        signals.push(signal);
      },
    );
    process.kill("SIGINT");
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdout) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("out");
    expect(signals).toEqual(["SIGINT"]);
  });
});
