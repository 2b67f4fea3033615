// The modal backend against the Modal fake on loopback: `node index.mjs` (from the repository root:
// `node examples/modal/index.mjs` after `pnpm build`). Needs modal@0.11.1 (pinned: `modal@latest` is another
// library) and, for the fake only, nice-grpc and bubblewrap (commands run in bwrap). With a real account,
// drop the fake and `apiUrl`, and set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET (or run `modal token new`).
// Exits non-zero when the environment does not behave as shown.
import { modal } from "@hermes/backend-cloud/modal";
import { startModalFake } from "@hermes/backend-cloud/testing";
import { createEnv } from "@hermes/core";
import { ModalClient } from "modal";

const step = (title) => console.log(`\n== ${title}`);
const expect = (actual, expected, what) => {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
};

const credentials = { tokenId: "ak-example", tokenSecret: "as-example" };
const fake = await startModalFake(credentials);
try {
  step(`The bare Modal SDK, pointed at the fake (${fake.url}) with MODAL_SERVER_URL`);
  process.env.MODAL_SERVER_URL = fake.url;
  const client = new ModalClient({ ...credentials, logLevel: "error" });
  delete process.env.MODAL_SERVER_URL;
  const app = await client.apps.fromName("example-app", { createIfMissing: true });
  const sandbox = await client.sandboxes.create(app, client.images.fromRegistry("python:3.12-slim"));
  const hello = await sandbox.exec(["sh", "-c", "echo hello from a modal sandbox; exit 3"]);
  expect(await hello.stdout.readText(), "hello from a modal sandbox\n", "the exec's stdout");
  expect(await hello.wait(), 3, "the exec's exit code");
  await sandbox.terminate();
  expect(await sandbox.wait(), 137, "the terminated sandbox's exit code");
  client.close();
  console.log("   apps.fromName, images.fromRegistry, sandboxes.create, exec, wait, terminate: as Modal answers them");

  step("An environment on the modal backend: one persistent bash session over one exec");
  const env = await createEnv({ backend: modal({ ...credentials, apiUrl: fake.url }) });
  try {
    await env.exec("mkdir -p /tmp/project && cd /tmp/project && export GREETING='hello from modal'");
    const where = await env.exec('echo "$GREETING, in $PWD"; echo to-stderr >&2', {
      onStdout: (chunk) => process.stdout.write(`   > ${chunk}`),
    });
    expect(where.stdout, "hello from modal, in /tmp/project\n", "the session's state");
    expect(where.stderr, "to-stderr\n", "stderr");
    expect((await env.exec("tr a-z A-Z", { stdin: "shout\n" })).stdout, "SHOUT\n", "stdin");

    step("A timeout ends the command, not the sandbox");
    const slow = await env.exec("sleep 30", { timeoutMs: 500 });
    expect(slow.timedOut, true, "timedOut");
    expect((await env.exec("pwd")).stdout, "/tmp/project\n", "the session after the timeout");

    step("Files through Modal's filesystem API, binary-safe");
    await env.files.write("data.bin", new Uint8Array([0, 255, 10]));
    expect([...((await env.files.read("data.bin")) ?? [])].join(","), "0,255,10", "the file's bytes");
    console.log("   data.bin: 3 bytes back as written");
  } finally {
    await env.dispose();
  }
  expect(fake.sandboxNames().length, 0, "sandboxes left after dispose");
  console.log("\n   disposed: no sandbox left");
} finally {
  await fake.close();
}
