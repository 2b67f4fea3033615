import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnv, type ExecutionEnvironment } from "@hermes/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { local } from "../src/index.js";
import { describeWithBubblewrap } from "./bubblewrap-support.js";

describeWithBubblewrap("bubblewrap confinement: escape attempts", () => {
  let base: string;
  let root: string;
  let outside: string;
  let env: ExecutionEnvironment;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), "hermes-escape-"));
    root = join(base, "sbx");
    outside = join(base, "outside");
    await mkdir(root);
    await mkdir(join(base, "sbx2"));
    await mkdir(outside);
    await writeFile(join(outside, "secret.cfg"), "original\n");
    env = await createEnv({ backend: local({ sandboxRoot: root, confinement: "bubblewrap" }) });
  });

  afterAll(async () => {
    await env?.dispose();
    await rm(base, { recursive: true, force: true });
  });

  it("writes inside the root, on the host", async () => {
    expect((await env.exec("echo ok > inside.txt && cat inside.txt")).stdout).toBe("ok\n");
    expect(existsSync(join(root, "inside.txt"))).toBe(true);
  });

  it("cannot write through a symlink it creates to the outside", async () => {
    const result = await env.exec(`ln -s ${outside} link && echo pwned > link/pwned`);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/Read-only file system/);
    expect(existsSync(join(outside, "pwned"))).toBe(false);
  });

  it("cannot climb out with .., nor write to a sibling sharing the root's prefix", async () => {
    expect((await env.exec("echo x > ../escaped")).stderr).toMatch(/Read-only file system/);
    expect((await env.exec(`echo x > ${join(base, "sbx2", "x")}`)).exitCode).not.toBe(0);
    expect(existsSync(join(base, "escaped"))).toBe(false);
    expect(await readdir(join(base, "sbx2"))).toEqual([]);
  });

  it("cannot change an outside file through a hard link", async () => {
    const result = await env.exec(`ln ${join(outside, "secret.cfg")} stolen.cfg && echo changed >> stolen.cfg`);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/cross-device|Read-only|Operation not permitted/);
    expect((await env.exec(`cat ${join(outside, "secret.cfg")}`)).stdout).toBe("original\n");
  });

  it("loses the race of swapping a directory for a symlink to the outside", async () => {
    const result = await env.exec(
      `mkdir -p work; (for i in $(seq 300); do rm -rf work; ln -s ${outside} work; rm -f work; mkdir work; done) & ` +
        "for i in $(seq 300); do echo x > work/f$i 2>/dev/null; done; wait; echo raced",
      { timeoutMs: 60_000 },
    );
    expect(result.stdout).toBe("raced\n");
    expect((await readdir(outside)).sort()).toEqual(["secret.cfg"]);
  }, 90_000);

  it("keeps /tmp read-only, and gives temporary files a TMPDIR inside the root", async () => {
    const probe = `hermes-bwrap-probe-${process.pid}`;
    expect((await env.exec(`echo x > /tmp/${probe}`)).exitCode).not.toBe(0);
    expect(existsSync(join("/tmp", probe))).toBe(false);
    const made = (await env.exec('mktemp && echo "$TMPDIR"')).stdout.split("\n");
    expect(made[0]?.startsWith(join(root, ".tmp"))).toBe(true);
    expect(made[1]).toBe(join(root, ".tmp"));
  });

  it("has no network with network: none, and the host's with the default", async () => {
    const server: Server = createServer((socket) => socket.end("hello\n"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const noNetworkRoot = join(base, "offline");
    await mkdir(noNetworkRoot);
    await using offline = await createEnv({ backend: local({ sandboxRoot: noNetworkRoot, confinement: "bubblewrap", network: "none" }) });
    try {
      const probe = `exec 3<>/dev/tcp/127.0.0.1/${port} && head -1 <&3`;
      expect((await env.exec(probe)).stdout).toBe("hello\n");
      const cut = await offline.exec(probe);
      expect(cut.exitCode).not.toBe(0);
      expect(cut.stdout).toBe("");
    } finally {
      server.close();
    }
  });
});
