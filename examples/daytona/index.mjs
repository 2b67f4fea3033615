// The daytona backend against the Daytona fake on loopback: `node index.mjs` (from the repository root:
// `node examples/daytona/index.mjs` after `pnpm build`). Needs @daytonaio/sdk (0.218.x), and, for the fake
// only, ws, busboy and bubblewrap (commands run in bwrap). With a real account, drop the fake and pass your
// key (or set DAYTONA_API_KEY). Exits non-zero when the environment does not behave as shown.
import { daytona } from "@hermes/backend-cloud/daytona";
import { startDaytonaFake } from "@hermes/backend-cloud/testing";
import { createEnv } from "@hermes/core";

const step = (title) => console.log(`\n== ${title}`);
const expect = (actual, expected, what) => {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
};

const fake = await startDaytonaFake({ apiKey: "example-key" });
const env = await createEnv({ backend: daytona({ apiKey: "example-key", apiUrl: fake.apiUrl }) });
try {
  step(`A Daytona sandbox (the fake at ${fake.apiUrl}), one persistent bash session in it`);
  await env.start();
  console.log(`   sandboxes: ${fake.sandboxNames().join(", ")}`);

  step("cd and export carry over; output streams as it comes, stdout and stderr apart");
  await env.exec("mkdir -p ~/project && cd ~/project && export GREETING='hello from daytona'");
  const where = await env.exec('echo "$GREETING, in $PWD"; echo to-stderr >&2', {
    onStdout: (chunk) => process.stdout.write(`   > ${chunk}`),
  });
  expect(where.stdout, "hello from daytona, in /home/daytona/project\n", "the session's state");
  expect(where.stderr, "to-stderr\n", "stderr");

  step("A timeout ends the command, not the sandbox");
  const slow = await env.exec("sleep 30", { timeoutMs: 500 });
  expect(slow.timedOut, true, "timedOut");
  expect((await env.exec("pwd")).stdout, "/home/daytona/project\n", "the session after the timeout");

  step("Files through Daytona's file API, binary-safe");
  await env.files.write("data.bin", new Uint8Array([0, 255, 10]));
  expect([...((await env.files.read("data.bin")) ?? [])].join(","), "0,255,10", "the file's bytes");
  console.log("   data.bin: 3 bytes back as written");
} finally {
  await env.dispose();
  expect(fake.sandboxNames().length, 0, "sandboxes left after dispose");
  console.log("\n   disposed: no sandbox left");
  await fake.close();
}
