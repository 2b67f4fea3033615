// The router's switching cost: `select()` against the same rules written by hand as an if-chain, and the
// overhead a routed environment adds to an `exec` on the local backend against a bare Environment.
import { fileURLToPath } from "node:url";
import { local } from "@hermes/backend-local";
import { createEnv, createRouter, Environment, loadConfig } from "@hermes/core";
import { percentile, printTimings, sampleInterleaved } from "./measure.mjs";

/** The seed configuration of the routing issue. */
const seed = fileURLToPath(new URL("../../examples/routing/hermes.yaml", import.meta.url));

const tasks = [
  { kind: "data_processing", sizeMb: 900 },
  { kind: "test", language: "python" },
  { kind: "lint", cronTriggered: true },
  { kind: "code_edit" },
  { kind: "docs" },
];

/** The seed's rules as a hand-written function: the least a router can cost. */
function byHand(task) {
  if (task.kind === "data_processing" && task.sizeMb > 500) return "modal";
  if (task.kind === "test" && task.language?.toLowerCase() === "python") return "docker";
  if (task.cronTriggered) {
    const now = task.at ?? new Date();
    const minute = now.getHours() * 60 + now.getMinutes();
    if (minute >= 60 && minute < 360) return "ssh-home";
  }
  if (task.kind === "code_edit") return "local";
  return "local";
}

/** Nanoseconds per call of `fn` over the tasks, median of several rounds. */
function nsPerCall(fn, rounds = 15, calls = 50_000) {
  const results = [];
  let sink = 0;
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) sink += fn(tasks[i % tasks.length]).length;
    results.push(Number(process.hrtime.bigint() - start) / calls);
  }
  if (sink === 0) throw new Error("unreachable");
  return percentile(results, 50);
}

export async function benchRouter({ iterations }) {
  const config = await loadConfig(seed);
  const router = createRouter(config);
  nsPerCall(byHand, 3);
  nsPerCall((task) => router.select(task).backend, 3);
  const hand = nsPerCall(byHand);
  const routed = nsPerCall((task) => router.select(task).backend);
  console.log("\nrouter: select() over the seed configuration's rules (5 kinds of task)");
  console.log(`  hand-written if-chain (baseline)     ${(hand / 1000).toFixed(3)} µs`);
  console.log(
    `  router.select()                      ${(routed / 1000).toFixed(3)} µs   ${(routed / hand).toFixed(1)}x the baseline; target under 10 µs: ${routed < 10_000 ? "met" : "MISSED"}`,
  );

  const bare = new Environment(local(), { backendName: "local" });
  const routedEnv = await createEnv({ config: seed, usage: false });
  try {
    await Promise.all([bare.start(), routedEnv.start()]);
    const samples = await sampleInterleaved(
      {
        "Environment (no router)": () => bare.exec("true"),
        "routed createEnv (seed config)": () => routedEnv.exec("true", { task: { kind: "code_edit" } }),
      },
      { iterations: Math.max(iterations, 1000), block: 50 },
    );
    printTimings(
      "router: exec of `true` on the local backend, with and without the routed environment",
      samples,
      "Environment (no router)",
    );
    const overhead = percentile(samples["routed createEnv (seed config)"], 50) / percentile(samples["Environment (no router)"], 50) - 1;
    console.log(`  overhead of routing: ${(overhead * 100).toFixed(1)}%; target under 5%: ${overhead < 0.05 ? "met" : "MISSED"}`);
  } finally {
    await Promise.all([bare.dispose(), routedEnv.dispose()]);
  }
}
