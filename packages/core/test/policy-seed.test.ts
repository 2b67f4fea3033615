import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ConfirmRequest, createEnv, loadConfig, PolicyDeniedError, verifyAuditLog } from "@hermes/core";
import { afterAll, describe, expect, it } from "vitest";

const seed = fileURLToPath(new URL("../../../examples/policy/hermes.yaml", import.meta.url));
const auditDirectory = join(process.env.HERMES_HOME as string, "audit");

afterAll(async () => {
  await rm("/tmp/hermes-sandbox", { recursive: true, force: true });
});

describe("the policy seed (examples/policy/hermes.yaml)", () => {
  it("loads as written, with the policy keys where users put them", async () => {
    const config = await loadConfig(seed);
    expect(config.policy).toEqual({
      requireConfirm: ["shell_exec", "write_file", "delete_file"],
      forbid: ["rm_rf_root", "chown_recursive"],
      logAllCommands: true,
    });
    expect(config.backends.ssh?.options).toMatchObject({ authorizedCommandsOnly: true, allowedCommands: ["bash", "python3", "pytest"] });
    expect(config.defaultBackend).toBe("local");
  });

  it("asks before commands and writes, never for a floor, confines to the sandbox, and audits it all", async () => {
    const asked: ConfirmRequest[] = [];
    const before = new Set(await readdir(auditDirectory).catch(() => []));
    {
      await using env = await createEnv({
        config: seed,
        usage: false,
        confirm: async (request) => {
          asked.push(request);
          return true;
        },
      });
      expect((await env.exec("echo hello > note.txt && pwd")).stdout).toBe("/tmp/hermes-sandbox\n");
      expect(await env.files.readText("note.txt")).toBe("hello\n");
      const floor = await env.exec("rm -rf /").catch((error: unknown) => error);
      expect(PolicyDeniedError.isInstance(floor) && floor.rule).toBe("rm_rf_root");
      const outside = await env.files.write("/etc/hermes-test", "x").catch((error: unknown) => error);
      expect(PolicyDeniedError.isInstance(outside) && outside.rule).toBe("sandbox_root");
    }
    // Only the command needed approval: reads are not in require_confirm, the floor and the sandbox deny outright.
    expect(asked.map((request) => request.action.action)).toEqual(["shell_exec"]);
    const written = (await readdir(auditDirectory)).filter((name) => !before.has(name));
    expect(written).toHaveLength(1);
    const log = await readFile(join(auditDirectory, written[0] as string), "utf8");
    // Two records for the command and for the read (decision, result), one for each denial.
    expect(verifyAuditLog(log)).toEqual({ ok: true, records: 6 });
    expect(log).toContain('"outcome":"approved"');
    expect(log).toContain('"rule":"rm_rf_root"');
  });
});
