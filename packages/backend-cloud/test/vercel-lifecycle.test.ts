import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { BackendUnavailableError, ConfigError, createEnv } from "@hermes/core";
import { describeWithService } from "@hermes/testkit";
import { Sandbox } from "@vercel/sandbox";
import { afterAll, afterEach, expect, it } from "vitest";
import { startVercelFake } from "../src/testing/index.js";
import { rewritingFetch, vercelSandbox } from "../src/vercel/index.js";
import { bubblewrapMissing } from "./bubblewrap-missing.js";

const credentials = { token: "lifecycle-token", teamId: "team_lifecycle", projectId: "prj_lifecycle" };
const fake = bubblewrapMissing ? undefined : await startVercelFake(credentials);
afterAll(() => fake?.close());
const apiUrl = () => fake?.url ?? "";
const sdk = () => ({ ...credentials, fetch: rewritingFetch(apiUrl()) });
const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(disposers.splice(0).map((dispose) => dispose()));
});

describeWithService("vercel-sandbox backend: lifecycle and errors against the fake", bubblewrapMissing, () => {
  it("tags and names its sandbox, keeps it through a timeout, and leaves nothing after dispose", async () => {
    const env = await createEnv({ backend: vercelSandbox({ ...credentials, apiUrl: apiUrl() }) });
    disposers.push(() => env.dispose());
    await env.exec("cd /tmp && export KEPT=1");
    const [listed] = await (await Sandbox.list({ ...sdk() })).toArray();
    expect(listed?.name).toBe(`hermes-${env.id}`);
    expect(listed?.tags).toMatchObject({ "hermes.env-id": env.id, "hermes.owner": expect.stringMatching(/\/\d+$/) });
    const timedOut = await env.exec("sleep 30", { timeoutMs: 300 });
    expect(timedOut.timedOut).toBe(true);
    expect(fake?.sandboxNames()).toEqual([`hermes-${env.id}`]);
    expect((await env.exec('echo "$KEPT $PWD"')).stdout).toBe("1 /tmp\n");
    await env.dispose();
    expect(fake?.sandboxNames()).toEqual([]);
  });

  it("gives commands stdin through the sandbox's pipe, binary and all, and ends it", async () => {
    const env = await createEnv({ backend: vercelSandbox({ ...credentials, apiUrl: apiUrl() }) });
    disposers.push(() => env.dispose());
    const bytes = new Uint8Array(256 * 1024).map((_, index) => (index * 7) % 256);
    const counted = await env.exec("od -An -tx1 -v | tr -s ' \\n' '\\n\\n' | grep -c .", { stdin: bytes });
    expect(counted.stdout.trim()).toBe(String(bytes.length));
    const cat = await env.spawn("cat", { stdin: "one\n" });
    await cat.write("two\n");
    await cat.closeStdin();
    expect(await cat.wait()).toMatchObject({ exitCode: 0, stdout: "one\ntwo\n" });
  });

  it("reap() deletes the sandbox of an owner killed with -9, and nothing else", async () => {
    const keeper = await createEnv({ backend: vercelSandbox({ ...credentials, apiUrl: apiUrl() }) });
    disposers.push(() => keeper.dispose());
    await keeper.start();
    const script = fileURLToPath(new URL("./fixtures/leave-sandbox.mjs", import.meta.url));
    const options = JSON.stringify({ ...credentials, apiUrl: apiUrl() });
    const child = spawn(process.execPath, [script, "vercel", "vercelSandbox", options], { stdio: ["ignore", "pipe", "inherit"] });
    const [line] = (await once(child.stdout, "data")) as [Buffer];
    const orphan = /ready (\S+)/.exec(line.toString())?.[1];
    child.kill("SIGKILL");
    await once(child, "exit");
    expect(fake?.sandboxNames()).toContain(`hermes-${orphan}`);
    const report = await vercelSandbox({ ...credentials, apiUrl: apiUrl() }).reap?.();
    expect(report?.removed).toEqual([`vercel sandbox hermes-${orphan} (environment ${orphan})`]);
    expect(fake?.sandboxNames()).toEqual([`hermes-${keeper.id}`]);
  });

  it("keeps a persistent sandbox's files through stop and resume, with a runtime set (Hermes bug #74753)", async () => {
    const options = { ...credentials, apiUrl: apiUrl(), persistent: true, name: "hermes-kept", runtime: "node22" };
    const first = await createEnv({ backend: vercelSandbox(options) });
    await first.exec("echo still here > kept.txt");
    await first.dispose();
    expect(fake?.sandboxNames()).toEqual(["hermes-kept"]);
    const [stopped] = await (await Sandbox.list({ ...sdk() })).toArray();
    expect(stopped?.status).toBe("stopped");
    const second = await createEnv({ backend: vercelSandbox(options) });
    expect((await second.exec("cat kept.txt")).stdout).toBe("still here\n");
    await second.dispose();
    await (await Sandbox.get({ ...sdk(), name: "hermes-kept" })).delete();
  });

  it("names the variables and the keys when credentials are missing, and says `not configured`", async () => {
    const names = ["VERCEL_TOKEN", "VERCEL_TEAM_ID", "VERCEL_PROJECT_ID", "VERCEL_OIDC_TOKEN"];
    const saved = names.map((name) => [name, process.env[name]] as const);
    for (const name of names) delete process.env[name];
    try {
      const backend = vercelSandbox({ apiUrl: apiUrl(), teamId: credentials.teamId });
      const env = await createEnv({ backend });
      disposers.push(() => env.dispose());
      const error = await env.exec("true").catch((caught: unknown) => caught);
      expect(ConfigError.isInstance(error)).toBe(true);
      expect(String(error)).toMatch(/VERCEL_TOKEN.*token/);
      expect(String(error)).toMatch(/VERCEL_PROJECT_ID.*project_id/);
      expect(String(error)).not.toMatch(/VERCEL_TEAM_ID/);
      expect(await backend.health?.()).toMatchObject({ ok: false, notConfigured: true });
    } finally {
      for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
    }
  });

  it("refuses a wrong token with an error that is not retryable", async () => {
    const env = await createEnv({ backend: vercelSandbox({ ...credentials, token: "wrong", apiUrl: apiUrl() }) });
    disposers.push(() => env.dispose());
    const error = await env.exec("true").catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ retryable: false });
    expect(String(error)).toMatch(/token was refused/);
  });

  it("rides out an API that answers 500 and then 200", async () => {
    fake?.failNext({ status: 500, times: 1, pathPart: "/v" });
    const env = await createEnv({ backend: vercelSandbox({ ...credentials, apiUrl: apiUrl() }) });
    disposers.push(() => env.dispose());
    expect((await env.exec("echo up")).stdout).toBe("up\n");
  });
});
