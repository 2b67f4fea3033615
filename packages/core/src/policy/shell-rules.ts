import { posix } from "node:path";
import type { CommandFacts, OpaqueKind, PathFact } from "./shell/command-facts.js";
import { globBase, globMatches } from "./shell/glob-match.js";

export type Decision = "allow" | "confirm" | "deny";

export interface Verdict {
  decision: Decision;
  rule: string;
  reason: string;
}

/** Top-level directories whose recursive delete wipes the system, as `/` itself does. */
const systemDirectories = new Set(
  (
    "/bin /boot /dev /etc /home /lib /lib32 /lib64 /libx32 /media /mnt /opt /proc /root /run /sbin /srv /sys /tmp /usr /var " +
    "/snap /nix /lost+found /Applications /Library /System /Users /Volumes /private"
  ).split(" "),
);
/** Opaque parts that could hide anything a deny rule forbids. */
const hidesAnything: OpaqueKind[] = ["dynamic-name", "dynamic-script", "inline-code", "script-file", "unparsable"];

/** Names no real entry has: a pattern that matches both matches every entry of its directory. */
const anyNames = ["zq9x-hermes", "A.b_7"];

/**
 * For a recursive delete of a glob pattern: the protected path it can name (`/u*` names /usr), or, when it
 * matches every entry of `/` or of a system directory (`/usr/*`), that directory. Undefined when it names
 * neither (`/tmp/build-*` names some entries of /tmp, not /tmp).
 */
function protectedMatch(pattern: string): { path: string; everything: boolean } | undefined {
  for (const directory of ["/", ...systemDirectories]) {
    if (globMatches(pattern, directory)) return { path: directory, everything: false };
    const prefix = directory === "/" ? "/" : `${directory}/`;
    if (anyNames.every((name) => globMatches(pattern, prefix + name))) return { path: directory, everything: true };
  }
  return undefined;
}

export const deny = (rule: string, reason: string): Verdict => ({ decision: "deny", rule, reason });
const confirm = (rule: string, reason: string): Verdict => ({ decision: "confirm", rule, reason });

/** rm_rf_root: a recursive delete of `/`, of everything in it, or of a top-level system directory, by any program. */
export function rmRfRoot(facts: CommandFacts): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const fact of facts.paths) {
    // `within`: a filter selects some entries below the path (find -name ... -delete), not the tree as a whole.
    if (fact.operation !== "delete" || !fact.recursive || fact.within) continue;
    if (fact.path === null) {
      verdicts.push(
        confirm(
          "rm_rf_root",
          `${fact.program} deletes ${fact.raw} recursively, and what that is is only known at run time (it could be /)`,
        ),
      );
      continue;
    }
    const named = fact.glob
      ? protectedMatch(fact.path)
      : fact.path === "/" || systemDirectories.has(fact.path)
        ? { path: fact.path, everything: false }
        : undefined;
    if (named) {
      verdicts.push(
        deny(
          "rm_rf_root",
          `${fact.program} would recursively delete ${named.everything ? `everything in ${named.path}` : named.path} (written ${fact.raw}): deleting the root or a system directory is forbidden and cannot be approved. Delete only paths inside the project.`,
        ),
      );
    }
  }
  return verdicts;
}

/** chown_recursive: any recursive change of owner or group (`-R`, `find -exec chown`, `find | xargs chown`). */
export function chownRecursive(facts: CommandFacts): Verdict[] {
  return facts.paths
    .filter((fact) => fact.operation === "chown" && fact.recursive)
    .map((fact) =>
      deny(
        "chown_recursive",
        `${fact.program} would change ownership recursively under ${fact.path ?? fact.raw}: recursive ownership changes are forbidden. Change the files you need one by one.`,
      ),
    );
}

/** A custom `forbid` rule from configuration: a program and argument patterns (`*` wildcards). */
export interface CustomForbid {
  name: string;
  programs: string[];
  args: string[];
}

export function customForbid(rule: CustomForbid, facts: CommandFacts): Verdict[] {
  const matchers = rule.args.map(wildcard);
  const programs = rule.programs.map(wildcard);
  return facts.execs
    .filter((exec) => exec.program !== null && programs.some((program) => program.test(exec.program as string)))
    .filter((exec) => matchers.every((matcher) => exec.args.some((arg) => arg !== null && matcher.test(arg))))
    .map((exec) => deny(rule.name, `${exec.program} ${rule.args.join(" ")} is forbidden by the rule ${rule.name}.`));
}

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
}

