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

/**
 * The project's own labelled rows, by class of construct (`[hooks]`, `[arith]`, `[options]`, ...): attacks the
 * walk must see and benign commands it must let through, in the shared corpus's format. `floor` rows run under
 * no rule but the built-in floors.
 */
const rows: Row[] = readFileSync(fileURLToPath(new URL("./fixtures/policy-classes.jsonl", import.meta.url)), "utf8")
  .split("\n")
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as Row);

const configs: Record<string, PolicySettings> = {
  floor: {},
  rm_rf_root: { forbid: ["rm_rf_root"] },
  chown_recursive: { forbid: ["chown_recursive"] },
  "allowed_commands=[bash,python3,pytest]": { allowed_commands: ["bash", "python3", "pytest"], authorized_commands_only: true },
  "sandbox_root=/tmp/sbx": { sandbox_root: "/tmp/sbx" },
};

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
