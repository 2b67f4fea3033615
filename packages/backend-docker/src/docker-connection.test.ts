import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { engineAddress } from "./docker-connection.js";
import { sshEngineTarget } from "./ssh-engine-agent.js";

describe("engineAddress", () => {
  it("reads unix sockets, bare paths and Podman's socket", () => {
    expect(engineAddress("unix:///var/run/docker.sock", {})).toEqual({ socketPath: "/var/run/docker.sock" });
    expect(engineAddress("unix:///run/podman/podman.sock", {})).toEqual({ socketPath: "/run/podman/podman.sock" });
    expect(engineAddress("/tmp/engine.sock", {})).toEqual({ socketPath: "/tmp/engine.sock" });
  });

  it("reads tcp, with TLS from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH or port 2376", async () => {
    expect(engineAddress("tcp://10.0.0.5:2375", {})).toEqual({ protocol: "http", host: "10.0.0.5", port: "2375" });
    const certs = await mkdtemp(join(tmpdir(), "hermes-certs-"));
    try {
      for (const name of ["ca.pem", "cert.pem", "key.pem"]) await writeFile(join(certs, name), name);
      const tls = engineAddress("tcp://engine.example:2376", { DOCKER_CERT_PATH: certs });
      expect(tls).toMatchObject({ protocol: "https", host: "engine.example", port: "2376" });
      expect(String((tls as { ca: Buffer }).ca)).toBe("ca.pem");
    } finally {
      await rm(certs, { recursive: true, force: true });
    }
    expect(engineAddress("engine.example:4000", { DOCKER_TLS_VERIFY: "1" })).toMatchObject({ protocol: "https", port: "4000" });
  });

  it("reads ssh as HTTP over an ssh agent for the user, host and port", () => {
    const options = engineAddress("ssh://deploy@build-host:2222", {});
    expect(options).toMatchObject({ protocol: "http", host: "build-host", port: "2222" });
    expect((options as { agent?: unknown }).agent).toBeInstanceOf(Agent);
    expect(sshEngineTarget(new URL("ssh://deploy@build-host:2222"))).toEqual({ host: "build-host", port: 2222, user: "deploy" });
    expect(sshEngineTarget(new URL("ssh://build-host"))).toEqual({ host: "build-host" });
  });

  it("refuses other schemes with the forms it accepts", () => {
    expect(() => engineAddress("npipe:////./pipe/docker_engine", {})).toThrow(/unix:\/\/\/path.*tcp:\/\/host:port.*ssh:\/\/user@host/);
  });
});
