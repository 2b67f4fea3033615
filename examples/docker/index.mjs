// The docker backend in a few calls: `node index.mjs` (from the repository root: `node examples/docker/index.mjs`
// after `pnpm build`). Needs a Docker engine (DOCKER_HOST, else /var/run/docker.sock) and an image with bash:
// HERMES_DOCKER_IMAGE, default `hermes-test:bash` (CI's busybox + bash test image); a missing image is pulled.
// Exits non-zero when the environment does not behave as shown.
import { docker } from "@hermes/backend-docker";
import { createEnv } from "@hermes/core";

const image = process.env.HERMES_DOCKER_IMAGE ?? "hermes-test:bash";
const step = (title) => console.log(`\n== ${title}`);
const expect = (actual, expected, what) => {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
};

// A backend object from the backend package; nothing starts until the first call (or env.start()).
const env = await createEnv({ backend: docker({ image, network: "none", memoryMb: 512 }) });
env.on("progress", (event) => console.log(`   (${event.message})`));

try {
  step(`A container from ${image}, one persistent bash session in it`);
  const started = performance.now();
  await env.start();
  console.log(`   started in ${(performance.now() - started).toFixed(0)} ms; backend ${env.type}, isolation ${env.capabilities.isolation}`);

  step("cd and export carry over to the next command");
  await env.exec("mkdir -p /workspace/project && cd /workspace/project && export GREETING='hello from the container'");
  const where = await env.exec('echo "$GREETING, in $PWD"');
  console.log(`   ${where.stdout.trim()}   [exit ${where.exitCode}, ${where.durationMs.toFixed(1)} ms]`);
  expect(where.stdout.trim(), "hello from the container, in /workspace/project", "the session's state");

  step("Files through env.files, relative to the session's cwd");
  await env.files.write("notes/todo.txt", "written through env.files\n");
  const viaFiles = await env.files.readText("notes/todo.txt");
  const viaShell = (await env.exec("cat /workspace/project/notes/todo.txt")).stdout;
  console.log(`   files: ${JSON.stringify(viaFiles)}; shell: ${JSON.stringify(viaShell)}`);
  expect(viaFiles, "written through env.files\n", "readText");
  expect(viaShell, "written through env.files\n", "cat in the container");
  expect(await env.files.read("notes/missing.txt"), null, "a missing file");

  step("A failing command is a result, not an exception; the session goes on");
  const failed = await env.exec("ls /no/such/dir");
  console.log(`   exit ${failed.exitCode}: ${failed.stderr.trim()}`);
  expect(failed.exitCode !== 0, true, "a failing command's exit code");
  expect((await env.exec("pwd")).stdout.trim(), "/workspace/project", "the cwd after a failure");
} finally {
  await env.dispose(); // removes the container and its anonymous volume
}
console.log("\ndocker example: ok");
