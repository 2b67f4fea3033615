import { existsSync } from "node:fs";
import { describeWithService } from "@hermes/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ModalFake, startModalFake } from "../src/testing/index.js";
import { bubblewrapMissing } from "./bubblewrap-missing.js";

// The bare SDK, pointed at the fake the way a user's program does it: MODAL_SERVER_URL, read when a client is built.
const credentials = { tokenId: "ak-fake", tokenSecret: "as-fake" };
let fake: ModalFake;
let modal: import("modal").ModalClient;
const client = async (tokenSecret = credentials.tokenSecret) => {
  process.env.MODAL_CONFIG_PATH = "/nonexistent";
  process.env.MODAL_SERVER_URL = fake.url;
  const { ModalClient } = await import("modal");
  try {
    return new ModalClient({ tokenId: credentials.tokenId, tokenSecret, logLevel: "error" } as ConstructorParameters<
      typeof ModalClient
    >[0]);
  } finally {
    delete process.env.MODAL_SERVER_URL;
  }
};
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (error: Error) => `${error.constructor.name}: ${error.message}`,
  );

describeWithService("the Modal fake, through the bare SDK", bubblewrapMissing, () => {
  beforeAll(async () => {
    fake = await startModalFake({ ...credentials, secrets: { "team-keys": { TEAM_KEY: "k1" } } });
    modal = await client();
  });
  afterAll(async () => {
    modal?.close();
    await fake?.close();
  });

  it("creates a sandbox, runs commands with their own stdout, stderr, stdin and exit code, and terminates it", async () => {
    const app = await modal.apps.fromName("hermes-fake-test", { createIfMissing: true });
    const image = modal.images.fromRegistry("debian:12");
    const secret = await modal.secrets.fromName("team-keys");
    const sandbox = await modal.sandboxes.create(app, image, { name: "first", tags: { owner: "me" }, env: { A: "1" }, secrets: [secret] });
    const shell = await sandbox.exec(["sh", "-c", 'echo "out $A $TEAM_KEY"; echo err >&2; exit 3']);
    expect([await shell.stdout.readText(), await shell.stderr.readText(), await shell.wait()]).toEqual(["out 1 k1\n", "err\n", 3]);
    const cat = await sandbox.exec(["cat"], { mode: "binary" });
    const writer = cat.stdin.getWriter();
    await writer.write(new Uint8Array([0, 255, 10]));
    await writer.close();
    expect([...(await cat.stdout.readBytes())]).toEqual([0, 255, 10]);
    expect(await cat.wait()).toBe(0);
    expect((await modal.sandboxes.fromName("hermes-fake-test", "first")).sandboxId).toBe(sandbox.sandboxId);
    const listed: string[] = [];
    for await (const found of modal.sandboxes.list({ tags: { owner: "me" } })) listed.push(found.sandboxId);
    expect(listed).toEqual([sandbox.sandboxId]);
    expect(fake.sandboxNames()).toContain("first");
    await sandbox.terminate();
    expect(await sandbox.wait()).toBe(137);
    expect(fake.sandboxNames()).not.toContain("first");
  });

  it("serves the filesystem API binary-safe, with the SDK's own typed errors, and snapshots it into an image", async () => {
    const app = await modal.apps.fromName("hermes-fake-test", { createIfMissing: true });
    const sandbox = await modal.sandboxes.create(app, modal.images.fromRegistry("debian:12"));
    await sandbox.filesystem.writeBytes(new Uint8Array([1, 2, 0, 200]), "/tmp/x.bin");
    expect([...(await sandbox.filesystem.readBytes("/tmp/x.bin"))]).toEqual([1, 2, 0, 200]);
    expect(await failure(sandbox.filesystem.readBytes("/tmp/missing"))).toMatch(/^SandboxFilesystemNotFoundError/);
    expect((await sandbox.filesystem.listFiles("/tmp")).map((file) => [file.name, file.type, file.size])).toEqual([["x.bin", "file", 4]]);
    const image = await sandbox.snapshotFilesystem();
    const restored = await modal.sandboxes.create(app, image);
    expect([...(await restored.filesystem.readBytes("/tmp/x.bin"))]).toEqual([1, 2, 0, 200]);
    // The sandbox's files are its own: nothing of it is on this machine's /tmp.
    expect(existsSync("/tmp/x.bin")).toBe(false);
    await Promise.all([sandbox.terminate(), restored.terminate()]);
  });

  it("takes GPU requests on the SDK's V1 path and refuses an unknown GPU type, a wrong secret and an unknown secret", async () => {
    const app = await modal.apps.fromName("hermes-fake-test", { createIfMissing: true });
    const image = modal.images.fromRegistry("debian:12");
    const gpu = await modal.sandboxes.create(app, image, { gpu: "H100:2" });
    expect(gpu.sandboxId).toMatch(/^sb-[0-9A-Za-z]{22}$/);
    expect(await (await gpu.exec(["echo", "on a gpu"])).stdout.readText()).toBe("on a gpu\n");
    await gpu.terminate();
    expect(await failure(modal.sandboxes.create(app, image, { gpu: "X9" }))).toMatch(/INVALID_ARGUMENT: unknown GPU type 'X9'/);
    expect(await failure(modal.secrets.fromName("nope"))).toMatch(/^NotFoundError: Secret 'nope' not found/);
    const wrong = await client("wrong-secret");
    expect(await failure(wrong.apps.fromName("x", { createIfMissing: true }))).toMatch(/UNAUTHENTICATED: Token ID or secret is invalid/);
    wrong.close();
    expect(fake.unimplemented).toEqual([]);
  });
});
