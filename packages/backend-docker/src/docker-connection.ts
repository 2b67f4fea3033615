import { readFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import { sshEngineAgent, sshEngineTarget } from "./ssh-engine-agent.js";

/** Connecting to the engine may not hang: a socket that does not answer fails after this long. */
const connectionTimeoutMs = 10_000;

/**
 * A client for the engine at `host` (`unix:///path`, `tcp://host:port`, `ssh://user@host`), else the one
 * `DOCKER_HOST` names, else the default socket. TLS follows `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH`, as the
 * docker CLI does; ssh connects as the ssh backend does (known_hosts, keys, `SSH_AUTH_SOCK`, ~/.ssh/config).
 */
export function connectEngine(host: string | undefined, env: NodeJS.ProcessEnv = process.env): Docker {
  return new Docker({ ...engineAddress(engineLocation(host, env), env), connectionTimeout: connectionTimeoutMs } as Docker.DockerOptions);
}

/** The engine a backend talks to: `host`, else `DOCKER_HOST`, else the local socket (also the key its creations queue by). */
export function engineLocation(host: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return host ?? env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

/** Where an engine address points, as dockerode options. Exported for tests. */
export function engineAddress(address: string, env: NodeJS.ProcessEnv): Docker.DockerOptions {
  if (address.startsWith("unix://")) return { socketPath: address.slice("unix://".length) || "/var/run/docker.sock" };
  if (address.startsWith("/")) return { socketPath: address };
  const url = new URL(address.includes("//") ? address : `tcp://${address}`);
  if (url.protocol === "ssh:") {
    // HTTP over ssh channels: the host and port here only fill the requests' Host header.
    // (docker-modem honours `agent`; its types do not list it.)
    const agent = sshEngineAgent(sshEngineTarget(url));
    return { protocol: "http", host: url.hostname, port: url.port || 22, agent } as Docker.DockerOptions;
  }
  if (url.protocol !== "tcp:" && url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`unsupported engine address ${address}: use unix:///path/docker.sock, tcp://host:port or ssh://user@host`);
  }
  const tls = url.protocol === "https:" || env.DOCKER_TLS_VERIFY === "1" || url.port === "2376";
  const certs = env.DOCKER_CERT_PATH;
  return {
    protocol: tls ? "https" : "http",
    host: url.hostname,
    port: url.port || (tls ? 2376 : 2375),
    ...(tls &&
      certs && {
        ca: readFileSync(join(certs, "ca.pem")),
        cert: readFileSync(join(certs, "cert.pem")),
        key: readFileSync(join(certs, "key.pem")),
      }),
  };
}
