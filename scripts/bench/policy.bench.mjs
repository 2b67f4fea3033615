// The policy engine's cost per command: `evaluate` over the labelled corpora (every rule on), against the
// regex denylist over the raw string that naive tools use (fast, and fooled by most of the corpus).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createPolicy } from "@hermes/core";
import { formatMs, percentile } from "./measure.mjs";

// The shared corpus and the project's rows by class.
const corpora = ["policy-corpus.jsonl", "policy-classes.jsonl"].map((name) =>
  fileURLToPath(new URL(`../../packages/core/test/fixtures/${name}`, import.meta.url)),
);
const commands = corpora.flatMap((corpus) =>
  readFileSync(corpus, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line).command),
);

/** A denylist of the kind Hermes and others ship: patterns on the raw text. */
const patterns = [
  /\brm\s+-[a-z]*r[a-z]*f?\s+\/(\s|$)/,
  /\bchown\s+-R\b/,
  /\bmkfs\b/,
  /\bdd\s+.*of=\/dev\//,
  /:\(\)\s*\{\s*:\|:&\s*\};:/,
  /\bkill\s+-9\s+-1\b/,
  /\b(shutdown|reboot)\b/,
];
const byRegex = (command) => patterns.some((pattern) => pattern.test(command));

/** Microseconds per command for each command, median over rounds. */
function perCommand(fn, rounds) {
  const samples = [];
  for (const command of commands) {
    const times = [];
    for (let round = 0; round < rounds; round++) {
      const start = process.hrtime.bigint();
      fn(command);
      times.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    samples.push(percentile(times, 50));
  }
  return samples;
}

export async function benchPolicy() {
  const policy = createPolicy(
    {
      forbid: ["rm_rf_root", "chown_recursive"],
      allowed_commands: ["bash", "python3", "pytest"],
      sandbox_root: "/tmp/sbx",
      require_confirm: ["write_file"],
    },
    { cwd: "/tmp/sbx", home: "/root", realpath: (path) => path },
  );
  const evaluate = (command) => policy.evaluate({ action: "shell_exec", command });
  perCommand(evaluate, 20);
  perCommand(byRegex, 20);
  const regex = perCommand(byRegex, 50);
  const parsed = perCommand(evaluate, 50);
  const median = percentile(parsed, 50);
  console.log(`\npolicy: evaluate() per command over the ${commands.length}-command corpus, every rule on`);
  console.log(`  ${"".padEnd(34)}${"median".padStart(10)}${"p95".padStart(10)}${"max".padStart(10)}`);
  for (const [name, values] of [
    ["regex denylist on the raw string", regex],
    ["policy.evaluate (parsed)", parsed],
  ]) {
    console.log(
      `  ${name.padEnd(34)}${formatMs(percentile(values, 50) / 1000).padStart(10)}${formatMs(percentile(values, 95) / 1000).padStart(10)}${formatMs(Math.max(...values) / 1000).padStart(10)}`,
    );
  }
  console.log(
    `  evaluate is ${(median / percentile(regex, 50)).toFixed(0)}x the regex's cost; target median under 100 µs: ${median < 100 ? "met" : "MISSED"}`,
  );
}
