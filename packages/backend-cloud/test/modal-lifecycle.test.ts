import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BackendUnavailableError, ConfigError, createEnv } from "@hermes/core";
import { describeWithService } from "@hermes/testkit";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { type ModalBackendOptions, modal } from "../src/modal/index.js";
import { type ModalFake, startModalFake } from "../src/testing/index.js";
import { bubblewrapMissing } from "./bubblewrap-missing.js";

const credentials = { tokenId: "ak-lifecycle", tokenSecret: "as-lifecycle" };
let fake: ModalFake;
let home: string;
const savedHome = process.env.HERMES_HOME;
const backend = (options: ModalBackendOptions = {}) => modal({ ...credentials, apiUrl: fake.url, ...options });
const disposers: Array<() => Promise<void>> = [];
const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describeWithService("modal backend: lifecycle and errors against the fake", bubblewrapMissing, () => {
  beforeAll(async () => {
    fake = await startModalFake({ ...credentials, secrets: { "team-keys": { TEAM_KEY: "k1" } }, maxSandboxes: 6 });
    // Kept snapshots are recorded under $HERMES_HOME: a directory of this test's own.
    home = await mkdtemp(join(tmpdir(), "hermes-modal-home-"));
    process.env.HERMES_HOME = home;
  });
  afterEach(async () => {
    await Promise.all(disposers.splice(0).map((dispose) => dispose()));
  });
  afterAll(async () => {
    await fake?.close();
    if (savedHome === undefined) delete process.env.HERMES_HOME;
    else process.env.HERMES_HOME = savedHome;
    await rm(home, { recursive: true, force: true });
  });

  it("names and tags its sandbox, keeps it through a command's timeout, and leaves nothing after dispose", async () => {
    const env = await createEnv({ backend: backend({ secrets: ["team-keys"], cpu: 2, memoryMb: 4096, timeoutMs: 90_500 }) });
    disposers.push(() => env.dispose());
    await env.exec("cd /tmp && export KEPT=1");
    const [made] = fake.sandboxes();
    expect(made).toMatchObject({ name: `hermes-${env.id}`, gpu: undefined, milliCpu: 2000, memoryMb: 4096, timeoutSecs: 91, v1: false });
    expect(made?.tags).toMatchObject({ "hermes.env-id": env.id, "hermes.owner": expect.stringMatching(/\/\d+$/) });
    const timedOut = await env.exec("sleep 30", { timeoutMs: 300 });
    expect(timedOut.timedOut).toBe(true);
    expect(fake.sandboxNames()).toEqual([`hermes-${env.id}`]);
    expect((await env.exec('echo "$KEPT $PWD $TEAM_KEY"')).stdout).toBe("1 /tmp k1\n");
    // The session is one exec: commands after the first start none.
    const execs = fake.calls.filter((call) => call === "TaskExecStart").length;
    for (let i = 0; i < 5; i++) await env.exec("true");
    expect(fake.calls.filter((call) => call === "TaskExecStart").length).toBe(execs);
    await env.dispose();
    expect(fake.sandboxNames()).toEqual([]);
  });

  it("leaves MODAL_SERVER_URL as it found it, so other clients in the process keep their server", async () => {
    process.env.MODAL_SERVER_URL = "http://127.0.0.1:1";
    try {
      const env = await createEnv({ backend: backend() });
      disposers.push(() => env.dispose());
      expect((await env.exec("echo up")).stdout).toBe("up\n");
      expect(process.env.MODAL_SERVER_URL).toBe("http://127.0.0.1:1");
    } finally {
      delete process.env.MODAL_SERVER_URL;
    }
    const env = await createEnv({ backend: backend() });
    disposers.push(() => env.dispose());
    await env.start();
    expect(process.env.MODAL_SERVER_URL).toBeUndefined();
  });

  it("takes the SDK's GPU path for a GPU request (priced in cloud-usage.test.ts)", async () => {
    const env = await createEnv({ backend: backend({ gpu: "h100:2" }) });
    disposers.push(() => env.dispose());
    expect((await env.exec("echo on a gpu")).stdout).toBe("on a gpu\n");
    expect(fake.sandboxes().find((s) => s.name === `hermes-${env.id}`)).toMatchObject({ gpu: "H100:2", v1: true });
    expect(fake.calls).toContain("SandboxCreate");
  });

  it("restores a persistent sandbox's files from the snapshot taken at dispose, and starts fresh (saying so) when it is gone", async () => {
    const options = { persistent: true, name: "hermes-kept" };
    const first = await createEnv({ backend: backend(options) });
    await first.exec("echo still here > kept.txt && mkdir -p /tmp/dir && echo deep > /tmp/dir/f");
    await first.dispose();
    expect(fake.sandboxNames()).not.toContain("hermes-kept");
    const records = await readdir(join(home, "modal-snapshots", "hermes-agent"));
    expect(records).toEqual(["hermes-kept.json"]);
    const second = await createEnv({ backend: backend(options) });
    const progress: string[] = [];
    second.on("progress", ({ message }) => progress.push(message));
    expect((await second.exec("cat kept.txt /tmp/dir/f")).stdout).toBe("still here\ndeep\n");
    expect(progress.join("\n")).toMatch(/from its snapshot im-/);
    await second.exec("echo again >> kept.txt");
    await second.dispose();
    const third = await createEnv({ backend: backend(options) });
    expect((await third.exec("cat kept.txt")).stdout).toBe("still here\nagain\n");
    await third.dispose();
    // The image the record names is gone: the next environment starts from the base image, with a warning.
    await writeFile(
      join(home, "modal-snapshots", "hermes-agent", "hermes-kept.json"),
      JSON.stringify({ imageId: "im-gone", sandboxId: "sb-x", takenAt: "2026-01-01T00:00:00Z" }),
    );
    const fresh = await createEnv({ backend: backend(options) });
    disposers.push(() => fresh.dispose());
    const warnings: string[] = [];
    fresh.on("warning", ({ message }) => warnings.push(message));
    expect((await fresh.exec("cat kept.txt 2>/dev/null || echo fresh")).stdout).toBe("fresh\n");
    expect(warnings).toEqual([expect.stringMatching(/snapshot im-gone of hermes-kept is gone/)]);
  });

  it("reap() terminates the sandbox of an owner killed with -9, and nothing else", async () => {
    const keeper = await createEnv({ backend: backend() });
    disposers.push(() => keeper.dispose());
    await keeper.start();
    const script = fileURLToPath(new URL("./fixtures/leave-sandbox.mjs", import.meta.url));
    const options = JSON.stringify({ ...credentials, apiUrl: fake.url });
    const child = spawn(process.execPath, [script, "modal", "modal", options], { stdio: ["ignore", "pipe", "inherit"] });
    const [line] = (await once(child.stdout, "data")) as [Buffer];
    const orphan = /ready (\S+)/.exec(line.toString())?.[1];
    child.kill("SIGKILL");
    await once(child, "exit");
    expect(fake.sandboxNames()).toContain(`hermes-${orphan}`);
    const left = fake.sandboxes().find((s) => s.name === `hermes-${orphan}`);
    const report = await backend().reap?.();
    expect(report?.removed).toEqual([`modal sandbox ${left?.id} (environment ${orphan})`]);
    expect(fake.sandboxNames()).toEqual([`hermes-${keeper.id}`]);
  });

  it("says the sandbox has ended, not retryable, when it is terminated elsewhere or its timeout passes", async () => {
    const env = await createEnv({ backend: backend() });
    disposers.push(() => env.dispose());
    await env.exec("true");
    const id = fake.sandboxes().find((s) => s.name === `hermes-${env.id}`)?.id ?? "";
    await fake.terminate(id);
    const error = await caught(env.exec("echo after"));
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ retryable: false });
    expect(String(error)).toMatch(/the sandbox has ended: it was terminated outside this environment/);

    const short = await createEnv({ backend: backend({ timeoutMs: 1000 }) });
    disposers.push(() => short.dispose());
    const timedOut = await caught(short.exec("sleep 5"));
    expect(String(timedOut)).toMatch(/the sandbox has ended: its timeout passed/);
  });

  it("names the variables and the keys when credentials are missing, and says `not configured`", async () => {
    const names = ["MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET"];
    const saved = names.map((name) => [name, process.env[name]] as const);
    for (const name of names) delete process.env[name];
    try {
      const unconfigured = modal({ apiUrl: fake.url, tokenId: "ak-only" });
      const env = await createEnv({ backend: unconfigured });
      disposers.push(() => env.dispose());
      const error = await caught(env.exec("true"));
      expect(ConfigError.isInstance(error)).toBe(true);
      expect(String(error)).toMatch(/MODAL_TOKEN_SECRET.*token_secret.*~\/\.modal\.toml/);
      expect(String(error)).not.toMatch(/MODAL_TOKEN_ID/);
      expect(await unconfigured.health?.()).toMatchObject({ ok: false, notConfigured: true });
      expect(await backend().health?.()).toEqual({ ok: true });
    } finally {
      for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
    }
  });

  it("maps a wrong token, an unknown secret, an unknown GPU type and a quota to typed errors with the right retryable", async () => {
    const failure = async (options: ModalBackendOptions) => {
      const env = await createEnv({ backend: backend(options) });
      disposers.push(() => env.dispose());
      return caught(env.exec("true"));
    };
    const wrong = await failure({ tokenSecret: "wrong" });
    expect(wrong).toMatchObject({ name: "BackendUnavailableError", retryable: false });
    expect(String(wrong)).toMatch(/token was refused/);
    const secret = await failure({ secrets: ["nope"] });
    expect(ConfigError.isInstance(secret)).toBe(true);
    expect(String(secret)).toMatch(/secrets.*Secret 'nope' not found/);
    const gpu = await failure({ gpu: "X9" });
    expect(ConfigError.isInstance(gpu)).toBe(true);
    expect(String(gpu)).toMatch(/gpu.*unknown GPU type 'X9'/);
    // The quota is the fake's six sandboxes at once.
    const running = await Promise.all(
      Array.from({ length: 6 - fake.sandboxNames().length }, async () => {
        const env = await createEnv({ backend: backend() });
        disposers.push(() => env.dispose());
        await env.start();
        return env;
      }),
    );
    expect(running.length).toBeGreaterThan(0);
    const quota = await failure({});
    expect(quota).toMatchObject({ name: "BackendUnavailableError", retryable: true });
    expect(String(quota)).toMatch(/quota.*6 sandboxes at once/);
    expect(fake.unimplemented).toEqual([]);
  });
});
