import { randomUUID } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeWithService } from "@hermes/testkit";
import { Sandbox, Snapshot } from "@vercel/sandbox";
import { afterEach, beforeEach, expect, it } from "vitest";
import { startVercelFake, type VercelFake } from "../src/testing/index.js";
import { bubblewrapMissing } from "./bubblewrap-missing.js";

const credentials = { token: "fake-token", teamId: "team_fake", projectId: "prj_fake" };
let fake: VercelFake;

/** What every SDK call takes: the credentials, and a fetch that sends it to the fake instead of vercel.com/api. */
const sdk = (to: VercelFake = fake) => ({
  ...credentials,
  fetch: ((input, init) => {
    const url = new URL(String(input));
    return globalThis.fetch(to.url + url.pathname.replace(/^\/api/, "") + url.search, init);
  }) as typeof globalThis.fetch,
});

/** Whether a process whose command line contains `needle` runs on this machine (a zombie has none). */
async function running(needle: string): Promise<boolean> {
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.split("\0").join(" ").includes(needle)) return true;
  }
  return false;
}

/** The fake's directories on this machine (a sandbox's, a snapshot's) that hold `/tmp/<marker>`. */
function markedDirs(marker: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(tmpdir()).filter((name) => name.startsWith("hermes-fake-"))) {
    const dir = join(tmpdir(), entry);
    try {
      for (const candidate of [dir, ...readdirSync(dir).map((child) => join(dir, child))])
        if (existsSync(join(candidate, "tmp", marker))) found.push(candidate);
    } catch {} // another test's directory, gone meanwhile
  }
  return found;
}

