import { posix } from "node:path";
import type { CommandFacts, OpaqueKind, PathFact } from "./shell/command-facts.js";

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
/** Block devices: writing to one destroys a filesystem. */
const blockDevice = /^\/dev\/(sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|dm-\d|md\d|loop\d|mapper\/|disk\/)/;
/** Opaque parts that could hide anything a deny rule forbids. */
const hidesAnything: OpaqueKind[] = ["dynamic-name", "dynamic-script", "inline-code", "script-file", "unparsable"];

/** The part of a glob pattern before its first wildcard component: what it lists. */
function globBase(path: string): string {
  const components = path.split("/");
  const first = components.findIndex((component) => /[*?[]/.test(component));
  return first <= 0 ? "/" : components.slice(0, first).join("/") || "/";
}

const deny = (rule: string, reason: string): Verdict => ({ decision: "deny", rule, reason });
const confirm = (rule: string, reason: string): Verdict => ({ decision: "confirm", rule, reason });

/** rm_rf_root: a recursive delete of `/`, of everything in it, or of a top-level system directory, by any program. */
export function rmRfRoot(facts: CommandFacts): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const fact of facts.paths) {
    if (fact.operation !== "delete" || !fact.recursive) continue;
    if (fact.path === null) {
      verdicts.push(
        confirm(
          "rm_rf_root",
          `${fact.program} deletes ${fact.raw} recursively, and what that is is only known at run time (it could be /)`,
        ),
      );
      continue;
    }
    const base = fact.glob ? globBase(fact.path) : fact.path;
    if (base === "/" || (!fact.glob && systemDirectories.has(fact.path)) || (fact.glob && systemDirectories.has(base))) {
      verdicts.push(
        deny(
          "rm_rf_root",
          `${fact.program} would recursively delete ${fact.glob ? `everything in ${base}` : fact.path} (written ${fact.raw}): deleting the root or a system directory is forbidden and cannot be approved. Delete only paths inside the project.`,
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

/** The floor Hermes never lets through: mkfs, writing to a block device, fork bombs, `kill -1`, shutdown and reboot. */
export function hermesFloor(facts: CommandFacts): Verdict[] {
  const verdicts: Verdict[] = [];
  if (facts.forkBomb)
    verdicts.push(deny("fork_bomb", "the command defines a function that starts itself in a pipe or in the background: a fork bomb."));
  for (const fact of facts.paths) {
    if ((fact.operation === "write" || fact.operation === "delete") && fact.path !== null && blockDevice.test(fact.path)) {
      verdicts.push(deny("dd_to_device", `${fact.program} would write to the block device ${fact.path}, destroying its filesystem.`));
    }
  }
  for (const exec of facts.execs) {
    const program = exec.program ?? "";
    const args = exec.args;
    if (/^mkfs(\.|$)|^mke2fs$|^mkswap$/.test(program)) verdicts.push(deny("mkfs", `${program} creates a filesystem, erasing the device.`));
    if (["shutdown", "reboot", "halt", "poweroff"].includes(program)) verdicts.push(deny("shutdown", `${program} would stop the machine.`));
    if ((program === "init" || program === "telinit") && ["0", "6"].includes(args[0] ?? ""))
      verdicts.push(deny("shutdown", `${program} ${args[0]} would stop the machine.`));
    if (program === "systemctl" && args.some((arg) => ["poweroff", "reboot", "halt", "kexec"].includes(arg ?? ""))) {
      verdicts.push(deny("shutdown", "systemctl would stop the machine."));
    }
    if ((program === "kill" || program === "pkill") && killsEverything(args)) {
      verdicts.push(deny("kill_all", `${program} -1 signals every process the user may signal.`));
    }
  }
  return verdicts;
}

function killsEverything(args: Array<string | null>): boolean {
  let index = 0;
  if (args[0] === "-s" || args[0] === "-n") index = 2;
  else if (args[0] !== undefined && args[0] !== null && /^-([A-Z]+|\d+)$/.test(args[0]) && args.length > 1) index = 1;
  if (args[index] === "--") index++;
  return args.slice(index).some((arg) => arg === "-1") || (args.length === 1 && args[0] === "-1");
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
    const variable = exec.env.find((name) => dangerousVariables.has(name) || name.startsWith("LD_") || name.startsWith("DYLD_"));
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
