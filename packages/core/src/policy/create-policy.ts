import { realpathSync } from "node:fs";
import { posix } from "node:path";
import { ConfigError, type ConfigIssue } from "../errors/config-error.js";
import { hermesFloor } from "./floors.js";
import { analyzeCommand } from "./shell/analyze-command.js";
import {
  allowedCommands,
  type CustomForbid,
  chownRecursive,
  customForbid,
  type Decision,
  isInside,
  opaqueUnderDenyRules,
  type PathResolver,
  rmRfRoot,
  sandboxRoot,
  type Verdict,
} from "./shell-rules.js";

/** The policy keys as they appear in YAML (`backend.global` and a backend's own keys). */
export interface PolicySettings {
  forbid?: Array<string | { name?: string; program: string | string[]; args?: string[] }>;
  require_confirm?: string[];
  allowed_commands?: string[];
  authorized_commands_only?: boolean;
  sandbox_root?: string;
  log_all_commands?: boolean;
}

export type ActionKind = "shell_exec" | "write_file" | "read_file" | "delete_file" | "list_dir";

export type PolicyAction =
  | { action: "shell_exec"; command: string; cwd?: string; env?: Readonly<Record<string, string>> }
  | { action: "write_file" | "read_file" | "delete_file" | "list_dir"; path: string; cwd?: string };

export interface PolicyDecision {
  decision: Decision;
  /** The rule that decided (the strictest one), absent for a plain allow. */
  rule?: string;
  /** For the agent's model: what was found and what to do instead. */
  reason: string;
  /** Every rule that spoke, strictest first. */
  verdicts: Verdict[];
}

export interface Policy {
  evaluate(action: PolicyAction): PolicyDecision;
  readonly config: Readonly<PolicySettings>;
}

export interface PolicyOptions {
  /** Where relative paths start when an action gives no cwd. Default: the sandbox root, else `/`. */
  cwd?: string;
  /** `~` for commands. Default: the action's `env.HOME`, else this process's HOME. */
  home?: string;
  /**
   * The real path of a path on the target (following links that already exist there). Default: this
   * machine's filesystem (right for the local backend); pass `(path) => path` for a remote target.
   */
  realpath?: PathResolver;
}

/** Built-in forbid rules by name; `rm_rf_root` and the Hermes floor apply whatever the configuration says. */
const builtinForbids = ["rm_rf_root", "chown_recursive", "mkfs", "dd_to_device", "fork_bomb", "kill_all", "shutdown"];
const actionKinds: ActionKind[] = ["shell_exec", "write_file", "read_file", "delete_file", "list_dir"];
const rank: Record<Decision, number> = { allow: 0, confirm: 1, deny: 2 };

/**
 * A policy from its YAML keys. `evaluate` is pure and synchronous: it parses a command (never a regex on
 * the string), derives what it would do, and asks every rule; the strictest answer wins (deny > confirm >
 * allow). Built-in forbid rules are floors: nothing in the configuration lowers them.
 */
export function createPolicy(config: PolicySettings = {}, options: PolicyOptions = {}): Policy {
  const checked = checkConfig(config);
  const realpath = options.realpath ?? realpathOfExistingPrefix;
  const root = config.sandbox_root === undefined ? undefined : posix.normalize(config.sandbox_root).replace(/(.)\/+$/, "$1");
  const allowed = allowListOf(config);
  const requireConfirm = new Set(Array.isArray(config.require_confirm) ? config.require_confirm : []);
  const chown = checked.forbid.has("chown_recursive");
  return {
    config,
    evaluate(action: PolicyAction): PolicyDecision {
      const cwd = action.cwd ?? options.cwd ?? root ?? "/";
      const verdicts: Verdict[] = [];
      if (action.action === "shell_exec") {
        // `$HOME` resolves only when the target's home is known (given, or set for the command); `~` always does.
        const knownHome = action.env?.HOME ?? options.home;
        const home = knownHome ?? process.env.HOME ?? "/root";
        const facts = analyzeCommand(action.command, { cwd, home, ...(knownHome !== undefined && { variables: { HOME: knownHome } }) });
        verdicts.push(...rmRfRoot(facts), ...hermesFloor(facts), ...opaqueUnderDenyRules(facts));
        if (chown) verdicts.push(...chownRecursive(facts));
        for (const rule of checked.custom) verdicts.push(...customForbid(rule, facts));
        if (allowed) verdicts.push(...allowedCommands(allowed, facts));
        if (root !== undefined) verdicts.push(...sandboxRoot(root, facts, realpath));
      } else if (root !== undefined && (action.action === "write_file" || action.action === "delete_file")) {
        const path = realpath(posix.resolve(cwd, action.path));
        if (!isInside(root, path)) {
          verdicts.push({
            decision: "deny",
            rule: "sandbox_root",
            reason: `${action.action === "write_file" ? "writing" : "deleting"} ${path} is outside the sandbox root ${root}; use a path inside it.`,
          });
        }
      }
      if (requireConfirm.has(action.action)) {
        verdicts.push({
          decision: "confirm",
          rule: `require_confirm.${action.action}`,
          reason: `${action.action} needs a person's approval in this configuration.`,
        });
      }
      return decide(verdicts);
    },
  };
}

