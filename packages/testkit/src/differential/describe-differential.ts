import type { ExecResult, ExecutionEnvironment } from "@hermes/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DeliberateDifference, deliberateDifferences } from "./deliberate-differences.js";
import { sequences as defaultSequences, type Sequence } from "./sequences.js";

export interface DifferentialOptions {
  /** A new environment; the suite starts and disposes it. */
  create(): Promise<ExecutionEnvironment>;
  /** Sequences to run instead of the built-in ones. */
  sequences?: readonly Sequence[];
  /** Deliberate differences to check instead of the built-in ones. */
  deliberate?: readonly DeliberateDifference[];
  /** Multiplies time limits for slow backends. Default 1. */
  slowness?: number;
}

/** What one step did: the same shape from the session and from the plain bash script. */
interface StepOutcome {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
}

interface Run {
  steps: StepOutcome[];
  /** Sections of the state dump, or undefined when the sequence ended the shell. */
  state: Record<string, string> | undefined;
}

const scratch = '"${TMPDIR:-/tmp}/hermes-differential"';

/**
 * Registers the differential suite (vitest): every sequence runs through the environment, one `exec` per
 * step, and as one plain `bash --noprofile --norc` script in the same target (run as a program, through
 * `exec` with an argv array), and the two must agree step by step (stdout, stderr, exit status) and on
 * the state afterwards: cwd, exported variables, functions, aliases, options and traps. Where the session
 * differs on purpose (core's README lists each difference), the script is given the session's choice:
 * aliases are on, and the EXIT trap is not compared (the session's own handler stands in it).
 */
export function describeDifferential(name: string, options: DifferentialOptions): void {
  describe(`${name}: differential against plain bash`, () => {
    let env: ExecutionEnvironment | undefined;
    /** The exported variables at the start, as `export -p` lines: each sequence starts from them. */
    let baseline = "";
    const timeoutMs = 15_000 * (options.slowness ?? 1);
    beforeAll(async () => {
      env = await options.create();
      baseline = ownExports((await env.exec("export -p")).stdout).join("\n");
    }, timeoutMs);
    afterAll(async () => {
      await env?.exec(`rm -rf ${scratch}`, { session: false }).catch(() => {});
      await env?.dispose();
    }, timeoutMs);

    for (const sequence of options.sequences ?? defaultSequences) {
      it(
        sequence.name,
        async () => {
          const target = env as ExecutionEnvironment;
          // Both start from a fresh shell in an empty directory with the session's exported variables.
          // Exported values are the session's to keep: put them back so no sequence sees another's.
          const names = ownExports((await target.exec("export -p")).stdout).map((line) => line.split(/[ =]/)[2]);
          await target.exec(`unset ${names.join(" ")} 2>/dev/null\n${baseline}`);
          await target.exec("exit 0");
          await target.exec(fromScratch);
          const reference = await runScript(target, sequence, timeoutMs);
          await target.exec(fromScratch);
          const session = await runSession(target, sequence, timeoutMs, reference.state === undefined);
          for (const [index, step] of sequence.steps.entries()) {
            expect(session.steps[index], `step ${index + 1}: ${step}`).toEqual(reference.steps[index]);
          }
          if (reference.state) expect(session.state).toEqual(reference.state);
        },
        timeoutMs * 2,
      );
    }

    for (const difference of options.deliberate ?? deliberateDifferences) {
      it(
        `differs on purpose: ${difference.name}`,
        async () => {
          const target = env as ExecutionEnvironment;
          await target.exec("exit 0");
          await target.exec(fromScratch);
          const script = await target.exec(["bash", "--noprofile", "--norc", "-c", difference.steps.join("\n")], { timeoutMs });
          await target.exec(fromScratch);
          let stdout = "";
          let stderr = "";
          for (const step of difference.steps) {
            const result = await target.exec(step, { timeoutMs });
            stdout += result.stdout;
            stderr += normalise(result.stderr);
          }
          expect(stdout).toEqual(
            difference.session.stdout instanceof RegExp ? expect.stringMatching(difference.session.stdout) : difference.session.stdout,
          );
          if (difference.session.stderr !== undefined)
            expect(stderr).toEqual(
              difference.session.stderr instanceof RegExp ? expect.stringMatching(difference.session.stderr) : difference.session.stderr,
            );
          // Still a difference: plain bash does otherwise.
          expect({ stdout: script.stdout, stderr: normalise(script.stderr) }).not.toEqual({ stdout, stderr });
        },
        timeoutMs * 2,
      );
    }
  });
}

