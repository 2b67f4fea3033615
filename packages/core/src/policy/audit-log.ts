import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { SecretRedactor } from "./redact-secrets.js";

/** The hash a chain starts from. */
const genesis = "sha256:0";

/**
 * The audit log: JSON lines, one `decision` and one `result` record per action, secrets redacted before
 * anything is hashed, each record carrying the hash of the previous one (`prev`) and its own (`hash`), so an
 * edited, removed or reordered record breaks the chain (`verifyAuditLog`). Appends are synchronous: a record
 * is on disk before the action runs. A chain proves partial tampering only: whoever can rewrite the whole
 * file can rebuild it; ship the file off the machine for more.
 */
export class AuditLog {
  private seq = 0;
  private prev = genesis;

  constructor(
    readonly file: string,
    private readonly redactor: SecretRedactor,
  ) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const last = lastLine(file);
    if (last) {
      const record = JSON.parse(last) as { seq: number; hash: string };
      this.seq = record.seq;
      this.prev = record.hash;
    }
  }

  /** Appends one record (strings redacted) and returns its sequence number. */
  append(event: "decision" | "result", fields: Record<string, unknown>): number {
    const body = { v: 1, seq: ++this.seq, ts: new Date().toISOString(), event, ...redactAll(fields, this.redactor), prev: this.prev };
    const hash = recordHash(body);
    appendFileSync(this.file, `${JSON.stringify({ ...body, hash })}\n`, { mode: 0o600 });
    this.prev = hash;
    return body.seq;
  }
}

export type AuditVerification = { ok: true; records: number } | { ok: false; line: number; problem: string };

/** Checks the chain of an audit log's text: names the first line that was edited, removed or moved. */
export function verifyAuditLog(text: string): AuditVerification {
  let prev = genesis;
  let seq = 0;
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (const [index, line] of lines.entries()) {
    const number = index + 1;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return { ok: false, line: number, problem: "not a JSON record" };
    }
    const { hash, ...body } = record;
    if (body.prev !== prev)
      return { ok: false, line: number, problem: "it does not follow the record before it (a record was removed, moved or inserted)" };
    if (body.seq !== seq + 1) return { ok: false, line: number, problem: `sequence ${String(body.seq)} where ${seq + 1} was expected` };
    if (hash !== recordHash(body))
      return { ok: false, line: number, problem: "its content does not match its hash (the record was edited)" };
    prev = hash as string;
    seq = body.seq as number;
  }
  return { ok: true, records: lines.length };
}

function recordHash(body: Record<string, unknown>): string {
  return `sha256:${createHash("sha256").update(canonicalJson(body)).digest("hex")}`;
}

/** JSON with object keys sorted at every level: the same record always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function redactAll(value: Record<string, unknown>, redactor: SecretRedactor): Record<string, unknown> {
  const walk = (item: unknown): unknown => {
    if (typeof item === "string") return redactor.redact(item);
    if (Array.isArray(item)) return item.map(walk);
    if (item && typeof item === "object") return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]));
    return item;
  };
  return walk(value) as Record<string, unknown>;
}

function lastLine(file: string): string | undefined {
  try {
    const text = readFileSync(file, "utf8").trimEnd();
    return text ? text.slice(text.lastIndexOf("\n") + 1) : undefined;
  } catch {
    return undefined;
  }
}
