import { execFile, spawn } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { BackendUnavailableError, ConfigError, createEnv, HostKeyError } from "@hermes/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ssh } from "../src/index.js";
import { describeWithServer, sshDir, sshPort, testServer } from "./ssh-test-support.js";

const run = promisify(execFile);

describeWithServer("ssh backend: host keys, keys, agent, config, jump host", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hermes-ssh-test-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("refuses an unknown host key, saying how to check and add it", async () => {
    const empty = join(dir, "empty_known_hosts");
    await writeFile(empty, "");
    const env = await createEnv({ backend: ssh(testServer({ knownHostsFile: empty })) });
    const error = await env.exec("true").catch((caught: unknown) => caught);
    expect(HostKeyError.isInstance(error)).toBe(true);
    const refusal = error as HostKeyError;
    expect(refusal.problem).toBe("unknown");
    expect(refusal.retryable).toBe(false);
    const expected = (await run("ssh-keygen", ["-lf", `${sshDir}/ssh_host_ed25519_key.pub`])).stdout.split(" ")[1];
    expect(refusal.fingerprint).toBe(expected);
    expect(refusal.message).toContain(`[127.0.0.1]:${sshPort}`);
    expect(refusal.message).toContain(`ssh-keyscan -p ${sshPort} -t ed25519 127.0.0.1 >> ${empty}`);
    expect(refusal.message).toContain("trust_on_first_use");
    await env.dispose();
  });

  it("refuses a changed host key, naming the line to remove", async () => {
    const other = join(dir, "other_host_key");
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other]);
    const changed = join(dir, "changed_known_hosts");
    await writeFile(
      changed,
      `# pinned earlier\n[127.0.0.1]:${sshPort} ${(await readFile(`${other}.pub`, "utf8")).split(" ").slice(0, 2).join(" ")}\n`,
    );
    const env = await createEnv({ backend: ssh(testServer({ knownHostsFile: changed })) });
    const error = (await env.exec("true").catch((caught: unknown) => caught)) as HostKeyError;
    expect(error.problem).toBe("changed");
    expect(error.message).toMatch(/CHANGED.*line 2/);
    expect(error.message).toContain(`ssh-keygen -R '[127.0.0.1]:${sshPort}'`);
    await env.dispose();
  });

  it("trusts a new host on first use only when asked, and records its key hashed", async () => {
    const file = join(dir, "tofu_known_hosts");
    await using env = await createEnv({ backend: ssh(testServer({ knownHostsFile: file, trustOnFirstUse: true })) });
    expect((await env.exec("echo first")).stdout).toBe("first\n");
    const recorded = await readFile(file, "utf8");
    expect(recorded).toMatch(/^\|1\|\S+ ssh-ed25519 \S+\n$/);
    expect((await run("ssh-keygen", ["-F", `[127.0.0.1]:${sshPort}`, "-f", file])).stdout).toContain("found: line 1");
  });

  it("uses a key with a passphrase, and says what is wrong without one", async () => {
    const passphrase = (await readFile(`${sshDir}/passphrase`, "utf8")).trim();
    const key = `${sshDir}/id_ed25519_passphrase`;
    await using env = await createEnv({ backend: ssh(testServer({ key, passphrase })) });
    expect((await env.exec("whoami")).stdout).toBe("hermes\n");
    const missing = await createEnv({ backend: ssh(testServer({ key })) });
    const error = await missing.exec("true").catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/passphrase: .*the passphrase of .*id_ed25519_passphrase \(the key is encrypted\)/);
    await missing.dispose();
  });

  it("authenticates through the ssh agent when no key is configured", async () => {
    const socket = join(dir, "agent.sock");
    const agent = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
    try {
      await waitFor(async () => (await run("ssh-add", ["-l"], { env: { SSH_AUTH_SOCK: socket } }).catch((error) => error)).code !== 2);
      await run("ssh-add", [`${sshDir}/id_ed25519`], { env: { SSH_AUTH_SOCK: socket } });
      const saved = process.env.SSH_AUTH_SOCK;
      process.env.SSH_AUTH_SOCK = socket;
      try {
        await using env = await createEnv({ backend: ssh(testServer({ key: undefined as never })) });
        expect((await env.exec("echo via-agent")).stdout).toBe("via-agent\n");
      } finally {
        if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
        else process.env.SSH_AUTH_SOCK = saved;
      }
    } finally {
      agent.kill();
    }
  });

  it("resolves a host alias from an OpenSSH config file: HostName, User, Port, IdentityFile", async () => {
    const config = join(dir, "ssh_config");
    await writeFile(
      config,
      `Host other\n  HostName 192.0.2.9\n\nHost hermes-test\n  HostName 127.0.0.1\n  User hermes\n  Port ${sshPort}\n  IdentityFile ${sshDir}/id_ed25519\n`,
    );
    await using env = await createEnv({
      backend: ssh({ host: "hermes-test", sshConfigFile: config, knownHostsFile: `${sshDir}/known_hosts` }),
    });
    expect((await env.exec("whoami; echo ${SSH_CONNECTION##* }")).stdout).toBe(`hermes\n${sshPort}\n`);
  });

  it("goes through a jump host (ProxyJump), checking both host keys", async () => {
    await using direct = await createEnv({ backend: ssh(testServer()) });
    await using jumped = await createEnv({ backend: ssh(testServer({ proxyJump: `hermes@127.0.0.1:${sshPort}` })) });
    // Who owns the client end of each connection: this process when direct, the jump host's sshd when jumped.
    expect(await clientProcess((await direct.exec("echo $SSH_CONNECTION")).stdout)).toEqual({ name: expect.any(String), pid: process.pid });
    expect(await clientProcess((await jumped.exec("echo $SSH_CONNECTION")).stdout)).toMatchObject({ name: "sshd" });
  });

  it("fails fast and retryably when nothing listens", async () => {
    const env = await createEnv({ backend: ssh(testServer({ port: 1, connectTimeoutMs: 3000 })) });
    const error = await env.exec("true").catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as BackendUnavailableError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/cannot connect to hermes@127\.0\.0\.1:1: ECONNREFUSED/);
    await env.dispose();
  });

  it("keeps copies of files it was given untouched", async () => {
    // The known_hosts file of the test server is only read, never written, unless trust on first use is on.
    const copy = join(dir, "pinned");
    await copyFile(`${sshDir}/known_hosts`, copy);
    await using env = await createEnv({ backend: ssh(testServer({ knownHostsFile: copy })) });
    await env.exec("true");
    expect(await readFile(copy, "utf8")).toBe(await readFile(`${sshDir}/known_hosts`, "utf8"));
  });
});

/** The program that owns the client side of a connection, from `$SSH_CONNECTION` (client ip, client port, ...). */
async function clientProcess(sshConnection: string): Promise<{ name: string; pid: number } | undefined> {
  const clientPort = sshConnection.trim().split(" ")[1];
  const { stdout } = await run("ss", ["-tnpH", "state", "established", `( sport = :${clientPort} )`]);
  const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(stdout);
  return match ? { name: match[1] as string, pid: Number(match[2]) } : undefined;
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("timed out waiting");
}
