// The vercel-sandbox backend against the Vercel Sandbox fake on loopback: `node index.mjs` (from the
// repository root: `node examples/vercel/index.mjs` after `pnpm build`). Needs @vercel/sandbox (3.5.x),
// and, for the fake only, tar-stream and bubblewrap (commands run in bwrap). With a real account, drop the
// fake and `apiUrl`, and set VERCEL_TOKEN, VERCEL_TEAM_ID and VERCEL_PROJECT_ID (or VERCEL_OIDC_TOKEN).
// Exits non-zero when the environment does not behave as shown.
import { startVercelFake } from "@hermes/backend-cloud/testing";
import { vercelSandbox } from "@hermes/backend-cloud/vercel";
import { createEnv } from "@hermes/core";

const step = (title) => console.log(`\n== ${title}`);
const expect = (actual, expected, what) => {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
};

const credentials = { token: "example-token", teamId: "team_example", projectId: "prj_example" };
const fake = await startVercelFake(credentials);
const env = await createEnv({ backend: vercelSandbox({ ...credentials, apiUrl: fake.url }) });
try {
  step(`A Vercel sandbox (the fake at ${fake.url}), one persistent bash session in it`);
  await env.start();
  console.log(`   sandboxes: ${fake.sandboxNames().join(", ")}`);

  step("cd and export carry over; output streams as it comes, stdout and stderr apart");
  await env.exec("mkdir -p project && cd project && export GREETING='hello from vercel'");
  const where = await env.exec('echo "$GREETING, in $PWD"; echo to-stderr >&2', {
    onStdout: (chunk) => process.stdout.write(`   > ${chunk}`),
  });
  expect(where.stdout, "hello from vercel, in /vercel/sandbox/project\n", "the session's state");
  expect(where.stderr, "to-stderr\n", "stderr");

  step("stdin, which Vercel's commands lack, through a pipe in the sandbox");
  expect((await env.exec("tr a-z A-Z", { stdin: "shout\n" })).stdout, "SHOUT\n", "stdin");

  step("A timeout ends the command, not the sandbox");
  const slow = await env.exec("sleep 30", { timeoutMs: 500 });
  expect(slow.timedOut, true, "timedOut");
  expect((await env.exec("pwd")).stdout, "/vercel/sandbox/project\n", "the session after the timeout");

  step("Files through Vercel's file calls, binary-safe");
  await env.files.write("data.bin", new Uint8Array([0, 255, 10]));
  expect([...((await env.files.read("data.bin")) ?? [])].join(","), "0,255,10", "the file's bytes");
  console.log("   data.bin: 3 bytes back as written");
} finally {
  await env.dispose();
  expect(fake.sandboxNames().length, 0, "sandboxes left after dispose");
  console.log("\n   disposed: no sandbox left");
  await fake.close();
}
