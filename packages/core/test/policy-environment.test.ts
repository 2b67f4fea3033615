import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ConfirmRequest, createEnv, HermesError, PolicyDeniedError, verifyAuditLog } from "@hermes/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hermes-policy-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The seed of the policy issue, with the sandbox in this test's directory. */
function seed(global: Record<string, unknown> = {}) {
  return {
    backend: {
      default: "local",
      global: { forbid: ["rm_rf_root", "chown_recursive"], ...global },
      backends: { local: { type: "local", sandbox_root: join(dir, "sbx") } },
    },
  };
}

async function denial(promise: Promise<unknown>): Promise<PolicyDeniedError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(PolicyDeniedError.isInstance(error), String(error)).toBe(true);
  return error as PolicyDeniedError;
}

describe("createEnv with a policy from configuration", () => {
  it("refuses a forbidden command with the rule and a reason, and runs nothing of it", async () => {
    await using env = await createEnv({ config: seed(), usage: false });
    const error = await denial(env.exec("touch ran-anyway && rm -rf /"));
    expect(error.rule).toBe("rm_rf_root");
    expect(error.reason).toMatch(/recursively delete \//);
    expect(await env.files.stat("ran-anyway")).toBeNull();
    expect((await env.exec("echo fine")).stdout).toBe("fine\n");
  });

  it("confines writes of commands and of the files API to the sandbox root, by path component", async () => {
    await using env = await createEnv({ config: seed(), usage: false });
    expect((await denial(env.exec(`echo x > ${join(dir, "sbx2")}/y`))).rule).toBe("sandbox_root");
    expect((await denial(env.exec("cd .. && touch escaped"))).rule).toBe("sandbox_root");
    expect((await denial(env.files.write(join(dir, "outside.txt"), "x"))).rule).toBe("sandbox_root");
    await env.exec("mkdir -p inner && echo ok > inner/file");
    expect(await env.files.readText("inner/file")).toBe("ok\n");
  });

  it("refuses a denied command before starting a backend for it: no connection is even tried", async () => {
    const config = { backend: { backends: { far: { type: "ssh", host: "hermes-test.invalid", allowed_commands: ["pytest"] } } } };
    await using env = await createEnv({ config, usage: false });
    const error = await denial(env.exec("curl -s http://example.invalid"));
    expect(error.rule).toBe("allowed_commands");
    expect((await env.status()).state).toBe("created");
    // An allowed command does start the backend, which fails here (no key, no such host) as it should.
    const started = await env.exec("pytest -q").catch((caught: unknown) => caught);
    expect(PolicyDeniedError.isInstance(started)).toBe(false);
    expect(HermesError.isInstance(started)).toBe(true);
  });

  it("asks the confirm callback for require_confirm kinds, with the action, the facts and a signal", async () => {
    const requests: ConfirmRequest[] = [];
    await using env = await createEnv({
      config: seed({ require_confirm: ["shell_exec"] }),
      usage: false,
      confirm: async (request) => {
        requests.push(request);
        return request.action.action === "shell_exec" && request.action.command.startsWith("echo");
      },
    });
    expect((await env.exec("echo approved")).stdout).toBe("approved\n");
    expect(requests[0]).toMatchObject({
      action: { action: "shell_exec", command: "echo approved" },
      decision: { decision: "confirm", rule: "require_confirm.shell_exec" },
      actionHash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      backend: "local",
    });
    expect(requests[0]?.signal).toBeInstanceOf(AbortSignal);
    const error = await denial(env.exec("touch refused"));
    expect(error.reason).toMatch(/not approved: refused/);
    expect(await env.files.stat("refused")).toBeNull();
  });

  it("denies what needs confirmation when there is no callback, on timeout, and when the callback throws", async () => {
    const config = seed({ require_confirm: ["shell_exec"] });
    await using silent = await createEnv({ config, usage: false });
    expect((await denial(silent.exec("true"))).reason).toMatch(/no confirm callback/);
    let withdrawn: AbortSignal | undefined;
    await using slow = await createEnv({
      config,
      usage: false,
      confirmTimeoutMs: 200,
      confirm: (request) => {
        withdrawn = request.signal;
        return new Promise(() => {});
      },
    });
    expect((await denial(slow.exec("true"))).reason).toMatch(/no answer within 0.2s/);
    expect(withdrawn?.aborted).toBe(true);
    await using broken = await createEnv({
      config,
      usage: false,
      confirm: async () => {
        throw new Error("the UI crashed");
      },
    });
    expect((await denial(broken.exec("true"))).reason).toMatch(/the confirm callback failed \(the UI crashed\)/);
  });

  it("runs only the action that was approved: a change meanwhile (the session's cwd) refuses it", async () => {
    await using env = await createEnv({
      config: seed({ require_confirm: ["write_file"] }),
      usage: false,
      confirm: async () => {
        // While the person decides, another call moves the session elsewhere in the sandbox.
        await env.exec("mkdir -p elsewhere && cd elsewhere");
        return true;
      },
    });
    const error = await denial(env.files.write("notes.txt", "x"));
    expect(error.reason).toMatch(/changed after it was approved/);
    expect(await env.files.stat("notes.txt")).toBeNull();
  });

  it("writes a hash-chained audit log without the secrets, whose tampering is detected", async () => {
    const log = join(dir, "audit.jsonl");
    process.env.HERMES_TEST_API_TOKEN = "s3cr3t-value-for-the-test";
    try {
      await using env = await createEnv({ config: seed({ log_all_commands: true, audit_log: log }), usage: false });
      await env.exec("echo s3cr3t-value-for-the-test");
      await env.exec("curl -s -H 'Authorization: Bearer abcdefgh12345678xyz' http://127.0.0.1:9 || true");
      await denial(env.exec("rm -rf /"));
      await env.files.write("a.txt", "x");
    } finally {
      delete process.env.HERMES_TEST_API_TOKEN;
    }
    const text = await readFile(log, "utf8");
    expect(text).not.toContain("s3cr3t-value-for-the-test");
    expect(text).not.toContain("abcdefgh12345678xyz");
    const records = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(records.map((record) => `${record.event}:${record.decision ?? record.exitCode ?? ""}`)).toEqual([
      "decision:allow",
      "result:0",
      "decision:allow",
      "result:0",
      "decision:deny",
      "decision:allow",
      "result:",
    ]);
    expect(records[4]).toMatchObject({ rule: "rm_rf_root", outcome: "denied", backend: "local" });
    expect(records[1]).toMatchObject({ durationMs: expect.any(Number) });
    expect(verifyAuditLog(text)).toEqual({ ok: true, records: 7 });

    const lines = text.trim().split("\n");
    const edited = [...lines];
    edited[2] = (edited[2] as string).replace('"decision":"allow"', '"decision":"deny"');
    expect(verifyAuditLog(edited.join("\n"))).toMatchObject({ ok: false, line: 3, problem: expect.stringMatching(/edited/) });
    const removed = lines.filter((_, index) => index !== 3);
    expect(verifyAuditLog(removed.join("\n"))).toMatchObject({ ok: false, line: 4 });
    const reordered = [lines[0], lines[2], lines[1], ...lines.slice(3)];
    expect(verifyAuditLog(reordered.join("\n"))).toMatchObject({ ok: false, line: 2 });
    await writeFile(log, `${edited.join("\n")}\n`);
  });
});
