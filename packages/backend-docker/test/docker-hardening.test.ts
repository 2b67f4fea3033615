import { createEnv, type ExecutionEnvironment } from "@hermes/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { docker } from "../src/index.js";
import { containersOf, describeWithEngine, engine, testImage } from "./docker-test-support.js";

describeWithEngine("docker backend: hardening", () => {
  let env: ExecutionEnvironment;
  beforeAll(async () => {
    env = await createEnv({ backend: docker({ image: testImage, network: "none", memoryMb: 256, cpus: 0.5 }) });
    await env.start();
  }, 60_000);
  afterAll(() => env.dispose());

  it("is visible in docker inspect: capabilities, no-new-privileges, PID limit, tmpfs, limits, labels", async () => {
    const [info] = await containersOf(env.id);
    const inspect = await engine.getContainer(info?.Id ?? "missing").inspect();
    const host = inspect.HostConfig;
    expect(host.CapDrop).toContain("ALL");
    expect(host.CapAdd ?? []).toEqual([]);
    expect(host.SecurityOpt).toContain("no-new-privileges:true");
    expect(host.Privileged).toBe(false);
    expect(host.PidsLimit).toBe(256);
    expect(host.Memory).toBe(256 * 1024 * 1024);
    expect(host.MemorySwap).toBe(256 * 1024 * 1024);
    expect(host.NanoCpus).toBe(0.5e9);
    expect(host.NetworkMode).toBe("none");
    expect(Object.keys(host.Tmpfs ?? {}).sort()).toEqual(["/run", "/tmp", "/var/tmp"]);
    expect(host.Tmpfs?.["/tmp"]).toMatch(/size=512m/);
    expect(inspect.Config.Labels).toMatchObject({ "hermes.env-id": env.id, "hermes.persistent": "false" });
    expect(inspect.Config.Labels?.["hermes.owner"]).toMatch(/\/\d+$/);
    expect(Number.isNaN(Date.parse(inspect.Config.Labels?.["hermes.created"] ?? ""))).toBe(false);
  });

  it("holds inside: no effective capabilities, no_new_privs set, no host environment", async () => {
    const status = await env.exec("grep -E '^(CapEff|NoNewPrivs)' /proc/self/status; echo HOME_SET=${HOST_ONLY_VARIABLE:-no}");
    expect(status.stdout).toMatch(/CapEff:\s+0000000000000000/);
    expect(status.stdout).toMatch(/NoNewPrivs:\s+1/);
    expect(status.stdout).toContain("HOME_SET=no");
  });

  it("contains a fork bomb with the PID limit, and keeps working", async () => {
    const bomb = await env.exec("bomb() { bomb | bomb & }; bomb; sleep 30", { timeoutMs: 3_000 });
    expect(bomb.timedOut).toBe(true);
    const after = await env.exec("echo alive; ls /proc | grep -c '^[0-9]'");
    expect(after.stdout).toMatch(/^alive\n/);
    // Only PID 1, the control shell, the session shell and this command's few processes are left.
    expect(Number(after.stdout.split("\n")[1])).toBeLessThan(12);
  }, 60_000);
});

describeWithEngine("docker backend: read-only root", () => {
  it("refuses writes outside the tmpfs and the working volume", async () => {
    await using env = await createEnv({ backend: docker({ image: testImage, network: "none", readOnlyRoot: true }) });
    const result = await env.exec(
      "echo x > /etc/probe; echo rc=$?; echo y > /tmp/ok && echo tmp-ok; echo z > /workspace/ok && echo work-ok",
    );
    expect(result.stdout).toMatch(/rc=[1-9]/);
    expect(result.stderr).toMatch(/Read-only file system/i);
    expect(result.stdout).toContain("tmp-ok");
    expect(result.stdout).toContain("work-ok");
    await expect(env.files.write("/etc/probe", "x")).rejects.toMatchObject({ reason: "PermissionDenied" });
  }, 60_000);
});
