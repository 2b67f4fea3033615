import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnv } from "@hermes/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

let scratch: string;
beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), "hermes-sync-dir-"));
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("sync_dir", () => {
  it("copies the folder into the starting directory at start and back at dispose", async () => {
    const host = join(scratch, "host");
    const workspace = join(scratch, "workspace");
    await mkdir(join(host, "src"), { recursive: true });
    await mkdir(workspace);
    await writeFile(join(host, "src", "main.sh"), "echo from the host\n", { mode: 0o755 });
    await writeFile(join(host, "gone.txt"), "deleted in the environment\n");
    const config = { backend: { backends: { box: { type: "local", sync_dir: host } } } };
    const env = await createEnv({ config, usage: false, cwd: workspace });
    expect((await env.exec("./src/main.sh")).stdout).toBe("from the host\n");
    await env.exec("cd / && echo made there > " + join(workspace, "result.txt") + " && rm " + join(workspace, "gone.txt"));
    await writeFile(join(host, "src", "main.sh"), "changed on the host meanwhile\n");
    await env.exec(`echo 'echo edited' > ${join(workspace, "src", "main.sh")}`);
    await env.dispose();
    expect(await readFile(join(host, "result.txt"), "utf8")).toBe("made there\n");
    // The environment's copy wins; what it deleted stays here.
    expect(await readFile(join(host, "src", "main.sh"), "utf8")).toBe("echo edited\n");
    expect(await readFile(join(host, "gone.txt"), "utf8")).toBe("deleted in the environment\n");
    expect((await stat(join(host, "src", "main.sh"))).mode & 0o777).toBe(0o755);
  });

  it("fails the start with a typed error when the folder is not there, and leaves nothing running", async () => {
    const env = await createEnv({ backend: "local", usage: false, cwd: scratch, syncDir: join(scratch, "missing") });
    const error = await env.exec("true").catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "FileSystemError", reason: "NotFound" });
    expect((await env.status()).state).not.toBe("ready");
    await env.dispose();
  });
});
