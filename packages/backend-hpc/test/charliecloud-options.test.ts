import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnv } from "@hermes/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { singularity } from "../src/index.js";
import { charliecloudOptions, describeWithCharliecloud } from "./hpc-test-support.js";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "hermes-charliecloud-options-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describeWithCharliecloud("singularity backend on Charliecloud: options", () => {
  it("keeps a persistent environment's workspace for the next one of the same name, and removes one that is not", async () => {
    const scratchDir = join(work, "scratch");
    const persistent = () => createEnv({ backend: singularity(charliecloudOptions({ persistent: true, scratchDir })), usage: false });
    const first = await persistent();
    await first.exec("echo kept > /workspace/notes.txt");
    await first.dispose();
    const second = await persistent();
    expect((await second.exec("cat /workspace/notes.txt")).stdout).toBe("kept\n");
    await second.dispose();
    const passing = await createEnv({ backend: singularity(charliecloudOptions({ scratchDir })), usage: false });
    await passing.exec("echo gone > /workspace/notes.txt");
    const directory = join(scratchDir, `hermes-${passing.id.slice(0, 12)}`);
    expect(await readFile(join(directory, "workspace", "notes.txt"), "utf8")).toBe("gone\n");
    await passing.dispose();
    await expect(readFile(join(directory, "workspace", "notes.txt"), "utf8")).rejects.toThrow();
  });

  it("binds host directories (onto a directory the image has), and sets env and env_passthrough in the container", async () => {
    const shared = join(work, "shared");
    await import("node:fs/promises").then((fs) => fs.mkdir(shared));
    await writeFile(join(shared, "input.txt"), "from the host\n");
    process.env.HERMES_HPC_TEST_PASSED = "passed";
    const env = await createEnv({
      backend: singularity(
        charliecloudOptions({
          binds: [`${shared}:/var/tmp`],
          env: { FROM_CONFIG: "set" },
          envPassthrough: ["HERMES_HPC_TEST_PASSED", "HERMES_NOT_SET"],
        }),
      ),
      usage: false,
    });
    const warnings: string[] = [];
    env.on("warning", (event) => warnings.push(event.code));
    const result = await env.exec('cat /var/tmp/input.txt; echo "$FROM_CONFIG $HERMES_HPC_TEST_PASSED"; echo out > /var/tmp/output.txt');
    expect(result.stdout).toBe("from the host\nset passed\n");
    expect(await readFile(join(shared, "output.txt"), "utf8")).toBe("out\n");
    expect(warnings).toEqual(["ENV_NOT_FORWARDED"]);
    await env.dispose();
  });
});
