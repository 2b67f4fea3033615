import { createHash, createHmac } from "node:crypto";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Host key checking against OpenSSH `known_hosts` files, shared by the ssh backend and the docker backend's
 * `ssh://` engines: plain and hashed (`|1|salt|hash`) host names, `[host]:port` for other ports, `*`/`?`
 * patterns and `!` negations, `@revoked` lines. `@cert-authority` lines are not supported and are ignored.
 */
export type HostKeyStatus = "match" | "unknown" | "changed" | "revoked";

export interface HostKeyCheck {
  status: HostKeyStatus;
  /** The file and line of the entry that decided, for "match", "changed" and "revoked". */
  file?: string;
  line?: number;
}

interface KnownHostEntry {
  file: string;
  line: number;
  marker: "" | "@revoked" | "@cert-authority";
  patterns: string;
  keyType: string;
  key: Buffer;
}

/** The name known_hosts uses for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** `SHA256:...` as `ssh-keygen -l` prints it. */
export function keyFingerprint(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

/** The algorithm name inside an SSH public key blob, e.g. `ssh-ed25519`. */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return "";
  const length = key.readUInt32BE(0);
  return key.subarray(4, 4 + length).toString("latin1");
}

/** Key types `files` know for the host (to ask the server for one of those first). */
export async function knownKeyTypes(files: readonly string[], host: string, port: number): Promise<string[]> {
  const name = knownHostName(host, port);
  const entries = await readEntries(files);
  return [...new Set(entries.filter((entry) => entry.marker === "" && matchesHost(entry.patterns, name)).map((entry) => entry.keyType))];
}

/** Checks a server's key against the files, in order, as OpenSSH does: a revoked key or a different key of the same type fails. */
export async function checkHostKey(files: readonly string[], host: string, port: number, key: Buffer): Promise<HostKeyCheck> {
  const name = knownHostName(host, port);
  const type = keyTypeOf(key);
  const entries = (await readEntries(files)).filter((entry) => matchesHost(entry.patterns, name));
  const revoked = entries.find((entry) => entry.marker === "@revoked" && entry.key.equals(key));
  if (revoked) return { status: "revoked", file: revoked.file, line: revoked.line };
  const plain = entries.filter((entry) => entry.marker === "");
  const match = plain.find((entry) => entry.key.equals(key));
  if (match) return { status: "match", file: match.file, line: match.line };
  const other = plain.find((entry) => entry.keyType === type);
  if (other) return { status: "changed", file: other.file, line: other.line };
  return { status: "unknown" };
}

/** Records a key (trust on first use), hashed like `HashKnownHosts yes` so the file does not list the hosts visited. */
export async function addKnownHost(file: string, host: string, port: number, key: Buffer): Promise<void> {
  const salt = createHash("sha1").update(`${Date.now()}${Math.random()}`).digest();
  const hash = createHmac("sha1", salt).update(knownHostName(host, port)).digest("base64");
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await appendFile(file, `|1|${salt.toString("base64")}|${hash} ${keyTypeOf(key)} ${key.toString("base64")}\n`, { mode: 0o600 });
}

async function readEntries(files: readonly string[]): Promise<KnownHostEntry[]> {
  const entries: KnownHostEntry[] = [];
  for (const file of files) {
    const text = await readFile(file, "utf8").catch(() => "");
    text.split("\n").forEach((raw, index) => {
      const fields = raw.trim().split(/\s+/);
      if (fields.length < 3 || fields[0]?.startsWith("#")) return;
      const marker = fields[0]?.startsWith("@") ? (fields.shift() as KnownHostEntry["marker"]) : "";
      const [patterns = "", keyType = "", encoded = ""] = fields;
      if (!encoded) return;
      entries.push({ file, line: index + 1, marker, patterns, keyType, key: Buffer.from(encoded, "base64") });
    });
  }
  return entries;
}

/** Whether a comma-separated pattern list matches the name; a matching `!pattern` excludes it. */
function matchesHost(patterns: string, name: string): boolean {
  let matched = false;
  for (const pattern of patterns.split(",")) {
    if (pattern.startsWith("|1|")) {
      if (hashedMatches(pattern, name)) matched = true;
    } else if (pattern.startsWith("!")) {
      if (globMatches(pattern.slice(1), name)) return false;
    } else if (globMatches(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

function hashedMatches(pattern: string, name: string): boolean {
  const [, , salt = "", hash = ""] = pattern.split("|");
  return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
}

function globMatches(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, "i").test(name);
}