/** Under deny rules, a part the analysis cannot see into is a question, never an allow. */
export function opaqueUnderDenyRules(facts: CommandFacts): Verdict[] {
  return facts.opaque
    .filter((fact) => hidesAnything.includes(fact.kind))
    .map((fact) => confirm("opaque", `${fact.detail}: the policy cannot check what it does, so a person must approve it.`));
}

/** Variables that make an allowed program run other code. */
const dangerousVariables = new Set([
  "LD_PRELOAD",
  "LD_LIBRARY_PATH",
  "LD_AUDIT",
  "BASH_ENV",
  "ENV",
  "PATH",
  "IFS",
  "PROMPT_COMMAND",
  "SHELLOPTS",
  "BASHOPTS",
  "PYTHONPATH",
  "PYTHONSTARTUP",
  "PYTHONHOME",
  "PYTHONINSPECT",
  "NODE_OPTIONS",
  "NODE_PATH",
  "PERL5OPT",
  "PERL5LIB",
  "PERLLIB",
  "RUBYOPT",
  "RUBYLIB",
  "GIT_SSH_COMMAND",
  "GIT_EXEC_PATH",
  "EDITOR",
  "VISUAL",
  "PAGER",
  "PS0",
  "PS1",
  "PS2",
  "PS4",
  "MANPAGER",
  "GIT_PAGER",
  "GIT_EDITOR",
  "SYSTEMD_PAGER",
  "SYSTEMD_EDITOR",
  "BROWSER",
  "GIT_SSH",
  "GIT_ASKPASS",
  "SSH_ASKPASS",
  "SUDO_ASKPASS",
  "GIT_PROXY_COMMAND",
  "GIT_EXTERNAL_DIFF",
  "GIT_CONFIG_COUNT",
  "GIT_CONFIG_PARAMETERS",
  "GIT_TEMPLATE_DIR",
  "PYTHONWARNINGS",
  "PYTHONBREAKPOINT",
  "PYTHONUSERBASE",
  "PYTHONEXECUTABLE",
  "PERL5DB",
  "PERLDB_OPTS",
  "JAVA_TOOL_OPTIONS",
  "_JAVA_OPTIONS",
  "JDK_JAVA_OPTIONS",
  "LESSOPEN",
  "LESSCLOSE",
  "RSYNC_RSH",
  "CVS_RSH",
  "FCEDIT",
  "HGEDITOR",
  "SVN_EDITOR",
  "TERMINAL",
  "GCONV_PATH",
  "NODE_REPL_EXTERNAL_MODULE",
  "RUBY_ENGINE",
  "TAR_OPTIONS",
  "ZDOTDIR",
  "HISTFILE",
]);
/** Where a trusted program may be named by absolute path. */
const trustedDirectories = new Set(["/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin", "/sbin"]);
/**
 * Shell builtins allowed without being listed: they run nothing themselves, or only what the analysis checks on
 * its own (`exec prog`, `command prog`, `eval 'literal'`; `source file` runs a script file: confirm).
 */
const inertBuiltins = new Set(
  "cd pushd popd true false : test [ export declare typeset local readonly unset set shopt exit return wait shift exec command builtin eval source . alias".split(
    " ",
  ),
);

/** allowed_commands: every program that runs is on the list, named plainly or from a trusted directory. */
export function allowedCommands(allowed: ReadonlySet<string>, facts: CommandFacts): Verdict[] {
  const rule = "allowed_commands";
  const verdicts: Verdict[] = [];
  const list = [...allowed].join(", ");
  for (const exec of facts.execs) {
    if (exec.program === null || exec.path === null) {
      verdicts.push(deny(rule, `a program whose name is only known at run time would run; only ${list} may run.`));
      continue;
    }
    const variable = exec.env.find((name) => dangerousVariables.has(name) || /^(LD_|DYLD_|GIT_CONFIG_(KEY|VALUE)_|BASH_FUNC_)/.test(name));
    if (variable)
      verdicts.push(
        deny(rule, `${variable} is set for ${exec.program}: it makes a program load or run other code. Run ${exec.program} without it.`),
      );
    if (inertBuiltins.has(exec.program) && !exec.path.includes("/")) continue;
    if (!allowed.has(exec.program)) {
      verdicts.push(deny(rule, `${exec.program} is not an allowed command (allowed: ${list}).`));
      continue;
    }
    if (exec.path.includes("/") && !(exec.path.startsWith("/") && trustedDirectories.has(posix.dirname(posix.normalize(exec.path))))) {
      verdicts.push(
        deny(rule, `${exec.path} is a file named like an allowed program, not the installed one; run ${exec.program} by name.`),
      );
    }
  }
  for (const target of facts.network) verdicts.push(deny(rule, `the shell would open a network connection to ${target}.`));
  for (const fact of facts.opaque) {
    if (fact.kind === "dynamic-name" || fact.kind === "dynamic-script" || fact.kind === "unparsable" || fact.kind === "runtime-arguments") {
      verdicts.push(deny(rule, `${fact.detail}; under an allow-list, what cannot be checked does not run.`));
    } else if (fact.kind === "inline-code" || fact.kind === "script-file") {
      verdicts.push(
        confirm(rule, `${fact.detail}; the program is allowed but what it runs cannot be checked, so a person must approve it.`),
      );
    }
  }
  return verdicts;
}

