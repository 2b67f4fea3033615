import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, createEnv, type ExecutionEnvironment, PathOutsideSandboxError } from "@hermes/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { local } from "../src/index.js";

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "hermes-local-test-"));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("sandbox_root", () => {
  let env: ExecutionEnvironment;
  let root: string;
  beforeAll(async () => {
    root = join(base, "root");
    await mkdir(join(base, "outside"), { recursive: true });
    await mkdir(join(base, "root-sibling"), { recursive: true });
    await writeFile(join(base, "outside", "secret.txt"), "secret");
    env = await createEnv({ backend: local({ sandboxRoot: root }) });
    await env.start();
    await symlink(join(base, "outside"), join(root, "link-to-outside"));
    await symlink(join(base, "outside", "secret.txt"), join(root, "secret-link"));
    await symlink(join(base, "outside", "not-yet.txt"), join(root, "dangling"));
    await symlink(".", join(root, "self"));
  });
  afterAll(async () => {
    await env.dispose();
  });

  it("creates the root and starts the session in it", async () => {
    expect((await env.exec("pwd")).stdout.trim()).toBe(root);
  });

  const refused = async (action: Promise<unknown>) => {
    const error = await action.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(PathOutsideSandboxError.isInstance(error), String(error)).toBe(true);
    return error as PathOutsideSandboxError;
  };

  it("refuses paths outside the root: absolute, .., ~, and a sibling sharing its prefix", async () => {
    await refused(env.files.read(join(base, "outside", "secret.txt")));
    await refused(env.files.write("../outside/new.txt", "x"));
    await refused(env.files.list(".."));
    await refused(env.files.write(join(base, "root-sibling", "x.txt"), "x"));
    const error = await refused(env.files.write("~/hermes-escape.txt", "x"));
    expect(error.message).toMatch(/outside the sandbox root/);
  });

  it("refuses to follow symlinks that lead outside, for reads, writes and listings", async () => {
    await refused(env.files.read("secret-link"));
    await refused(env.files.readText("link-to-outside/secret.txt"));
    await refused(env.files.write("link-to-outside/planted.txt", "x"));
    await refused(env.files.list("link-to-outside"));
    await refused(env.files.mkdir("link-to-outside/deeper/still", { recursive: true }));
    const dangling = await refused(env.files.write("dangling", "x"));
    expect(dangling.resolvedPath).toBe(join(base, "outside", "not-yet.txt"));
    await expect(readFile(join(base, "outside", "not-yet.txt"))).rejects.toThrow();
    await expect(readFile(join(base, "outside", "planted.txt"))).rejects.toThrow();
  });

  it("allows what stays inside, including links that stay inside, and can stat or remove a link itself", async () => {
    await env.files.write("inside/ok.txt", "fine");
    expect(await env.files.readText("self/inside/ok.txt")).toBe("fine");
    expect((await env.files.stat("secret-link"))?.type).toBe("symlink");
    await env.files.remove("secret-link");
    expect(await readFile(join(base, "outside", "secret.txt"), "utf8")).toBe("secret");
    await expect(env.files.remove(".", { recursive: true })).rejects.toThrow(/sandbox root itself cannot be removed/);
  });

  it("is a files-API check, not OS confinement: commands can still reach outside", async () => {
    expect((await env.exec(`cat ${join(base, "outside", "secret.txt")}`)).stdout).toBe("secret");
  });

  it("refuses a cwd outside the root at start", async () => {
    const outsideCwd = await createEnv({ backend: local({ sandboxRoot: root, cwd: join(base, "outside") }) });
    await expect(outsideCwd.start()).rejects.toSatisfy(ConfigError.isInstance);
    await outsideCwd.dispose();
  });
});