describeWithService("the Vercel Sandbox fake, through the bare @vercel/sandbox SDK", bubblewrapMissing, () => {
  beforeEach(async () => {
    fake = await startVercelFake(credentials);
  });
  afterEach(() => fake.close());

  it("runs argv commands with stdout and stderr apart, the exit code, env and cwd", async () => {
    const sandbox = await Sandbox.create({ ...sdk(), env: { FROM_SANDBOX: "s", BOTH: "sandbox" } });
    expect(sandbox.cwd).toBe("/vercel/sandbox");
    const finished = await sandbox.runCommand("sh", ["-c", "echo out; echo err >&2; exit 3"]);
    expect({ exitCode: finished.exitCode, stdout: await finished.stdout(), stderr: await finished.stderr() }).toEqual({
      exitCode: 3,
      stdout: "out\n",
      stderr: "err\n",
    });
    const env = await sandbox.runCommand({
      cmd: "sh",
      args: ["-c", 'echo "$FROM_SANDBOX $BOTH $PWD"'],
      env: { BOTH: "command" },
      cwd: "/tmp",
    });
    expect(await env.stdout()).toBe("s command /tmp\n");
    const argv = await sandbox.runCommand("printf", ["[%s]", "two words", "$HOME", "'quoted'", ""]);
    expect(await argv.stdout()).toBe("[two words][$HOME]['quoted'][]");
    // "é" split between two writes still arrives whole; /dev/stdout is a pipe the command can open.
    const split = await sandbox.runCommand("sh", ["-c", "printf '\\303'; sleep 0.05; printf '\\251\\n' >/dev/stdout"]);
    expect(await split.stdout()).toBe("é\n");
    expect(await (await sandbox.runCommand("pwd")).stdout()).toBe("/vercel/sandbox\n");
    await Sandbox.create({ ...sdk(), runtime: "node22" });
    expect(fake.requests.filter((request) => request.endsWith("/sandboxes"))).toEqual(["POST /api/v3/sandboxes", "POST /api/v2/sandboxes"]);
  });

  it("streams a detached command's logs as they come, waits for it, and kills a sleep", async () => {
    const sandbox = await Sandbox.create(sdk());
    const command = await sandbox.runCommand({ cmd: "sh", args: ["-c", "echo one; sleep 0.3; echo two >&2; exit 4"], detached: true });
    const lines: unknown[] = [];
    for await (const line of command.logs()) {
      lines.push(line);
      // The first line arrives while the command still runs.
      if (lines.length === 1) expect((await sandbox.getCommand(command.cmdId)).exitCode).toBeNull();
    }
    expect(lines).toEqual([
      { stream: "stdout", data: "one\n" },
      { stream: "stderr", data: "two\n" },
    ]);
    expect((await command.wait()).exitCode).toBe(4);
    expect(await command.stdout()).toBe("one\n");

    const sleep = await sandbox.runCommand({ cmd: "sleep", args: ["30"], detached: true });
    const killedAt = Date.now();
    await sleep.kill();
    expect((await sleep.wait()).exitCode).toBe(143);
    expect(Date.now() - killedAt).toBeLessThan(5_000);
  });

  it("writes and reads files: all 256 byte values with their mode, missing is null, mkDir, read-only elsewhere", async () => {
    const sandbox = await Sandbox.create(sdk());
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, index) => index));
    await sandbox.writeFiles([
      { path: "bin/all-bytes", content: bytes, mode: 0o751 },
      { path: "/tmp/deep/er/x", content: Buffer.from("x") },
    ]);
    expect(await sandbox.readFileToBuffer({ path: "/vercel/sandbox/bin/all-bytes" })).toEqual(bytes);
    expect(await (await sandbox.runCommand("stat", ["-c", "%a", "bin/all-bytes"])).stdout()).toBe("751\n");
    expect(await (await sandbox.runCommand("cat", ["/tmp/deep/er/x"])).stdout()).toBe("x");
    expect(await sandbox.readFileToBuffer({ path: "/tmp/missing" })).toBeNull();
    await sandbox.mkDir("made");
    expect((await sandbox.runCommand("test", ["-d", "/vercel/sandbox/made"])).exitCode).toBe(0);
    await expect(sandbox.mkDir("made")).rejects.toMatchObject({ response: { status: 400 } });
    const directory = { response: { status: 400 }, json: { error: { message: "/tmp/deep: is a directory" } } };
    await expect(sandbox.readFileToBuffer({ path: "/tmp/deep" })).rejects.toMatchObject(directory);
    await expect(sandbox.writeFiles([{ path: "/etc/hermes-fake", content: Buffer.from("") }])).rejects.toThrow(/read-only file system/);
    // Through a symlink out of its own dirs: here that would be this machine's /etc.
    await sandbox.runCommand("ln", ["-s", "/etc", "/tmp/to-etc"]);
    await expect(sandbox.writeFiles([{ path: "/tmp/to-etc/hermes-fake", content: Buffer.from("") }])).rejects.toThrow(/read-only/);
    expect(existsSync("/etc/hermes-fake")).toBe(false);
  });

  it("keeps a persistent sandbox's files through stop: resumed by get, and by the SDK itself on a 410", async () => {
    const sandbox = await Sandbox.create({ ...sdk(), name: "kept", persistent: true });
    await sandbox.writeFiles([{ path: "kept.txt", content: Buffer.from("still here") }]);
    await sandbox.runCommand({ cmd: "sleep", args: ["600.25"], detached: true });
    const first = sandbox.currentSession().sessionId;
    await sandbox.stop();
    expect((await Sandbox.list(sdk())).sandboxes).toMatchObject([{ name: "kept", status: "stopped" }]);
    await expect.poll(() => running("sleep 600.25"), { timeout: 5000 }).toBe(false);
    const resumed = await Sandbox.get({ ...sdk(), name: "kept", resume: true });
    expect(resumed.currentSession().sessionId).not.toBe(first);
    expect((await resumed.readFileToBuffer({ path: "kept.txt" }))?.toString()).toBe("still here");
    await resumed.stop();
    // The first handle's session has stopped: the fake answers 410 and the SDK resumes the sandbox and retries.
    expect(await (await sandbox.runCommand("cat", ["kept.txt"])).stdout()).toBe("still here");
    expect(fake.requests.filter((request) => request === "GET /api/v2/sandboxes/kept")).toHaveLength(2);

    const passing = await Sandbox.create({ ...sdk(), name: "passing" });
    await passing.writeFiles([{ path: "gone.txt", content: Buffer.from("soon gone") }]);
    await passing.stop();
    expect(await (await Sandbox.get({ ...sdk(), name: "passing", resume: true })).readFileToBuffer({ path: "gone.txt" })).toBeNull();
  });

  it("stops a session when its timeout passes, later when extended", async () => {
    const sandbox = await Sandbox.create({ ...sdk(), name: "brief", timeout: 300 });
    await sandbox.extendTimeout(300);
    expect(sandbox.currentSession().timeout).toBe(600);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const status = async () => (await Sandbox.get({ ...sdk(), name: "brief" })).status;
    expect(await status()).toBe("running");
    await expect.poll(status, { timeout: 2_000 }).toBe("stopped");
  });

  it("snapshots a sandbox and creates another from the snapshot, files and all", async () => {
    const source = await Sandbox.create(sdk());
    await source.writeFiles([{ path: "from-snapshot.txt", content: Buffer.from("copied") }]);
    const snapshot = await source.snapshot();
    expect(source.status).toBe("stopped");
    const copy = await Sandbox.create({ ...sdk(), source: { type: "snapshot", snapshotId: snapshot.snapshotId } });
    expect((await copy.readFileToBuffer({ path: "from-snapshot.txt" }))?.toString()).toBe("copied");
    expect((await Snapshot.get({ ...sdk(), snapshotId: snapshot.snapshotId })).status).toBe("created");
    await snapshot.delete();
    expect(snapshot.status).toBe("deleted");
    const fromDeleted = Sandbox.create({ ...sdk(), source: { type: "snapshot", snapshotId: snapshot.snapshotId } });
    await expect(fromDeleted).rejects.toMatchObject({ response: { status: 410 }, json: { error: { code: "snapshot_not_found" } } });
  });

  it("lists by tag and name prefix, page by page, and refuses a name that is taken", async () => {
    await Sandbox.create({ ...sdk(), name: "tagged-a", tags: { team: "a" } });
    await Sandbox.create({ ...sdk(), name: "tagged-b", tags: { team: "b" } });
    await Sandbox.create({ ...sdk(), name: "other", tags: { team: "a" } });
    const listed = await Sandbox.list({ ...sdk(), tags: { team: "a" }, namePrefix: "tagged-" });
    expect(listed.sandboxes.map((sandbox) => sandbox.name)).toEqual(["tagged-a"]);
    expect(listed.sandboxes[0]?.tags).toEqual({ team: "a" });
    const all = await (await Sandbox.list({ ...sdk(), namePrefix: "tagged-", limit: 1 })).toArray();
    expect(all.map((sandbox) => sandbox.name).sort()).toEqual(["tagged-a", "tagged-b"]);
    await expect(Sandbox.create({ ...sdk(), name: "tagged-a" })).rejects.toMatchObject({ response: { status: 400 } });
  });

  it("deletes a sandbox: every process of it ends, even a setsid one, and its name is free", async () => {
    const sandbox = await Sandbox.create({ ...sdk(), name: "doomed" });
    await sandbox.runCommand({ cmd: "sleep", args: ["600.5"], detached: true });
    await sandbox.runCommand("sh", ["-c", "setsid sleep 600.75 > /dev/null 2>&1 &"]);
    await expect.poll(() => running("sleep 600.75")).toBe(true);
    expect(await running("sleep 600.5")).toBe(true);
    await sandbox.delete();
    expect(fake.sandboxNames()).toEqual([]);
    await expect.poll(async () => (await running("sleep 600.5")) || (await running("sleep 600.75"))).toBe(false);
    await expect(Sandbox.get({ ...sdk(), name: "doomed" })).rejects.toMatchObject({ response: { status: 404 } });
  });

  it("refuses a wrong token, another team and another project", async () => {
    await expect(Sandbox.create({ ...sdk(), token: "wrong" })).rejects.toMatchObject({ response: { status: 401 } });
    await expect(Sandbox.list({ ...sdk(), teamId: "team_other" })).rejects.toMatchObject({ response: { status: 403 } });
    await expect(Sandbox.create({ ...sdk(), projectId: "prj_other" })).rejects.toMatchObject({ response: { status: 404 } });
    expect(fake.sandboxNames()).toEqual([]);
  });

  it("rides out a 500 with the SDK's own retry, and names a call it does not serve", async () => {
    fake.failNext({ status: 500, times: 1, pathPart: "/v3/sandboxes" });
    const sandbox = await Sandbox.create(sdk());
    expect(fake.requests.filter((request) => request === "POST /api/v3/sandboxes")).toHaveLength(2);
    await expect(sandbox.update({ tags: { late: "yes" } })).rejects.toThrow(/does not serve PATCH \/api\/v2\/sandboxes\//);
  });

  it("leaves no directory behind after close, the sandbox's nor the snapshot's", async () => {
    const own = await startVercelFake(credentials);
    const marker = `marker-${randomUUID()}`;
    const sandbox = await Sandbox.create({ ...sdk(own), persistent: true });
    await sandbox.writeFiles([{ path: `/tmp/${marker}`, content: Buffer.from("") }]);
    await sandbox.snapshot();
    expect(markedDirs(marker)).toHaveLength(2);
    await own.close();
    expect(markedDirs(marker)).toEqual([]);
  });
});
