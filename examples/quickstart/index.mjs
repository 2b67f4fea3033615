// A tour of @hermes/core on the local backend: run with `pnpm demo` from the repository root.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnv } from "@hermes/core";

const sandbox = await mkdtemp(join(tmpdir(), "hermes-quickstart-"));
const step = (title) => console.log(`\n== ${title}`);

// No configuration file needed: with none, createEnv gives a local environment. Here we name the
// backend and give it a working area; the files API refuses paths outside it.
const env = await createEnv({ config: { backend: { default: "local", backends: { local: { type: "local", sandbox_root: sandbox } } } } });
env.on("session:restart", ({ reason }) => console.log(`   (session restarted: ${reason})`));

try {
  step("One persistent shell: cd and export carry over to the next command");
  await env.exec("mkdir -p project && cd project && export GREETING='hello from the session'");
  const where = await env.exec('echo "$GREETING, in $(basename "$PWD")"');
  console.log(`   ${where.stdout.trim()}   [exit ${where.exitCode}, ${where.durationMs.toFixed(1)} ms]`);

  step("Per-call cwd and env do not leak into the session");
  const scoped = await env.exec("echo $MODE in $PWD", { cwd: "/", env: { MODE: "scoped" } });
  const after = await env.exec('echo "MODE=${MODE:-unset} in $(basename "$PWD")"');
  console.log(`   ${scoped.stdout.trim()}  ->  then ${after.stdout.trim()}`);

  step("Output streams as it is produced");
  await env.exec("for i in 1 2 3; do echo tick $i; sleep 0.1; done", { onStdout: (text) => process.stdout.write(`   > ${text}`) });

  step("A timeout ends the command's whole process tree; the session survives");
  const slow = await env.exec("sleep 30 & sleep 30; echo never", { timeoutMs: 300 });
  const still = await env.exec('echo "still in $(basename "$PWD") with GREETING=$GREETING"');
  console.log(`   timedOut=${slow.timedOut} signal=${slow.signal}; ${still.stdout.trim()}`);

  step("exit and set -e inside a command do not end the environment");
  const exited = await env.exec("set -e; false; echo unreachable");
  console.log(`   exit code ${exited.exitCode}; next command runs in ${(await env.exec("pwd")).stdout.trim()}`);

  step("Files: binary-safe, relative to the session's cwd, null when missing");
  await env.files.write("notes/todo.txt", "write the docs\n");
  console.log(
    `   ${JSON.stringify(await env.files.readText("notes/todo.txt"))} via files; via the shell: ${(await env.exec("cat notes/todo.txt")).stdout.trim()}`,
  );
  console.log(`   missing file -> ${await env.files.read("nope.txt")}`);
  const outside = await env.files.read("/etc/passwd").catch((error) => error);
  console.log(`   /etc/passwd -> ${outside.name}: ${outside.message.split("\n")[0]}`);

  step("Background processes with streamed output and stdin");
  const upper = await env.spawn("tr a-z A-Z");
  await upper.write("shout this\n");
  await upper.closeStdin();
  for await (const text of upper.stdout) process.stdout.write(`   > ${text}`);
  console.log(`   exit ${(await upper.wait()).exitCode}`);

  const status = await env.status();
  console.log(`\n${status.commandsRun} commands on backend "${status.backend}" (${status.type}), state ${status.state}`);
} finally {
  await env.dispose(); // ends every process the environment started, background ones included
  await rm(sandbox, { recursive: true, force: true });
}