const fromScratch = `cd / && rm -rf ${scratch} && mkdir -p ${scratch} && cd ${scratch}`;

/**
 * After each step of the script: its status and the end of its output, written on fds far from what steps use,
 * silenced against traces and DEBUG traps as the session is, and `$_` left as the step left it. (`$?` cannot
 * be put back without running a command that fails: the script, like the session, starts each step at 0.)
 */
const stepEnd = `{ __hermes_step=$? __hermes_last=$_; builtin printf '\\036STEP %d\\n' "$__hermes_step" >&61; builtin printf '\\036STEP\\n' >&60; builtin : "$__hermes_last"; } 61>&1 60>&2 >/dev/null 2>&1`;

const stateDump = [
  "builtin pwd",
  "builtin export -p",
  "builtin declare -f",
  "builtin alias -p",
  "builtin set +o",
  "builtin shopt -p",
  "builtin trap -p",
]
  .map((command) => `${command}; builtin printf '\\036SECTION\\n'`)
  .join("; ");
const sectionNames = ["cwd", "exports", "functions", "aliases", "options", "shopt", "traps"];

/** Every step in one plain bash script, with a status marker after each, then the state. */
async function runScript(env: ExecutionEnvironment, sequence: Sequence, timeoutMs: number): Promise<Run> {
  const script = ["builtin shopt -s expand_aliases", ...sequence.steps.flatMap((step) => [step, stepEnd]), stateDump].join("\n");
  const result = await env.exec(["bash", "--noprofile", "--norc", "-c", script], { timeoutMs });
  expect(result.timedOut, "the bash script timed out").toBe(false);
  const stdout = result.stdout.split(/\x1eSTEP (\d+)\n/);
  const stderr = result.stderr.split("\x1eSTEP\n");
  const steps: StepOutcome[] = [];
  for (let index = 0; index < sequence.steps.length; index++) {
    const status = stdout[index * 2 + 1];
    if (status === undefined) {
      // The shell ended in this step: what is left is its output, and the process's status its status.
      steps.push(outcome(stdout[index * 2] ?? "", stderr[index] ?? "", result));
      return { steps, state: undefined };
    }
    steps.push({ stdout: stdout[index * 2] as string, stderr: normalise(stderr[index] as string), exitCode: Number(status), signal: null });
  }
  return { steps, state: parseState(stdout[sequence.steps.length * 2] ?? "") };
}

/** One `exec` per step; then the state, unless the script showed that the last step ends the shell. */
async function runSession(env: ExecutionEnvironment, sequence: Sequence, timeoutMs: number, ends: boolean): Promise<Run> {
  const steps: StepOutcome[] = [];
  for (const step of sequence.steps) {
    const result = await env.exec(step, { timeoutMs });
    expect(result.timedOut, `the session timed out on: ${step}`).toBe(false);
    steps.push(outcome(result.stdout, result.stderr, result));
  }
  if (ends) return { steps, state: undefined };
  return { steps, state: parseState((await env.exec(stateDump)).stdout) };
}

function outcome(stdout: string, stderr: string, result: ExecResult): StepOutcome {
  return { stdout, stderr: normalise(stderr), exitCode: result.exitCode, signal: result.signal };
}

/** `export -p` lines without core's own variables (bash quotes control characters, so a line is a variable). */
function ownExports(text: string): string[] {
  return text.split("\n").filter((line) => /^declare -x /.test(line) && !/^declare -x HERMES_/.test(line));
}

/** Error messages name the line in the input: the session's count grows with every call (a listed difference). */
function normalise(stderr: string): string {
  return stderr.replace(/^(bash: (?:eval: |-c: )?line )\d+: /gm, "$1N: ");
}

function parseState(text: string): Record<string, string> {
  const sections = text.split("\x1eSECTION\n");
  const state: Record<string, string> = {};
  for (const [index, name] of sectionNames.entries()) state[name] = sections[index] ?? "";
  state.exports = (state.exports ?? "")
    .split("\n")
    .filter((line) => !/^(declare -x|export) (HERMES_|_=)/.test(line))
    .join("\n");
  state.traps = (state.traps ?? "")
    .split(/\n(?=trap -- )/)
    .filter((entry) => !/ EXIT\n?$/.test(entry))
    .join("\n");
  return state;
}
