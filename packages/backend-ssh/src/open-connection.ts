import { readFile } from "node:fs/promises";
import { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { BackendUnavailableError, ConfigError } from "@hermes/core";
import ssh2, { type AgentAuthMethod, type Client, type ConnectConfig, type ParsedKey, type PublicKeyAuthMethod } from "ssh2";
import { type HostKeyPolicy, hostKeyVerifier } from "./host-key-verifier.js";
import { knownKeyTypes } from "./known-hosts.js";

// ssh2 is CommonJS: its named exports are only reliable through the default import.
const { Client: SshClient, utils } = ssh2;

import type { SshTarget } from "./ssh-target.js";

export interface ConnectionSettings extends HostKeyPolicy {
  target: SshTarget;
  backendName: string;
  passphrase?: string;
  /** ssh agent socket; default SSH_AUTH_SOCK. */
  agent?: string;
  connectTimeoutMs: number;
}

/** Host key algorithms ssh2 offers for each known_hosts key type. */
const algorithmsForType: Record<string, string[]> = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
};

/**
 * An authenticated connection to the target, through its jump hosts if any, each with its host key
 * checked. Closing it closes the jump connections under it.
 */
export async function openConnection(settings: ConnectionSettings): Promise<Client> {
  const hops = [...settings.target.jumps, settings.target];
  const opened: Client[] = [];
  let sock: Duplex | undefined;
  try {
    for (const [index, hop] of hops.entries()) {
      const client = await connectOne(hop, settings, sock);
      opened.push(client);
      const next = hops[index + 1];
      if (next) sock = await forward(client, next, settings.backendName);
    }
  } catch (error) {
    for (const client of opened) client.end();
    throw error;
  }
  const client = opened.at(-1) as Client;
  client.once("close", () => {
    for (const jump of opened.slice(0, -1)) jump.end();
  });
  sockets.set(
    client,
    opened.map(socketOf).filter((socket): socket is Socket => socket !== undefined),
  );
  return client;
}

const sockets = new WeakMap<Client, Socket[]>();

/** The TCP sockets under a connection (the jump hosts' included), to ref, unref or destroy them. */
export function connectionSockets(client: Client): Socket[] {
  return sockets.get(client) ?? [];
}

function socketOf(client: Client): Socket | undefined {
  // ssh2 keeps the transport in a private field; a tunnelled hop has a channel there, not a socket.
  const sock = (client as unknown as { _sock?: unknown })._sock;
  return sock instanceof Socket ? sock : undefined;
}

async function connectOne(target: SshTarget, settings: ConnectionSettings, sock: Duplex | undefined): Promise<Client> {
  const keys = await Promise.all(target.keyFiles.map((file) => loadKey(file, settings.passphrase)));
  const agent = settings.agent ?? process.env.SSH_AUTH_SOCK;
  const methods: Array<PublicKeyAuthMethod | AgentAuthMethod> = [
    ...keys.map((key) => ({ type: "publickey" as const, username: target.user, key })),
    ...(agent ? [{ type: "agent" as const, username: target.user, agent }] : []),
  ];
  if (methods.length === 0) {
    throw new ConfigError({
      issues: [
        {
          path: "key",
          value: undefined,
          expected: `a private key file, an IdentityFile for ${target.alias} in ~/.ssh/config, or a running ssh agent (SSH_AUTH_SOCK)`,
        },
      ],
    });
  }
  const knownTypes = await knownKeyTypes(settings.knownHostsFiles, target.host, target.port);
  const verifier = hostKeyVerifier(target.host, target.port, settings);
  const config: ConnectConfig = {
    host: target.host,
    port: target.port,
    username: target.user,
    readyTimeout: settings.connectTimeoutMs,
    // ssh2's keepalive timer would keep the Node process alive; SshConnection runs its own, unref'd.
    keepaliveInterval: 0,
    hostVerifier: verifier.verify,
    authHandler: methods,
    ...(sock && { sock }),
    // Ask for a key type known_hosts has for this host, so a host with several keys is checked against the known one.
    ...(knownTypes.length > 0 && { algorithms: { serverHostKey: knownTypes.flatMap((type) => algorithmsForType[type] ?? []) as never } }),
  };
  const client = new SshClient();
  return new Promise<Client>((resolve, reject) => {
    client.once("ready", () => {
      client.removeAllListeners("error");
      client.on("error", () => {});
      resolve(client);
    });
    client.once("error", (error: Error & { level?: string; code?: string }) => {
      client.end();
      const refusal = verifier.refusal();
      if (refusal) return reject(refusal);
      const where = `${target.user}@${target.host}:${target.port}`;
      if (error.level === "client-authentication") {
        return reject(
          new BackendUnavailableError({
            backend: settings.backendName,
            reason: `authentication failed for ${where} (tried ${describeMethods(target, agent)}); add the public key to ~${target.user}/.ssh/authorized_keys on the server`,
            retryable: false,
            cause: error,
          }),
        );
      }
      reject(
        new BackendUnavailableError({
          backend: settings.backendName,
          reason: `cannot connect to ${where}: ${error.code ?? error.level ?? ""} ${error.message}`.replace(/\s+/g, " ").trim(),
          retryable: true,
          cause: error,
        }),
      );
    });
    client.connect(config);
    // The handshake and the session's commands are small packets: with Nagle's algorithm and delayed ACKs each
    // round trip waits ~40 ms (setup took 200 ms instead of 37, a command 44 ms instead of 1).
    client.setNoDelay(true);
  });
}

function describeMethods(target: SshTarget, agent: string | undefined): string {
  const parts = target.keyFiles.map((file) => `key ${file}`);
  if (agent) parts.push("the ssh agent");
  return parts.join(", ");
}

async function loadKey(file: string, passphrase: string | undefined): Promise<ParsedKey> {
  const data = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError({ issues: [{ path: "key", value: file, expected: `a readable private key file (${error.code})` }] });
  });
  const key = utils.parseKey(data, passphrase);
  if (key instanceof Error) {
    const encrypted = /encrypted|passphrase/i.test(key.message);
    throw new ConfigError({
      issues: [
        {
          path: encrypted ? "passphrase" : "key",
          value: encrypted ? (passphrase === undefined ? undefined : "(the given passphrase)") : file,
          expected: encrypted
            ? `the passphrase of ${file}${passphrase === undefined ? " (the key is encrypted)" : " (the given one does not decrypt it)"}`
            : `a private key in OpenSSH or PEM format (${key.message})`,
        },
      ],
    });
  }
  return Array.isArray(key) ? (key[0] as ParsedKey) : key;
}

/** A TCP stream to the next hop, tunnelled through `client`. */
function forward(client: Client, next: SshTarget, backendName: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut("127.0.0.1", 0, next.host, next.port, (error, stream) => {
      if (error) {
        reject(
          new BackendUnavailableError({
            backend: backendName,
            reason: `the jump host cannot reach ${next.host}:${next.port}: ${error.message}`,
            retryable: true,
            cause: error,
          }),
        );
      } else resolve(stream);
    });
  });
}
