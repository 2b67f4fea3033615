import { type BackendInstance, type ProgramOutput, runProgram } from "@hermes/core";

/** Runs a bash script on the cluster host (`$1`... are `args`) and gives its exit code and output. */
export function hostScript(
  host: BackendInstance,
  script: string,
  args: readonly string[] = [],
  stdin?: Uint8Array,
): Promise<ProgramOutput> {
  return runProgram((spec) => host.start(spec), ["bash", "--noprofile", "--norc", "-c", script, "hermes", ...args], stdin);
}

/** The stdout of a script that must succeed; otherwise `fail` explains it (with the script's stderr). */
export async function hostOutput(
  host: BackendInstance,
  script: string,
  args: readonly string[],
  fail: (stderr: string, code: number | null) => Error,
): Promise<string> {
  const result = await hostScript(host, script, args);
  if (result.code !== 0) throw fail(result.stderr.trim(), result.code);
  return result.stdout.toString("utf8");
}
