import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnv, FileSystemError, PathOutsideSandboxError } from "@hermes/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { local } from "../src/index.js";

describe("local files API under a sandbox root: a directory swapped for a symlink mid-call", () => {
  let base: string;
  let root: string;
  let outside: string;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), "hermes-files-race-"));
    root = join(base, "sbx");
    outside = join(base, "outside");
    await mkdir(join(root, "work"), { recursive: true });
    await mkdir(outside);
    await writeFile(join(outside, "keep"), "");
  });

  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it("never writes outside while another process swaps work/ and a link to the outside", async () => {
    await using env = await createEnv({ backend: local({ sandboxRoot: root }), usage: false });
    // Outside the environment, as a background job an earlier command left would.
    const swapper = spawn(
      "bash",
      [
        "-c",
        `cd ${root}; end=$((SECONDS + 3)); while [ $SECONDS -lt $end ]; do rm -rf work; ln -s ${outside} work; rm -f work; mkdir work; done`,
      ],
      { stdio: "ignore" },
    );
    const exited = new Promise((resolve) => swapper.once("exit", resolve));
    let written = 0;
    let refused = 0;
    while (swapper.exitCode === null) {
      for (let i = 0; i < 50; i++) {
        try {
          await env.files.write(`work/f${written + refused}`, "x");
          written++;
        } catch (error) {
          if (!FileSystemError.isInstance(error) && !PathOutsideSandboxError.isInstance(error)) throw error;
          refused++;
        }
      }
    }
    await exited;
    expect(written + refused).toBeGreaterThan(100);
    expect(await readdir(outside)).toEqual(["keep"]);
  }, 30_000);
});
