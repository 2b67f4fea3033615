import { spawnSync } from "node:child_process";
import { createEnv, type ExecutionEnvironment } from "@hermes/core";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { local } from "../src/index.js";

// Property-based: random output thrown at the session protocol (bytes of every value, its own marker
// bytes, partial UTF-8, long runs without a newline, stdout and stderr interleaved, any exit status), and
// what the session gives compared with what plain bash prints for the same script. HERMES_FUZZ_RUNS sets
// how many scripts (CI runs a few dozen; `pnpm soak` many more).
const runs = Number(process.env.HERMES_FUZZ_RUNS ?? 40);

/** One write of a script: bytes to a stream, or a long run of one byte (made in the shell, not spelled out). */
type Write = { stream: 1 | 2; bytes: number[] } | { stream: 1 | 2; repeat: number; count: number };

const markerLike = [...Buffer.from("\x1e__HERMES_")];
const bytes: fc.Arbitrary<number[]> = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }),
  // The protocol's own bytes: its marker's start byte, its prefix, a marker cut short.
  fc.constantFrom<number[]>([0x1e], markerLike, markerLike.slice(0, 4), [...markerLike, 0x30, 0x5f], [0x1e, 0x0a, 0x00]),
  // UTF-8 cut in the middle of a character, and whole ones.
  fc.constantFrom<number[]>([0xe2, 0x82], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98], [0xf0, 0x9f, 0x98, 0x80], [0xc3], [0xff, 0xfe]),
);
const write: fc.Arbitrary<Write> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ stream: fc.constantFrom(1 as const, 2 as const), bytes }) },
  {
    weight: 1,
    arbitrary: fc.record({
      stream: fc.constantFrom(1 as const, 2 as const),
      repeat: fc.constantFrom(0x78, 0x1e, 0x0a, 0xe2),
      count: fc.integer({ min: 1, max: 300_000 }),
    }),
  },
);
const script = fc.record({ writes: fc.array(write, { maxLength: 8 }), status: fc.integer({ min: 0, max: 255 }) });

function toBash({ writes, status }: { writes: Write[]; status: number }): string {
  const octal = (byte: number) => `\\${byte.toString(8).padStart(3, "0")}`;
  const lines = writes.map((w) =>
    "bytes" in w
      ? `printf '${w.bytes.map(octal).join("")}'${w.stream === 2 ? " >&2" : ""}`
      : `head -c ${w.count} /dev/zero | tr '\\000' '${octal(w.repeat)}'${w.stream === 2 ? " >&2" : ""}`,
  );
  return [...lines, `(exit ${status})`].join("\n");
}

let env: ExecutionEnvironment;
beforeAll(async () => {
  env = await createEnv({ backend: local(), usage: false });
});
afterAll(async () => {
  await env.dispose();
});

it("prints what plain bash prints, for random output at the protocol, in the session and one-shot", async () => {
  // Bytes that are not UTF-8 become U+FFFD, as Node decodes them: the reference is decoded the same way.
  const decode = (buffer: Buffer) => buffer.toString("utf8");
  await fc.assert(
    fc.asyncProperty(script, async (generated) => {
      const text = toBash(generated);
      const bash = spawnSync("bash", ["-c", text], { maxBuffer: 64 * 1024 * 1024 });
      const reference = { exitCode: bash.status, stdout: decode(bash.stdout), stderr: decode(bash.stderr), truncated: false };
      // In the persistent session, and in a one-shot shell.
      for (const session of [true, false]) {
        const result = await env.exec(text, { session, maxOutputBytes: 8 * 1024 * 1024 });
        expect(
          { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, truncated: result.truncated },
          `session: ${session}`,
        ).toEqual(reference);
      }
    }),
    { numRuns: runs },
  );
  // The session is still itself after all of it.
  expect((await env.exec("echo still here")).stdout).toBe("still here\n");
}, 120_000);
