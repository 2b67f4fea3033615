import { existsSync } from "node:fs";
import { connect } from "node:net";
import { describeWithService } from "@hermes/testkit";
import type { SshBackendOptions } from "../src/descriptor.js";

/** What scripts/services/sshd.sh sets up. */
export const sshDir = process.env.HERMES_SSH_TEST_DIR ?? "/var/lib/hermes-sshd";
export const sshPort = 2222;

/** Options that reach the test server with the plain key and the pinned host key. */
export function testServer(extra: SshBackendOptions = {}): SshBackendOptions {
  return {
    host: "127.0.0.1",
    port: sshPort,
    user: "hermes",
    key: `${sshDir}/id_ed25519`,
    knownHostsFile: `${sshDir}/known_hosts`,
    ...extra,
  };
}

/** The same server as a configuration's ssh instance (the YAML keys). */
export function testServerConfig(): Record<string, unknown> {
  return {
    type: "ssh",
    host: "127.0.0.1",
    port: sshPort,
    user: "hermes",
    key: `${sshDir}/id_ed25519`,
    known_hosts: `${sshDir}/known_hosts`,
  };
}

/** Why the ssh suites cannot run here, or undefined when the test sshd is there. */
export async function missingService(): Promise<string | undefined> {
  if (!existsSync(`${sshDir}/id_ed25519`)) return `no test keys in ${sshDir}; run scripts/services/sshd.sh`;
  const listening = await new Promise<boolean>((resolve) => {
    const socket = connect(sshPort, "127.0.0.1", () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
  return listening ? undefined : `no sshd on 127.0.0.1:${sshPort}; run scripts/services/sshd.sh`;
}

const missing = await missingService();

/** `describe` for suites that need the test sshd: skipped with the reason, except under CI=true, where it fails. */
export function describeWithServer(name: string, body: () => void): void {
  describeWithService(name, missing, body);
}
