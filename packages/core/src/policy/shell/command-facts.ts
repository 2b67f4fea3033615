/**
 * What a shell command would do, as far as its text tells: the facts policy rules decide from. A value of
 * `null` is unknown until run time (a variable, a substitution); rules treat unknown as possibly anything.
 */
export interface CommandFacts {
  /** Every program that would run, wrappers included, innermost last. */
  execs: ExecFact[];
  /** Effects on paths, absolute and normalised when known. */
  paths: PathFact[];
  /** Parts the analysis cannot see into. */
  opaque: OpaqueFact[];
  /** Connections the shell itself opens (`/dev/tcp/...`). */
  network: string[];
  /** A function that calls itself in a pipe or in the background: a fork bomb. */
  forkBomb: boolean;
}

export interface ExecFact {
  /** The program's name (basename), or null when computed at run time. */
  program: string | null;
  /** As written, after quote removal: `rm`, `/bin/rm`, `./python3`. */
  path: string | null;
  /** Arguments after the program; null for one not knowable. */
  args: Array<string | null>;
  /** Variables set for this program by the command (`X=1 prog`, `env X=1 prog`, `export X=1`). */
  env: string[];
  /** The wrappers it runs under (`sudo`, `env`, `xargs`). */
  via: string[];
}

export type PathOperation = "write" | "delete" | "chown" | "symlink" | "hardlink";

export interface PathFact {
  operation: PathOperation;
  /** Absolute and normalised; null when unknown. For a symlink or hard link: the link's own path. */
  path: string | null;
  /** As written. */
  raw: string;
  /** A recursive delete or ownership change (the whole tree under `path`). */
  recursive: boolean;
  /** Only entries below `path` that a filter selects (`find /tmp -name 'x*' -delete`), not `path` itself nor all of it. */
  within?: boolean;
  /** `path` is a glob pattern (`/*`): its directory's entries. */
  glob: boolean;
  /** For links: what the link points to (absolute), null when unknown. */
  target?: string | null;
  /** On another host (`ssh host cmd`): local path rules do not apply. */
  remote?: boolean;
  program: string;
}

export type OpaqueKind =
  /** The program name is computed at run time. */
  | "dynamic-name"
  /** A shell script that is only known at run time (`bash -c "$X"`, `eval "$(...)"`, decoded or downloaded code piped to a shell). */
  | "dynamic-script"
  /** Code in another language inline (`python3 -c`, `awk '...'`, a heredoc fed to an interpreter). */
  | "inline-code"
  /** A shell script file (its contents can change after the check). */
  | "script-file"
  /** Arguments read from stdin or a file (`xargs` without literal input). */
  | "runtime-arguments"
  /** An archive extracted: member paths unknown. */
  | "archive"
  /** A program whose effects on its path arguments are not modelled. */
  | "unmodelled-program"
  /** The text does not parse, or is past the analysis limits. */
  | "unparsable";

export interface OpaqueFact {
  kind: OpaqueKind;
  detail: string;
  program?: string;
  /** For `unmodelled-program`: its path-like arguments, resolved (null when unknown). */
  paths?: Array<string | null>;
}

export function emptyFacts(): CommandFacts {
  return { execs: [], paths: [], opaque: [], network: [], forkBomb: false };
}
