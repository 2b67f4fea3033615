import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createPolicy, type PolicySettings } from "@hermes/core";
import { describe, expect, it } from "vitest";

interface Row {
  command: string;
  rule: string;
  expected: "allow" | "confirm" | "deny";
  why: string;
}

const rows: Row[] = readFileSync(fileURLToPath(new URL("./fixtures/policy-corpus.jsonl", import.meta.url)), "utf8")
  .split("\n")
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as Row);

/** The rows' policies, one rule each (the built-in floors always apply too). */
const configs: Record<string, PolicySettings> = {
  rm_rf_root: { forbid: ["rm_rf_root"] },
  chown_recursive: { forbid: ["chown_recursive"] },
  "allowed_commands=[bash,python3,pytest]": { allowed_commands: ["bash", "python3", "pytest"], authorized_commands_only: true },
  "sandbox_root=/tmp/sbx": { sandbox_root: "/tmp/sbx" },
};

/** The target's filesystem as the rows assume it: /tmp/sbx/link is a symlink to /etc. */
const links: Record<string, string> = { "/tmp/sbx/link": "/etc" };
const realpath = (path: string) => {
  for (const [link, target] of Object.entries(links))
    if (path === link || path.startsWith(`${link}/`)) return target + path.slice(link.length);
  return path;
};

describe("the policy over the labelled corpus (cwd /tmp/sbx, HOME /root)", () => {
  it("has every row's rule", () => {
    expect(rows).toHaveLength(141);
    for (const row of rows) expect(configs[row.rule], row.rule).toBeDefined();
  });

  it.each(rows.map((row) => [`${row.expected} under ${row.rule}: ${JSON.stringify(row.command)}`, row] as const))("%s", (_, row) => {
    const policy = createPolicy(configs[row.rule], { cwd: "/tmp/sbx", home: "/root", realpath });
    const decision = policy.evaluate({ action: "shell_exec", command: row.command });
    if (row.expected === "allow") expect(decision, `false positive: ${row.why}`).toMatchObject({ decision: "allow" });
    else expect(decision.decision, `fail-open: ${row.why}; reason given: ${decision.reason}`).not.toBe("allow");
    expect(decision.reason.length).toBeGreaterThan(0);
  });
});
