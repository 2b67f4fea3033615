// The ssh backend against what users do today: `ssh -o ControlMaster=auto -o ControlPersist=60 HOST bash -c CMD`
// per command (a multiplexed connection, a new channel and login shell each time), and a cold `ssh HOST true`
// for connection setup. Same server (scripts/services/sshd.sh), same key, same run.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ssh } from "@hermes/backend-ssh";
import { createEnv } from "@hermes/core";
import {
  outputScript,
  printFloorRatios,
  printThroughput,
  printTimings,
  rawLoop,
  rawRoundTrips,
  sampleInterleaved,
  streamFromProgram,
  warmJit,
} from "./measure.mjs";

const run = promisify(execFile);
const sshDir = process.env.HERMES_SSH_TEST_DIR ?? "/var/lib/hermes-sshd";
const port = 2222;
const megabytes = 100;
const server = { host: "127.0.0.1", port, user: "hermes", key: `${sshDir}/id_ed25519`, knownHostsFile: `${sshDir}/known_hosts` };

/** The OpenSSH client's arguments for the same server, key and pinned host key. */
function sshArgs(extra) {
  return [
    ...["-p", String(port), "-i", server.key, "-o", `UserKnownHostsFile=${server.knownHostsFile}`],
    ...["-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-F", "/dev/null"],
    ...extra,
    `${server.user}@${server.host}`,
  ];
}

export async function benchSsh({ iterations }) {
  const missing = !existsSync(server.key) ? `no test key in ${sshDir}` : await reachable();
  if (missing) {
    if (process.env.CI === "true") throw new Error(`CI=true but ${missing}`);
    console.log(`\nssh: skipped (${missing}); run scripts/services/sshd.sh`);
    return;
  }
  const controlDir = await mkdtemp(join(tmpdir(), "hermes-bench-ssh-"));
  const multiplexed = sshArgs(["-o", "ControlMaster=auto", "-o", "ControlPersist=60", "-o", `ControlPath=${controlDir}/%C`]);
  const env = await createEnv({ backend: ssh(server) });
  try {
    await env.start();
    const perCommand = Math.max(30, Math.round(iterations / 3));
    const floor = await rawChannel();
    const rows = {
      "raw bash loop, ssh channel (floor)": () => floor.trip("true"),
      "env.exec (session)": () => env.exec("true"),
      "ssh ControlMaster bash -c": () => run("ssh", [...multiplexed, "bash", "-c", "true"]),
    };
    await warmJit(() => env.exec("true"), 1000);
    const samples = await sampleInterleaved(rows, { iterations: perCommand, warmup: 3, block: 10 });
    printTimings(`ssh: per-command overhead of \`true\` on one server (${perCommand} runs each)`, samples, "ssh ControlMaster bash -c");
    await printFloorRatios("ssh: against the floor, the same kind of channel with no protocol", {
      rows,
      samples,
      floor: "raw bash loop, ssh channel (floor)",
      count: perCommand,
    });
    floor.close();

    const coldRuns = 15;
    const cold = { "ssh HOST true (cold)": [], "createEnv to first exec result": [] };
    for (let i = 0; i < coldRuns; i++) {
      let begin = performance.now();
      await run("ssh", [...sshArgs([]), "true"]);
      cold["ssh HOST true (cold)"].push(performance.now() - begin);
      begin = performance.now();
      const fresh = await createEnv({ backend: ssh(server) });
      await fresh.exec("true");
      cold["createEnv to first exec result"].push(performance.now() - begin);
      await fresh.dispose();
    }
    printTimings(`ssh: connection setup (${coldRuns} runs each)`, cold, "ssh HOST true (cold)");

    const script = outputScript(megabytes);
    await printThroughput(`ssh: ${megabytes} MB of output through one command, streamed to a callback`, megabytes, {
      "ssh ControlMaster bash -c": streamFromProgram("ssh", [...multiplexed, "bash", "-c", JSON.stringify(script)]),
      "env.exec (session)": (onData) => env.exec(script, { onStdout: onData, timeoutMs: 600_000 }),
    });
  } finally {
    await env.dispose();
    await run("ssh", [...multiplexed, "-O", "exit"]).catch(() => {});
    await rm(controlDir, { recursive: true, force: true });
  }
}

async function reachable() {
  try {
    await run("ssh", [...sshArgs(["-o", "ConnectTimeout=5"]), "true"]);
    return undefined;
  } catch (error) {
    return `no ssh test server on 127.0.0.1:${port} (${error.message.split("\n")[0]})`;
  }
}

/** The floor: a bare bash read loop on one exec channel of an ssh2 connection (the library the backend uses). */
async function rawChannel() {
  const { Client } = createRequire(new URL("../../packages/backend-ssh/package.json", import.meta.url))("ssh2");
  const client = new Client();
  await new Promise((resolve, reject) => {
    client.once("ready", resolve).once("error", reject);
    // As the backend does: without it, Nagle against the server's delayed ACK costs 40 ms a round trip.
    client.once("connect", () => client.setNoDelay(true));
    client.connect({ host: server.host, port, username: server.user, privateKey: readFileSync(server.key) });
  });
  const channel = await new Promise((resolve, reject) =>
    client.exec(`bash --noprofile --norc -c ${JSON.stringify(rawLoop)}`, (error, stream) => (error ? reject(error) : resolve(stream))),
  );
  return { trip: rawRoundTrips({ stdin: channel, stdout: channel }), close: () => client.end() };
}
