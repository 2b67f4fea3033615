// `pnpm bench [name...]`: runs the benchmarks (all, or those named) and prints each against its baseline.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchCloud } from "./cloud.bench.mjs";
import { benchDocker } from "./docker.bench.mjs";
import { benchHpc } from "./hpc.bench.mjs";
import { benchLocal } from "./local.bench.mjs";
import { benchPolicy } from "./policy.bench.mjs";
import { benchRouter } from "./router.bench.mjs";
import { benchSsh } from "./ssh.bench.mjs";

const benches = {
  local: benchLocal,
  router: benchRouter,
  policy: benchPolicy,
  docker: benchDocker,
  ssh: benchSsh,
  hpc: benchHpc,
  cloud: benchCloud,
};
const iterations = Number(process.env.BENCH_ITERATIONS ?? 300);
const selected = process.argv.slice(2);
for (const name of selected) if (!(name in benches)) throw new Error(`unknown benchmark ${name}; have ${Object.keys(benches).join(", ")}`);

// The benchmarks' commands are no one's usage: it is recorded in a directory removed at the end.
const home = mkdtempSync(join(tmpdir(), "hermes-bench-home-"));
process.env.HERMES_HOME = home;
process.on("exit", () => rmSync(home, { recursive: true, force: true }));

console.log(`node ${process.version}, ${iterations} iterations per timing`);
for (const [name, run] of Object.entries(benches)) {
  if (selected.length === 0 || selected.includes(name)) await run({ iterations });
}
