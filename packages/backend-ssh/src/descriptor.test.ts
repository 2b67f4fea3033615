import { ConfigError, loadConfig, terminalKeyNames } from "@hermes/core";
import { describe, expect, it } from "vitest";
import { descriptor } from "./descriptor.js";

const noEnv = { env: {} };

describe("the ssh descriptor", () => {
  it("parses its YAML keys, and the common ones, into options", () => {
    const options = descriptor.options.parse({
      host: "my-server.com",
      user: "hermes",
      port: 2222,
      key: "~/.ssh/hermes_only",
      timeout: "10s",
      keepalive: "30s",
      known_hosts: "/etc/hermes/known_hosts",
      ssh_config: "/dev/null",
      command_timeout: "2m",
    });
    expect(options).toEqual({
      host: "my-server.com",
      user: "hermes",
      port: 2222,
      key: "~/.ssh/hermes_only",
      connectTimeoutMs: 10_000,
      keepaliveMs: 30_000,
      knownHostsFile: "/etc/hermes/known_hosts",
      sshConfigFile: "/dev/null",
      commandTimeoutMs: 120_000,
    });
    expect(descriptor.factory(options).type).toBe("ssh");
  });

  it("rejects a bad value and an unknown key with the path, the value and what was expected", async () => {
    const input = { backend: { backends: { box: { type: "ssh", host: "h", port: 70_000, knwon_hosts: "/k" } } } };
    const error = await loadConfig(input, noEnv).catch((reason: unknown) => reason);
    if (!ConfigError.isInstance(error)) throw new Error(`expected a ConfigError, got ${String(error)}`);
    expect(error.issues).toEqual([
      { path: "backend.backends.box.port", value: 70_000, expected: "a value of at most 65535" },
      {
        path: "backend.backends.box.knwon_hosts",
        value: "/k",
        expected: expect.stringMatching(/^no such key \(did you mean "known_hosts"\?\)/),
      },
    ]);
  });

  it("maps Hermes's ssh_* keys and persistent_shell, with their TERMINAL_* variables, the keys core lists for ssh", async () => {
    expect(Object.keys(descriptor.terminal?.keys ?? {}).sort()).toEqual([...terminalKeyNames.ssh].sort());
    const config = await loadConfig(
      { terminal: { backend: "ssh", ssh_host: "old", ssh_user: "me", persistent_shell: false } },
      { env: { TERMINAL_SSH_HOST: "new", TERMINAL_SSH_PORT: "2022" } },
    );
    expect(config.backends.ssh?.options).toEqual({ host: "new", user: "me", port: 2022, persistentShell: false });
    const error = await loadConfig({}, { env: { TERMINAL_SSH_PORT: "twenty" } }).catch((reason: unknown) => reason);
    expect(error).toMatchObject({ issues: [{ path: "TERMINAL_SSH_PORT", value: "twenty", expected: "a number" }] });
  });

  it("says it runs on a remote host, costs nothing by default, and paths are the host's", () => {
    expect(descriptor).toMatchObject({
      isolation: "remote-host",
      prices: { cpuHourUsd: 0, memoryGibHourUsd: 0 },
      policy: { paths: "remote" },
    });
  });
});
