import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { describeWithService } from "@hermes/testkit";
import type { HpcBackendOptions } from "../src/descriptor.js";

/** What scripts/services/charliecloud.sh, slurm.sh and sshd.sh set up. */
export const testImage = process.env.HERMES_CH_IMAGE ?? "/var/tmp/hermes-images/hermes-bb";
export const sshDir = process.env.HERMES_SSH_TEST_DIR ?? "/var/lib/hermes-sshd";

/** Charliecloud on this machine, on the test image. */
export function charliecloudOptions(extra: HpcBackendOptions = {}): HpcBackendOptions {
  return { runtime: "charliecloud", image: testImage, ...extra };
}

/** The same through the test sshd as the cluster's login node (user hermes, the pinned host key). */
export const loginNode = {
  host: "127.0.0.1",
  port: 2222,
  user: "hermes",
  key: `${sshDir}/id_ed25519`,
  knownHostsFile: `${sshDir}/known_hosts`,
};

function works(file: string, args: string[]): boolean {
  try {
    execFileSync(file, args, { stdio: "ignore", env: { ...process.env, USER: process.env.USER ?? "root" }, timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const missingCharliecloud = !works("ch-run", ["--version"])
  ? "no ch-run; run scripts/services/charliecloud.sh"
  : !existsSync(`${testImage}/bin/bash`)
    ? `no test image at ${testImage}; run scripts/services/charliecloud.sh`
    : undefined;
const missingSlurm = missingCharliecloud ?? (works("sinfo", ["-h"]) ? undefined : "no Slurm answers sinfo; run scripts/services/slurm.sh");

async function sshdListening(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(loginNode.port, loginNode.host, () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}
const missingLogin =
  missingSlurm ??
  (existsSync(loginNode.key) && (await sshdListening()) ? undefined : `no sshd on 127.0.0.1:2222; run scripts/services/sshd.sh`);

/** `describe` for suites that need Charliecloud (and the image): skipped with the reason, a failure under CI=true. */
export function describeWithCharliecloud(name: string, body: () => void): void {
  describeWithService(name, missingCharliecloud, body);
}

export function describeWithSlurm(name: string, body: () => void): void {
  describeWithService(name, missingSlurm, body);
}

export function describeWithLoginNode(name: string, body: () => void): void {
  describeWithService(name, missingLogin, body);
}
