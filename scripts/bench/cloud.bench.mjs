// The cloud backends against the vendor SDK's own way of running a command (one call per command:
// Daytona's executeCommand, Vercel's runCommand, Modal's exec), on the same loopback fake in the same run, and the time
// from createEnv to a first result. The floor is a bare bash read loop over the backend's own transport (the
// vendor stream the session runs on) with no protocol. The fakes run commands in bubblewrap on this machine, so these figures
// are the SDK's and the protocol's cost, not a vendor's network.
import { execFileSync } from "node:child_process";
import { Daytona } from "@daytonaio/sdk";
import { daytona } from "@hermes/backend-cloud/daytona";
import { modal } from "@hermes/backend-cloud/modal";
import { startDaytonaFake, startModalFake, startVercelFake } from "@hermes/backend-cloud/testing";
import { rewritingFetch, vercelSandbox } from "@hermes/backend-cloud/vercel";
import { createEnv } from "@hermes/core";
import { Sandbox } from "@vercel/sandbox";
import { ModalClient } from "modal";
import { printFloorRatios, printTimings, sampleInterleaved, transportFloor } from "./measure.mjs";

export async function benchCloud({ iterations }) {
  try {
    execFileSync("bwrap", ["--version"]);
  } catch {
    if (process.env.CI === "true") throw new Error("CI=true but bubblewrap is missing: run scripts/services/bubblewrap.sh");
    console.log("\ncloud: skipped (bubblewrap is missing); run scripts/services/bubblewrap.sh");
    return;
  }
  const perCommand = Math.max(30, Math.round(iterations / 3));
  await benchVendor("daytona", perCommand, await daytonaSetup());
  await benchVendor("vercel-sandbox", perCommand, await vercelSetup());
  await benchVendor("modal", perCommand, await modalSetup());
}

async function benchVendor(name, perCommand, { backend, bare, baseline, close }) {
  const env = await createEnv({ backend: backend() });
  const sandbox = await bare.create();
  const floor = await transportFloor(backend());
  try {
    await env.start();
    const rows = {
      "raw bash loop, same stream (floor)": () => floor.trip("true"),
      "env.exec (session)": () => env.exec("true"),
      [baseline]: () => bare.run(sandbox, "true"),
    };
    const samples = await sampleInterleaved(rows, { iterations: perCommand, warmup: 3, block: 10 });
    printTimings(`${name}: per-command cost of \`true\` on one sandbox of the fake (${perCommand} runs each)`, samples, baseline);
    await printFloorRatios(`${name}: against the floor, the same vendor stream with no protocol`, {
      rows,
      samples,
      floor: "raw bash loop, same stream (floor)",
      count: perCommand,
    });

    const coldRuns = 10;
    const cold = { "SDK create + one command": [], "createEnv to first exec result": [] };
    for (let i = 0; i < coldRuns; i++) {
      let begin = performance.now();
      const fresh = await bare.create();
      await bare.run(fresh, "true");
      cold["SDK create + one command"].push(performance.now() - begin);
      await bare.remove(fresh);
      begin = performance.now();
      const freshEnv = await createEnv({ backend: backend() });
      await freshEnv.exec("true");
      cold["createEnv to first exec result"].push(performance.now() - begin);
      await freshEnv.dispose();
    }
    printTimings(`${name}: create to first result (${coldRuns} runs each)`, cold, "SDK create + one command");
  } finally {
    await floor.close();
    await env.dispose();
    await bare.remove(sandbox);
    await close();
  }
}

async function daytonaSetup() {
  const apiKey = "bench-key";
  const fake = await startDaytonaFake({ apiKey });
  const client = new Daytona({ apiKey, apiUrl: fake.apiUrl });
  return {
    backend: () => daytona({ apiKey, apiUrl: fake.apiUrl }),
    baseline: "SDK executeCommand per command",
    bare: {
      create: () => client.create(),
      run: (sandbox, command) => sandbox.process.executeCommand(command),
      remove: (sandbox) => sandbox.delete(),
    },
    close: () => fake.close(),
  };
}

async function vercelSetup() {
  const credentials = { token: "bench-token", teamId: "team_bench", projectId: "prj_bench" };
  const fake = await startVercelFake(credentials);
  const access = { ...credentials, fetch: rewritingFetch(fake.url) };
  return {
    backend: () => vercelSandbox({ ...credentials, apiUrl: fake.url }),
    baseline: "SDK runCommand bash -c per command",
    bare: {
      create: () => Sandbox.create(access),
      run: (sandbox, command) => sandbox.runCommand("bash", ["-c", command]),
      remove: (sandbox) => sandbox.delete(),
    },
    close: () => fake.close(),
  };
}

async function modalSetup() {
  const credentials = { tokenId: "ak-bench", tokenSecret: "as-bench" };
  const fake = await startModalFake(credentials);
  // As a user's program points the bare SDK at a server: MODAL_SERVER_URL, read when the client is built.
  process.env.MODAL_SERVER_URL = fake.url;
  const client = new ModalClient({ ...credentials, logLevel: "error" });
  delete process.env.MODAL_SERVER_URL;
  const app = await client.apps.fromName("hermes-bench", { createIfMissing: true });
  return {
    backend: () => modal({ ...credentials, apiUrl: fake.url }),
    baseline: "SDK exec bash -c per command",
    bare: {
      create: () => client.sandboxes.create(app, client.images.fromRegistry("debian:12")),
      run: async (sandbox, command) => {
        const exec = await sandbox.exec(["bash", "-c", command]);
        await Promise.all([exec.stdout.readText(), exec.stderr.readText()]);
        return exec.wait();
      },
      remove: (sandbox) => sandbox.terminate(),
    },
    close: async () => {
      client.close();
      await fake.close();
    },
  };
}
