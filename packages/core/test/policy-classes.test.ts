import { createPolicy } from "@hermes/core";
import { describe, expect, it } from "vitest";
import { ruleConfigs as configs, readPolicyRows } from "./fixtures/policy-rows.js";

/**
 * The project's own labelled rows, by class of construct (`[hooks]`, `[arith]`, `[options]`, ...): attacks the
 * walk must see and benign commands it must let through, in the shared corpus's format. `floor` rows run under
 * no rule but the built-in floors.
 */
const rows = readPolicyRows("policy-classes.jsonl");

describe("the policy over the rows of each class (cwd /tmp/sbx, HOME /root)", () => {
  it("has a rule for every row, and both attacks and benign commands in every class", () => {
    const classes = new Map<string, Set<string>>();
    for (const row of rows) {
      expect(configs[row.rule], row.rule).toBeDefined();
      const name = /^\[([a-z-]+)\]/.exec(row.why)?.[1] ?? "";
      expect(name, row.why).not.toBe("");
      classes.set(name, (classes.get(name) ?? new Set()).add(row.expected === "allow" ? "benign" : "attack"));
    }
    for (const [name, kinds] of classes)
      if (!["walk", "procsub", "coproc"].includes(name)) expect([...kinds].sort(), name).toEqual(["attack", "benign"]);
  });

  it.each(rows.map((row) => [`${row.expected} under ${row.rule}: ${JSON.stringify(row.command)}`, row] as const))("%s", (_, row) => {
    const policy = createPolicy(configs[row.rule], { cwd: "/tmp/sbx", home: "/root", realpath: (path) => path });
    const decision = policy.evaluate({ action: "shell_exec", command: row.command });
    if (row.expected === "allow") expect(decision, `false positive: ${row.why}`).toMatchObject({ decision: "allow" });
    else if (row.expected === "deny") expect(decision.decision, `not denied: ${row.why}; reason given: ${decision.reason}`).toBe("deny");
    else expect(decision.decision, `fail-open: ${row.why}; reason given: ${decision.reason}`).not.toBe("allow");
    expect(decision.reason.length).toBeGreaterThan(0);
  });
});
