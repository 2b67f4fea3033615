import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addKnownHost, checkHostKey, keyFingerprint, keyTypeOf, knownHostName, knownKeyTypes } from "./known-hosts.js";

const run = promisify(execFile);

/** A public key blob of the given type (the checks compare blobs; they never parse the key material). */
function blob(type: string): Buffer {
  const name = Buffer.from(type);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  return Buffer.concat([length, name, randomBytes(32)]);
}

describe("known_hosts checks", () => {
  let dir: string;
  const ed = blob("ssh-ed25519");
  const ed2 = blob("ssh-ed25519");
  const rsa = blob("ssh-rsa");
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hermes-known-hosts-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("names hosts as OpenSSH does and reads the key type and fingerprint", () => {
    expect(knownHostName("example.com", 22)).toBe("example.com");
    expect(knownHostName("127.0.0.1", 2222)).toBe("[127.0.0.1]:2222");
    expect(keyTypeOf(ed)).toBe("ssh-ed25519");
    expect(keyFingerprint(ed)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it("matches plain, bracketed, pattern and negated entries; a different key of the same type is a change", async () => {
    const file = join(dir, "plain");
    await writeFile(
      file,
      [
        "# comment",
        `example.com,192.0.2.1 ssh-ed25519 ${ed.toString("base64")} me@host`,
        `[127.0.0.1]:2222 ssh-ed25519 ${ed.toString("base64")}`,
        `*.internal,!secret.internal ssh-rsa ${rsa.toString("base64")}`,
        "",
      ].join("\n"),
    );
    expect(await checkHostKey([file], "example.com", 22, ed)).toEqual({ status: "match", file, line: 2 });
    expect(await checkHostKey([file], "192.0.2.1", 22, ed)).toMatchObject({ status: "match" });
    expect(await checkHostKey([file], "127.0.0.1", 2222, ed)).toMatchObject({ status: "match", line: 3 });
    expect(await checkHostKey([file], "127.0.0.1", 22, ed)).toEqual({ status: "unknown" });
    expect(await checkHostKey([file], "example.com", 22, ed2)).toEqual({ status: "changed", file, line: 2 });
    expect(await checkHostKey([file], "example.com", 22, rsa)).toEqual({ status: "unknown" });
    expect(await checkHostKey([file], "db.internal", 22, rsa)).toMatchObject({ status: "match", line: 4 });
    expect(await checkHostKey([file], "secret.internal", 22, rsa)).toEqual({ status: "unknown" });
    expect(await knownKeyTypes([file], "example.com", 22)).toEqual(["ssh-ed25519"]);
  });

  it("refuses a revoked key even when another line accepts it", async () => {
    const file = join(dir, "revoked");
    await writeFile(file, `@revoked * ssh-ed25519 ${ed.toString("base64")}\nexample.com ssh-ed25519 ${ed.toString("base64")}\n`);
    expect(await checkHostKey([file], "example.com", 22, ed)).toEqual({ status: "revoked", file, line: 1 });
  });

  it("writes hashed entries it can read back, and that ssh-keygen finds", async () => {
    const file = join(dir, "hashed");
    await addKnownHost(file, "127.0.0.1", 2222, ed);
    expect(await readFile(file, "utf8")).toMatch(/^\|1\|[^ ]+ ssh-ed25519 /);
    expect(await checkHostKey([file], "127.0.0.1", 2222, ed)).toMatchObject({ status: "match" });
    expect(await checkHostKey([file], "127.0.0.2", 2222, ed)).toEqual({ status: "unknown" });
    // ssh-keygen comes with openssh-client (scripts/services/sshd.sh installs it).
    expect((await run("ssh-keygen", ["-F", "[127.0.0.1]:2222", "-f", file])).stdout).toContain("found: line 1");
  });

  it("reads entries OpenSSH hashed itself", async () => {
    const file = join(dir, "by-openssh");
    await writeFile(file, `example.org ssh-ed25519 ${ed.toString("base64")}\n`);
    await run("ssh-keygen", ["-H", "-f", file]);
    expect(await readFile(file, "utf8")).toMatch(/^\|1\|/);
    expect(await checkHostKey([file], "example.org", 22, ed)).toMatchObject({ status: "match" });
  });
});
