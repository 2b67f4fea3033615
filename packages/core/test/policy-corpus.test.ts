import { createPolicy } from "@hermes/core";
import { describe, expect, it } from "vitest";
import { ruleConfigs as configs, readPolicyRows } from "./fixtures/policy-rows.js";

const rows = readPolicyRows("policy-corpus.jsonl");

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
