import { HostKeyError } from "@hermes/core";
import { addKnownHost, checkHostKey, keyFingerprint, keyTypeOf } from "./known-hosts.js";

export interface HostKeyPolicy {
  /** known_hosts files, the first being where trust on first use records new keys. */
  knownHostsFiles: readonly string[];
  /** Accept and record the key of a host none of the files knows. Never accepts a changed key. */
  trustOnFirstUse: boolean;
}

/**
 * A host key check for one connection attempt, in the shape ssh2's `hostVerifier` takes. When it refuses
 * a key, `refusal` holds the HostKeyError that says why and how to fix it (ssh2 itself only reports
 * "host denied").
 */
export function hostKeyVerifier(host: string, port: number, policy: HostKeyPolicy) {
  let refusal: HostKeyError | undefined;
  const file = policy.knownHostsFiles[0] ?? "~/.ssh/known_hosts";
  return {
    verify: (key: Buffer, done: (accept: boolean) => void): void => {
      void checkHostKey(policy.knownHostsFiles, host, port, key).then(
        async (check) => {
          if (check.status === "match") return done(true);
          if (check.status === "unknown" && policy.trustOnFirstUse) {
            await addKnownHost(file, host, port, key);
            return done(true);
          }
          refusal = new HostKeyError({
            host,
            port,
            problem: check.status,
            fingerprint: keyFingerprint(key),
            keyType: keyTypeOf(key),
            knownHostsFile: check.file ?? file,
            ...(check.line !== undefined && { line: check.line }),
          });
          done(false);
        },
        () => done(false),
      );
    },
    refusal: (): HostKeyError | undefined => refusal,
  };
}
