import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnv } from "@hermes/core";
import { expect, it } from "vitest";
import { containersOf, describeWithEngine, engine, testImage } from "./docker-test-support.js";

describeWithEngine("docker backend: Hermes configuration", () => {
  it("honours the terminal: keys a Hermes user writes, resolved through createEnv", async () => {
    const shared = await mkdtemp(join(tmpdir(), "hermes-docker-volume-"));
    await writeFile(join(shared, "input.txt"), "from the host\n");
    process.env.HERMES_TEST_FORWARDED_TOKEN = "forwarded-on-purpose";
    const env = await createEnv({
      config: {
        terminal: {
          backend: "docker",
          docker_image: testImage,
          container_cpu: 0.5,
          container_memory: "300m",
          docker_volumes: [`${shared}:/data:ro`],
          docker_env: { STAGE: "test" },
          docker_forward_env: ["HERMES_TEST_FORWARDED_TOKEN"],
          cwd: "/data",
        },
      },
    });
    try {
      const result = await env.exec('pwd; cat input.txt; echo "$STAGE $HERMES_TEST_FORWARDED_TOKEN"; touch /data/x 2>&1 || true');
      expect(result.stdout).toMatch(/^\/data\nfrom the host\ntest forwarded-on-purpose\n/);
      expect(result.stdout + result.stderr).toMatch(/Read-only file system/);
      const [info] = await containersOf(env.id);
      const host = (await engine.getContainer(info?.Id ?? "").inspect()).HostConfig;
      expect(host.NanoCpus).toBe(0.5e9);
      expect(host.Memory).toBe(300 * 1024 * 1024);
      expect(host.Binds).toEqual([`${shared}:/data:ro`]);
    } finally {
      delete process.env.HERMES_TEST_FORWARDED_TOKEN;
      await env.dispose();
      await rm(shared, { recursive: true, force: true });
    }
  }, 60_000);
});
