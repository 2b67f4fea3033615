import { createEnv, type ExecutionEnvironment, FileSystemError } from "@hermes/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { docker } from "../src/index.js";
import { describeWithEngine, testImage } from "./docker-test-support.js";

describeWithEngine("docker backend: files in tmpfs mounts and through symlinks", () => {
  let env: ExecutionEnvironment;
  beforeAll(async () => {
    env = await createEnv({ backend: docker({ image: testImage, network: "none" }) });
    await env.start();
  }, 60_000);
  afterAll(() => env.dispose());

  it("files and commands see the same files in /tmp, /var/tmp and /run (tmpfs)", async () => {
    for (const dir of ["/tmp", "/var/tmp", "/run"]) {
      const bytes = Uint8Array.from([0, 1, 2, 255, 10, 13]);
      await env.files.write(`${dir}/sub/data.bin`, bytes);
      expect((await env.exec(`od -An -tu1 ${dir}/sub/data.bin | tr -s ' ' | sed 's/^ //'`)).stdout.trim()).toBe("0 1 2 255 10 13");
      await env.exec(`printf 'from shell' > ${dir}/shell.txt`);
      expect(await env.files.readText(`${dir}/shell.txt`)).toBe("from shell");
      expect((await env.files.list(dir)).map((entry) => `${entry.name}:${entry.type}`).sort()).toEqual(["shell.txt:file", "sub:directory"]);
      expect(await env.files.stat(`${dir}/shell.txt`)).toMatchObject({ type: "file", size: 10 });
      await env.files.remove(`${dir}/sub`, { recursive: true });
      expect(await env.files.stat(`${dir}/sub`)).toBeNull();
      expect(await env.files.read(`${dir}/missing`)).toBeNull();
    }
  });

  it("follows a symlink from the working volume into a tmpfs mount and back", async () => {
    await env.exec(
      "echo in-tmp > /tmp/target.txt; ln -sf /tmp/target.txt /workspace/to-tmp; echo in-work > /workspace/real.txt; ln -sf /workspace/real.txt /tmp/to-work",
    );
    expect(await env.files.readText("/workspace/to-tmp")).toBe("in-tmp\n");
    expect(await env.files.readText("/tmp/to-work")).toBe("in-work\n");
    expect(await env.files.stat("/workspace/to-tmp")).toMatchObject({ type: "symlink" });
    await env.files.write("/workspace/to-tmp", "rewritten\n");
    expect((await env.exec("cat /tmp/target.txt")).stdout).toBe("rewritten\n");
  });

  it("keeps an existing file's mode on write, and sets it when asked", async () => {
    await env.exec("echo '#!/bin/sh' > /workspace/run.sh; chmod 750 /workspace/run.sh");
    await env.files.write("/workspace/run.sh", "#!/bin/sh\necho hi\n");
    expect((await env.files.stat("/workspace/run.sh"))?.mode).toBe(0o750);
    await env.files.write("/tmp/tool.sh", "#!/bin/sh\n", { mode: 0o700 });
    expect((await env.files.stat("/tmp/tool.sh"))?.mode).toBe(0o700);
  });

  it("gives typed errors through both paths", async () => {
    for (const dir of ["/workspace", "/tmp"]) {
      await env.exec(`mkdir -p ${dir}/full && touch ${dir}/full/x ${dir}/plain`);
      await expect(env.files.remove(`${dir}/full`)).rejects.toSatisfy(
        (error) => FileSystemError.isInstance(error) && error.reason === "NotEmpty",
      );
      await expect(env.files.list(`${dir}/plain`)).rejects.toSatisfy(
        (error) => FileSystemError.isInstance(error) && error.reason === "NotADirectory",
      );
      await expect(env.files.mkdir(`${dir}/plain`)).rejects.toSatisfy(
        (error) => FileSystemError.isInstance(error) && error.reason === "AlreadyExists",
      );
      await expect(env.files.mkdir(`${dir}/no/such/parent`, { recursive: false })).rejects.toSatisfy(
        (error) => FileSystemError.isInstance(error) && error.reason === "NotFound",
      );
    }
  });
});

describeWithEngine("docker backend: folders in one archive", () => {
  it("uploads and downloads a tree with modes, through the working volume and a tmpfs alike", async () => {
    const { mkdtemp, mkdir, writeFile, readFile, stat, rm, symlink } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const host = await mkdtemp(join(tmpdir(), "hermes-docker-tree-"));
    await using env = await createEnv({ backend: docker({ image: testImage, network: "none" }) });
    const warnings: string[] = [];
    env.on("warning", ({ code }) => warnings.push(code));
    try {
      await mkdir(join(host, "src/deep/er"), { recursive: true });
      await writeFile(join(host, "src/deep/er/data.bin"), Buffer.from([0, 255, 1, 254]));
      await writeFile(join(host, "src/run.sh"), "#!/bin/sh\necho run\n", { mode: 0o755 });
      await symlink("run.sh", join(host, "src/link"));
      for (const target of ["/workspace/new/place", "/tmp/new/place"]) {
        await env.files.upload(join(host, "src"), target);
        const listing = await env.exec(`cd ${target} && find . | sort && od -An -tu1 deep/er/data.bin && ./run.sh && stat -c %a run.sh`);
        expect(listing.stdout).toBe(".\n./deep\n./deep/er\n./deep/er/data.bin\n./run.sh\n   0 255   1 254\nrun\n755\n");
        const back = join(host, `back-${target.split("/")[1]}`);
        await env.files.download(target, back);
        expect([...(await readFile(join(back, "deep/er/data.bin")))]).toEqual([0, 255, 1, 254]);
        expect((await stat(join(back, "run.sh"))).mode & 0o777).toBe(0o755);
      }
      expect(warnings).toContain("UPLOAD_SKIPPED");
    } finally {
      await rm(host, { recursive: true, force: true });
    }
  }, 60_000);
});
