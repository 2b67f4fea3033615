import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Daytona } from "@daytonaio/sdk";
import { BackendUnavailableError, ConfigError, createEnv } from "@hermes/core";
import { describeWithService } from "@hermes/testkit";
import { afterAll, afterEach, expect, it } from "vitest";
import { daytona } from "../src/daytona/index.js";
import { startDaytonaFake } from "../src/testing/index.js";
import { bubblewrapMissing } from "./bubblewrap-missing.js";

const apiKey = "lifecycle-key";
const fake = bubblewrapMissing ? undefined : await startDaytonaFake({ apiKey });
afterAll(() => fake?.close());
const apiUrl = () => fake?.apiUrl ?? "";
const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(disposers.splice(0).map((dispose) => dispose()));
});

describeWithService("daytona backend: lifecycle and errors against the fake", bubblewrapMissing, () => {
  it("serves the bare SDK: create, run a command, write and read a file", async () => {
    const client = new Daytona({ apiKey, apiUrl: apiUrl() });
    const sandbox = await client.create({ name: "bare-sdk" });
    try {
      await sandbox.process.createSession("s");
      const result = await sandbox.process.executeSessionCommand("s", { command: "echo hi; echo oops >&2; exit 3" });
      expect(result).toMatchObject({ stdout: "hi\n", stderr: "oops\n", exitCode: 3 });
      await sandbox.fs.uploadFile(Buffer.from([0, 255, 10]), "/home/daytona/x.bin");
      expect([...(await sandbox.fs.downloadFile("/home/daytona/x.bin"))]).toEqual([0, 255, 10]);
    } finally {
      await sandbox.delete();
    }
  });

  it("labels its sandbox, keeps it through a timeout, and leaves nothing after dispose", async () => {
    const env = await createEnv({ backend: daytona({ apiKey, apiUrl: apiUrl() }) });
    disposers.push(() => env.dispose());
    await env.exec("cd /tmp && export KEPT=1");
    const [sandbox] = await listed(new Daytona({ apiKey, apiUrl: apiUrl() }));
    expect(sandbox?.name).toBe(`hermes-${env.id}`);
    expect(sandbox?.labels).toMatchObject({ "hermes.env-id": env.id, "hermes.owner": expect.stringMatching(/\/\d+$/) });
    const timedOut = await env.exec("sleep 30", { timeoutMs: 300 });
    expect(timedOut.timedOut).toBe(true);
    expect(fake?.sandboxNames()).toEqual([`hermes-${env.id}`]);
    expect((await env.exec('echo "$KEPT $PWD"')).stdout).toBe("1 /tmp\n");
    await env.dispose();
    expect(fake?.sandboxNames()).toEqual([]);
  });

  it("reap() deletes the sandbox of an owner killed with -9, and nothing else", async () => {
    const keeper = await createEnv({ backend: daytona({ apiKey, apiUrl: apiUrl() }) });
    disposers.push(() => keeper.dispose());
    await keeper.start();
    const script = fileURLToPath(new URL("./fixtures/leave-sandbox.mjs", import.meta.url));
    const options = JSON.stringify({ apiKey, apiUrl: apiUrl() });
    const child = spawn(process.execPath, [script, "daytona", "daytona", options], { stdio: ["ignore", "pipe", "inherit"] });
    const [line] = (await once(child.stdout, "data")) as [Buffer];
    const orphan = /ready (\S+)/.exec(line.toString())?.[1];
    child.kill("SIGKILL");
    await once(child, "exit");
    expect(fake?.sandboxNames()).toContain(`hermes-${orphan}`);
    const report = await daytona({ apiKey, apiUrl: apiUrl() }).reap?.();
    expect(report?.removed).toEqual([`daytona sandbox hermes-${orphan} (environment ${orphan})`]);
    expect(fake?.sandboxNames()).toEqual([`hermes-${keeper.id}`]);
  });

  it("keeps a persistent sandbox stopped after dispose and starts it again, files and all", async () => {
    const options = { apiKey, apiUrl: apiUrl(), persistent: true, name: "hermes-kept" };
    const first = await createEnv({ backend: daytona(options) });
    await first.files.write("/home/daytona/kept.txt", "still here");
    await first.dispose();
    expect(fake?.sandboxNames()).toEqual(["hermes-kept"]);
    expect((await new Daytona({ apiKey, apiUrl: apiUrl() }).get("hermes-kept")).state).toBe("stopped");
    const second = await createEnv({ backend: daytona(options) });
    expect(await second.files.readText("/home/daytona/kept.txt")).toBe("still here");
    await second.dispose();
    await (await new Daytona({ apiKey, apiUrl: apiUrl() }).get("hermes-kept")).delete();
  });

  it("archives a persistent sandbox at dispose when asked, and restores it, files and all, for the next one", async () => {
    const options = { apiKey, apiUrl: apiUrl(), persistent: true, archive: true, name: "hermes-archived" };
    const first = await createEnv({ backend: daytona(options) });
    await first.files.write("/home/daytona/kept.txt", "from the archive");
    await first.dispose();
    expect((await new Daytona({ apiKey, apiUrl: apiUrl() }).get("hermes-archived")).state).toBe("archived");
    const second = await createEnv({ backend: daytona(options) });
    expect(await second.files.readText("/home/daytona/kept.txt")).toBe("from the archive");
    await second.dispose();
    await (await new Daytona({ apiKey, apiUrl: apiUrl() }).get("hermes-archived")).delete();
  });

  it("syncs sync_dir into the workspace at start and back at dispose", async () => {
    const host = await mkdtemp(join(tmpdir(), "hermes-daytona-sync-"));
    try {
      await mkdir(join(host, "src"));
      await writeFile(join(host, "src", "task.txt"), "from the host\n");
      const config = { backend: { backends: { day: { type: "daytona", api_key: apiKey, api_url: apiUrl(), sync_dir: host } } } };
      const env = await createEnv({ config, usage: false });
      disposers.push(() => env.dispose());
      expect((await env.exec("pwd; cat src/task.txt")).stdout).toBe("/home/daytona\nfrom the host\n");
      await env.exec("tr a-z A-Z < src/task.txt > src/answer.txt");
      await env.dispose();
      expect(await readFile(join(host, "src", "answer.txt"), "utf8")).toBe("FROM THE HOST\n");
      expect(fake?.sandboxNames()).toEqual([]);
    } finally {
      await rm(host, { recursive: true, force: true });
    }
  });

  it("names the variable and the key when there is no API key, and says `not configured`", async () => {
    const saved = process.env.DAYTONA_API_KEY;
    delete process.env.DAYTONA_API_KEY;
    try {
      const backend = daytona({ apiUrl: apiUrl() });
      const env = await createEnv({ backend });
      disposers.push(() => env.dispose());
      const error = await env.exec("true").catch((caught: unknown) => caught);
      expect(ConfigError.isInstance(error)).toBe(true);
      expect(String(error)).toMatch(/DAYTONA_API_KEY.*api_key/);
      expect(await backend.health?.()).toMatchObject({ ok: false, notConfigured: true });
    } finally {
      if (saved !== undefined) process.env.DAYTONA_API_KEY = saved;
    }
  });

  it("refuses a wrong key with an error that is not retryable", async () => {
    const env = await createEnv({ backend: daytona({ apiKey: "wrong", apiUrl: apiUrl() }) });
    disposers.push(() => env.dispose());
    const error = await env.exec("true").catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ retryable: false });
    expect(String(error)).toMatch(/API key was refused/);
  });

  it("rides out a control plane that answers 500 and then 200", async () => {
    fake?.failNext({ status: 500, times: 1, pathPart: "/api/sandbox" });
    const env = await createEnv({ backend: daytona({ apiKey, apiUrl: apiUrl() }) });
    disposers.push(() => env.dispose());
    expect((await env.exec("echo up")).stdout).toBe("up\n");
  });
});

async function listed(client: Daytona) {
  const sandboxes = [];
  for await (const sandbox of client.list()) sandboxes.push(sandbox);
  return sandboxes;
}
