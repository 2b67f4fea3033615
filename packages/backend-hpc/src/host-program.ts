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
