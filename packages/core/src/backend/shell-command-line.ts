import { posixQuote } from "../session/posix-quote.js";
import type { ProcessSpec } from "../types/backend.js";

/**
 * A process spec as one line for any POSIX sh: change directory, export, exec. For transports that take a
 * command string (an ssh exec channel, a cloud sandbox's command API) rather than an argv. `stdin: "ignore"`
 * is `/dev/null` here, whatever the transport connects.
 */
export function shellCommandLine(spec: ProcessSpec): string {
  return [
    ...(spec.cwd !== undefined ? [`cd ${posixQuote(spec.cwd)} || exit 127`] : []),
    ...Object.entries(spec.env ?? {}).map(([name, value]) => `export ${name}=${posixQuote(value)}`),
    `exec ${spec.argv.map(posixQuote).join(" ")}${spec.stdin === "ignore" ? " </dev/null" : ""}`,
  ].join("; ");
}