describe("environment forwarding", () => {
  it("forwards host variables except secrets, configurable both ways", async () => {
    process.env.HERMES_TEST_PLAIN = "plain";
    process.env.HERMES_TEST_TOKEN = "hidden";
    process.env.HERMES_TEST_NOISE = "noise";
    try {
      await using env = await createEnv({ backend: local({ envBlocklist: ["HERMES_TEST_NOISE"] }) });
      const result = await env.exec('echo "${HERMES_TEST_PLAIN-unset} ${HERMES_TEST_TOKEN-unset} ${HERMES_TEST_NOISE-unset}"');
      expect(result.stdout).toBe("plain unset unset\n");
      await using open = await createEnv({ backend: local({ envPassthrough: ["HERMES_TEST_TOKEN"] }) });
      expect((await open.exec('echo "${HERMES_TEST_TOKEN-unset}"', { session: false })).stdout).toBe("hidden\n");
    } finally {
      delete process.env.HERMES_TEST_PLAIN;
      delete process.env.HERMES_TEST_TOKEN;
      delete process.env.HERMES_TEST_NOISE;
    }
  });
});

describe("max_memory_mb", () => {
  // Bash builds the string in its own heap, which RLIMIT_DATA bounds.
  const allocate = (megabytes: number) => `x=$(head -c ${megabytes * 1024 * 1024} /dev/zero | tr '\\0' a); echo "allocated \${#x}"`;

  it("stops a command that allocates more, in the session, one-shot and spawned", async () => {
    await using env = await createEnv({ backend: local({ maxMemoryMb: 64 }) });
    for (const session of [true, false]) {
      const result = await env.exec(allocate(200), { session });
      expect(result.exitCode, `session: ${session}`).not.toBe(0);
      expect(result.stdout).not.toMatch(/allocated/);
      expect(result.stderr).toMatch(/cannot allocate|memory/i);
    }
    const spawned = await (await env.spawn(allocate(200))).wait();
    expect(spawned.exitCode).not.toBe(0);
    expect((await env.exec(allocate(8))).stdout).toBe(`allocated ${8 * 1024 * 1024}\n`);
  });

  it("is rejected when not a positive number", () => {
    expect(() => local({ maxMemoryMb: -1 })).toThrow(/max_memory_mb: got -1; expected a positive number of megabytes/);
  });
});

describe("pipes", () => {
  it("are named pipes that leave nothing on disk, and reap() removes a directory a crashed process left", async () => {
    const ours = async () => (await readdir(tmpdir())).filter((entry) => entry.startsWith(`hermes-pipes-${process.pid}-`));
    const env = await createEnv({ backend: local() });
    try {
      const stdout = await env.exec("[ -p /dev/stdout ] && [ -p /dev/stderr ] && echo pipes");
      expect(stdout.stdout).toBe("pipes\n");
      expect(await ours()).toEqual([]);
    } finally {
      await env.dispose();
    }
    // A pipe directory of a process that is gone (a pid that just exited), and one of this live process.
    const dead = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ["-e", ""]);
      child.once("exit", () => resolve(child.pid as number));
    });
    const orphan = await mkdtemp(join(tmpdir(), `hermes-pipes-${dead}-`));
    const live = await mkdtemp(join(tmpdir(), `hermes-pipes-${process.pid}-`));
    const report = await (local().reap?.() ?? Promise.resolve({ removed: [] }));
    expect(report.removed).toContain(`local pipe directory ${orphan}`);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(live)).toBe(true);
    await rm(live, { recursive: true });
  });

  it("deliver all of a quick command's stderr, with no end marker on it, and none of it to the next command", async () => {
    // Programs only, so each is a quick command: its stderr ends one loop turn after stdout's report.
    await using env = await createEnv({ backend: local(), usage: false });
    for (let round = 0; round < 20; round++) {
      const big = await env.exec(`bash -c 'head -c 300000 /dev/zero | tr "\\0" e >&2; printf out${round}'`);
      expect(big.stdout).toBe(`out${round}`);
      expect(big.stderr.length).toBe(300_000);
      expect(big.stderr.replaceAll("e", "")).toBe("");
      const small = await env.exec(`sh -c 'printf err${round} >&2'`);
      expect(small.stderr).toBe(`err${round}`);
      expect(small.stdout).toBe("");
    }
  });
});

describe("processes started at once", () => {
  it("each get pipes of their own, however many wait for the same batch of named pipes", async () => {
    await using env = await createEnv({ backend: local(), usage: false });
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, index) => env.exec(`echo out-${index}; echo err-${index} >/dev/stderr`, { session: false })),
    );
    expect(results.map((result) => [result.stdout, result.stderr])).toEqual(
      Array.from({ length: 24 }, (_, index) => [`out-${index}\n`, `err-${index}\n`]),
    );
  });
});
