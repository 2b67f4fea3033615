import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { createEnv, HostKeyError } from "@hermes/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithServer, sshDir, sshPort } from "../../backend-ssh/test/ssh-test-support.js";
import { docker } from "../src/index.js";
import { describeWithEngine, testImage } from "./docker-test-support.js";

const run = promisify(execFile);

/** This process's established connections to the test sshd. */
async function sshConnections(): Promise<number> {
  const { stdout } = await run("ss", ["-tnpH", "state", "established", `( dport = :${sshPort} )`]);
  return stdout.split("\n").filter((line) => line.includes(`pid=${process.pid},`)).length;
}

describeWithEngine("docker backend: an engine at an ssh:// address", () => {
  describeWithServer("through the test sshd (user hermes is in the docker group)", () => {
    let home: string;
    const savedHome = process.env.HOME;

    beforeAll(async () => {
      // A user's ~/.ssh as the docker CLI would use it: an alias with its key, and the server's host key.
      home = await mkdtemp(join(tmpdir(), "hermes-docker-ssh-home-"));
      await mkdir(join(home, ".ssh"), { mode: 0o700 });
      await writeFile(
        join(home, ".ssh", "config"),
        `Host engine-host\n  HostName 127.0.0.1\n  Port ${sshPort}\n  User hermes\n  IdentityFile ${sshDir}/id_ed25519\n`,
      );
      await writeFile(join(home, ".ssh", "known_hosts"), await readFile(`${sshDir}/known_hosts`));
      process.env.HOME = home;
    });

    afterAll(async () => {
      process.env.HOME = savedHome;
      await rm(home, { recursive: true, force: true });
    });

    it("runs the session, files and background processes over one ssh connection, closed after dispose", async () => {
      const env = await createEnv({ backend: docker({ image: testImage, network: "none", host: "ssh://engine-host" }) });
      try {
        expect((await env.exec("cd /tmp && export VIA=ssh; echo ok")).stdout).toBe("ok\n");
        expect((await env.exec('echo "$VIA in $PWD"')).stdout).toBe("ssh in /tmp\n");
        await env.files.write("/workspace/over-ssh.bin", Buffer.from([0, 1, 2, 255]));
        expect(await env.files.read("/workspace/over-ssh.bin")).toEqual(Buffer.from([0, 1, 2, 255]));
        const background = await env.spawn("echo from the background");
        expect((await background.wait()).stdout).toBe("from the background\n");
        // Every HTTP connection (session attach, control shell, archive calls, exec create/start) was a channel.
        expect(await sshConnections()).toBe(1);
      } finally {
        await env.dispose();
      }
      let open = await sshConnections();
      for (let waited = 0; open > 0 && waited < 10_000; waited += 250) {
        await sleep(250);
        open = await sshConnections();
      }
      expect(open).toBe(0);
    }, 60_000);

    it("refuses an engine host whose key is not in known_hosts, saying how to fix it", async () => {
      await writeFile(join(home, ".ssh", "known_hosts"), "");
      try {
        const env = await createEnv({ backend: docker({ image: testImage, network: "none", host: "ssh://engine-host" }) });
        const error = await env.exec("true").catch((caught: unknown) => caught);
        expect(HostKeyError.isInstance(error)).toBe(true);
        expect((error as Error).message).toMatch(/127\.0\.0\.1/);
        expect((error as Error).message).toMatch(/known_hosts/);
        await env.dispose();
      } finally {
        await writeFile(join(home, ".ssh", "known_hosts"), await readFile(`${sshDir}/known_hosts`));
      }
    }, 60_000);
  });
});
