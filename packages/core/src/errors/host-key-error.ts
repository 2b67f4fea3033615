import { HermesError, hasMarker } from "./hermes-error.js";

const marker = Symbol.for("hermes.error.HostKeyError");

export type HostKeyProblem = "unknown" | "changed" | "revoked";

/** An SSH server's host key could not be verified: the connection was refused before any authentication. */
export class HostKeyError extends HermesError {
  readonly [marker] = true;
  readonly host: string;
  readonly port: number;
  readonly problem: HostKeyProblem;
  /** `SHA256:...` of the key the server presented. */
  readonly fingerprint: string;

  constructor(options: {
    host: string;
    port: number;
    problem: HostKeyProblem;
    fingerprint: string;
    keyType: string;
    knownHostsFile: string;
    /** The line that holds the old key, for "changed" and "revoked". */
    line?: number;
  }) {
    const name = options.port === 22 ? options.host : `[${options.host}]:${options.port}`;
    const scan = `ssh-keyscan ${options.port === 22 ? "" : `-p ${options.port} `}-t ${options.keyType.replace(/^ssh-/, "")} ${options.host}`;
    const messages: Record<HostKeyProblem, string> = {
      unknown:
        `The host key of ${name} is not in ${options.knownHostsFile} (the server offered ${options.keyType} ${options.fingerprint}). ` +
        `Check that fingerprint with the server's administrator (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the server), then add it: ` +
        `${scan} >> ${options.knownHostsFile}, or connect once with ssh. To accept a new host's key automatically, set trust_on_first_use: true.`,
      changed:
        `The host key of ${name} has CHANGED: ${options.knownHostsFile} line ${options.line} holds another ${options.keyType} key, and the server now offers ${options.fingerprint}. ` +
        `Someone may be intercepting the connection, or the server was reinstalled. If the change is expected, remove the old key with ` +
        `ssh-keygen -R '${name}' -f ${options.knownHostsFile} and add the new one.`,
      revoked: `The host key of ${name} (${options.fingerprint}) is marked @revoked in ${options.knownHostsFile} line ${options.line}; the connection is refused.`,
    };
    super({ message: messages[options.problem], code: `HOST_KEY_${options.problem.toUpperCase()}`, retryable: false });
    this.name = "HostKeyError";
    this.host = options.host;
    this.port = options.port;
    this.problem = options.problem;
    this.fingerprint = options.fingerprint;
  }

  static override isInstance(error: unknown): error is HostKeyError {
    return hasMarker(error, marker);
  }
}