function decide(verdicts: Verdict[]): PolicyDecision {
  const ordered = [...verdicts].sort((a, b) => rank[b.decision] - rank[a.decision]);
  const strictest = ordered[0];
  if (!strictest) return { decision: "allow", reason: "no rule objects", verdicts: [] };
  const same = ordered.filter((verdict) => verdict.decision === strictest.decision);
  return {
    decision: strictest.decision,
    rule: strictest.rule,
    reason: [...new Set(same.map((verdict) => verdict.reason))].join(" "),
    verdicts: ordered,
  };
}

function allowListOf(config: PolicySettings): ReadonlySet<string> | undefined {
  if (config.authorized_commands_only === false || config.allowed_commands === undefined) return undefined;
  return new Set(config.allowed_commands);
}

function checkConfig(config: PolicySettings): { forbid: Set<string>; custom: CustomForbid[] } {
  const issues: ConfigIssue[] = [];
  const forbid = new Set<string>();
  const custom: CustomForbid[] = [];
  if (config.forbid !== undefined && !Array.isArray(config.forbid)) {
    issues.push({ path: "forbid", value: config.forbid, expected: "a list of rule names or { program, args }" });
  }
  for (const [index, entry] of (Array.isArray(config.forbid) ? config.forbid : []).entries()) {
    if (typeof entry === "string") {
      if (builtinForbids.includes(entry)) forbid.add(entry);
      else
        issues.push({
          path: `forbid.${index}`,
          value: entry,
          expected: `a built-in rule (${builtinForbids.join(", ")}) or { program, args }`,
        });
    } else if (entry && (typeof entry.program === "string" || Array.isArray(entry.program))) {
      const programs = typeof entry.program === "string" ? [entry.program] : entry.program;
      custom.push({ name: entry.name ?? `forbid.${index}`, programs, args: entry.args ?? [] });
    } else issues.push({ path: `forbid.${index}`, value: entry, expected: "a built-in rule name or { program, args }" });
  }
  if (config.require_confirm !== undefined && !Array.isArray(config.require_confirm)) {
    issues.push({ path: "require_confirm", value: config.require_confirm, expected: `a list of action kinds (${actionKinds.join(", ")})` });
  }
  for (const [index, kind] of (Array.isArray(config.require_confirm) ? config.require_confirm : []).entries()) {
    if (!actionKinds.includes(kind as ActionKind))
      issues.push({ path: `require_confirm.${index}`, value: kind, expected: `an action kind (${actionKinds.join(", ")})` });
  }
  if (config.authorized_commands_only === true && !config.allowed_commands?.length) {
    issues.push({
      path: "allowed_commands",
      value: config.allowed_commands,
      expected: "the programs that may run, since authorized_commands_only is true",
    });
  }
  if (config.sandbox_root !== undefined && !config.sandbox_root.startsWith("/")) {
    issues.push({ path: "sandbox_root", value: config.sandbox_root, expected: "an absolute path" });
  }
  if (issues.length > 0) throw new ConfigError({ issues });
  return { forbid, custom };
}

/** This machine's real path of the longest existing prefix of `path`, with the rest appended. */
function realpathOfExistingPrefix(path: string): string {
  let existing = path;
  const rest: string[] = [];
  while (existing !== "/") {
    try {
      return posix.join(realpathSync(existing), ...rest.reverse());
    } catch {
      rest.push(posix.basename(existing));
      existing = posix.dirname(existing);
    }
  }
  return path;
}