/** The real location of a path: through links the command itself creates, then the filesystem's (if known). */
export type PathResolver = (path: string) => string;

/** Whether `path` is `root` or under it, by path component (`/tmp/sbx2` is not under `/tmp/sbx`). */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root === "/" ? "/" : `${root}/`);
}

/** sandbox_root: writes, creates and deletes stay inside the root; reads are not confined. */
export function sandboxRoot(root: string, facts: CommandFacts, realpath: PathResolver): Verdict[] {
  const rule = "sandbox_root";
  const verdicts: Verdict[] = [];
  // Links the command creates count for every path in it (a background job may create them first).
  const links = facts.paths.filter((fact) => fact.operation === "symlink" && fact.path !== null);
  const resolve = (path: string): string => {
    let resolved = path;
    for (let round = 0; round < 8; round++) {
      const link = links.find((fact) => fact.target && isInside(fact.path as string, resolved));
      if (!link?.target) break;
      resolved = posix.join(link.target, posix.relative(link.path as string, resolved));
    }
    return realpath(resolved);
  };
  const outside = (fact: PathFact, path: string, what: string) =>
    deny(
      rule,
      `${fact.program} would ${what} ${path}${path !== fact.raw ? ` (written ${fact.raw})` : ""}, outside the sandbox root ${root}. Work inside ${root}.`,
    );
  for (const fact of facts.paths) {
    if (fact.remote) {
      verdicts.push(confirm(rule, `${fact.program} changes ${fact.raw} on another host (over ssh), which ${root} does not cover.`));
      continue;
    }
    if (fact.path === null) {
      verdicts.push(confirm(rule, `${fact.program} writes to ${fact.raw}, a path only known at run time; it may be outside ${root}.`));
      continue;
    }
    const place = resolve(fact.glob ? globBase(fact.path) : fact.path);
    const what = fact.operation === "delete" ? "delete" : fact.operation === "chown" ? "change the owner of" : "write to";
    if (fact.operation === "symlink" || fact.operation === "hardlink") {
      const linkPlace = realpath(fact.path);
      if (!isInside(root, linkPlace)) verdicts.push(outside(fact, linkPlace, "create a link at"));
      const target = fact.target === undefined || fact.target === null ? null : realpath(fact.target);
      if (fact.operation === "hardlink" && (target === null || !isInside(root, target))) {
        verdicts.push(
          deny(
            rule,
            `${fact.program} would hard-link ${target ?? "a file"} from outside ${root} into it; writing through that link changes the outside file.`,
          ),
        );
      } else if (fact.operation === "symlink" && (target === null || !isInside(root, target))) {
        verdicts.push(
          confirm(
            rule,
            `${fact.program} creates a link in the sandbox pointing at ${target ?? "a path only known at run time"}, outside ${root}: a way out of the sandbox.`,
          ),
        );
      }
      continue;
    }
    if (!isInside(root, place)) verdicts.push(outside(fact, place, what));
  }
  for (const fact of facts.opaque) {
    if (fact.kind === "unmodelled-program") {
      const away = (fact.paths ?? []).filter((path) => path === null || !isInside(root, resolve(path)));
      if (away.length > 0) {
        verdicts.push(
          confirm(
            rule,
            `${fact.detail}, and it is given ${away.map((path) => path ?? "a path only known at run time").join(", ")}, outside ${root}.`,
          ),
        );
      }
    } else {
      verdicts.push(confirm(rule, `${fact.detail}: where it writes cannot be checked against ${root}.`));
    }
  }
  return verdicts;
}
