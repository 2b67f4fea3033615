import type { HermesConfig, RoutingMatch, RoutingRuleConfig } from "../config/hermes-config.js";
import { ConfigError } from "../errors/config-error.js";
import type { TaskContext } from "../types/task-context.js";
import { inTimeWindow, parseTimeWindow } from "./time-window.js";

export interface RouteDecision {
  /** The configured instance name to use. */
  backend: string;
  /** Index of the rule that matched (as in `backend.routing.rules.N`); absent when the default was used. */
  rule?: number;
  /** Why, in words: the rule and what matched, or why no rule applied. */
  reason: string;
}

export interface Router {
  /** The backend for `task`: the first rule that matches, else the default backend. */
  select(task?: TaskContext): RouteDecision;
  /** The backends to try, in order, when the selected one is unavailable. */
  readonly fallback: readonly string[];
  readonly defaultBackend: string;
}

/** What the router needs of a configuration: `loadConfig`'s result, or the same fields written in code. */
export type RouterConfig = Pick<HermesConfig, "defaultBackend" | "routing"> & Partial<Pick<HermesConfig, "backends">>;

/** One test of a rule, and why it failed (built only when no rule matches: a match costs no strings). */
interface Check {
  holds(task: TaskContext, at: () => Date): boolean;
  whyNot(task: TaskContext, at: () => Date): string;
}

interface CompiledRule {
  backend: string;
  description: string;
  checks: Check[];
}

/**
 * The router of DESIGN.md section 6: ordered rules, first match wins, the default when none matches.
 * Rules are compiled once, so `select` only compares values (well under 10 µs).
 */
export function createRouter(config: RouterConfig): Router {
  const rules = config.routing.rules.map((rule, index) => compileRule(rule, index));
  if (config.backends) checkNames(config as RouterConfig & Pick<HermesConfig, "backends">);
  const fallback = [...config.routing.fallback];
  return {
    defaultBackend: config.defaultBackend,
    fallback,
    select(task: TaskContext = {}): RouteDecision {
      let now: Date | undefined;
      const at = () => {
        now ??= task.at ?? new Date();
        return now;
      };
      for (let index = 0; index < rules.length; index++) {
        const rule = rules[index] as CompiledRule;
        if (rule.checks.every((check) => check.holds(task, at))) {
          return { backend: rule.backend, rule: index, reason: `rule ${index} (${rule.description}) matched` };
        }
      }
      const misses = rules.map((rule, index) => `rule ${index}: ${rule.checks.find((check) => !check.holds(task, at))?.whyNot(task, at)}`);
      const why = misses.length > 0 ? `no rule matched (${misses.join("; ")})` : "no routing rules";
      return { backend: config.defaultBackend, reason: `${why}; the default backend` };
    },
  };
}

function compileRule(rule: RoutingRuleConfig, index: number): CompiledRule {
  const match: RoutingMatch = rule.match ?? {};
  const checks: Check[] = [];
  const described: string[] = [];
  if (match.task !== undefined) {
    const kind = match.task;
    described.push(`task ${kind}`);
    checks.push({ holds: (task) => task.kind === kind, whyNot: (task) => `task is ${task.kind ?? "not given"}, not ${kind}` });
  }
  if (match.sizeGtMb !== undefined) {
    const limit = match.sizeGtMb;
    described.push(`size > ${limit} MB`);
    checks.push({
      holds: (task) => task.sizeMb !== undefined && task.sizeMb > limit,
      whyNot: (task) => `size ${task.sizeMb ?? "not given"} is not over ${limit} MB`,
    });
  }
  if (match.language !== undefined) {
    const language = match.language.toLowerCase();
    described.push(`language ${match.language}`);
    checks.push({
      holds: (task) => task.language?.toLowerCase() === language,
      whyNot: (task) => `language is ${task.language ?? "not given"}, not ${match.language}`,
    });
  }
  if (match.cronTriggered !== undefined) {
    const wanted = match.cronTriggered;
    described.push(wanted ? "cron-triggered" : "not cron-triggered");
    checks.push({
      holds: (task) => (task.cronTriggered ?? false) === wanted,
      whyNot: () => (wanted ? "not cron-triggered" : "cron-triggered"),
    });
  }
  if (match.timeWindow !== undefined) {
    const text = match.timeWindow;
    const window = parseTimeWindow(text);
    if (!window) {
      throw new ConfigError({
        issues: [{ path: `routing.rules.${index}.match.time_window`, value: text, expected: 'a window such as "01:00-06:00"' }],
      });
    }
    described.push(`between ${text} local time`);
    checks.push({ holds: (_task, at) => inTimeWindow(window, at()), whyNot: (_task, at) => `${clock(at())} is outside ${text}` });
  }
  if (rule.when) {
    const when = rule.when;
    described.push("custom predicate");
    checks.push({ holds: when, whyNot: () => "the custom predicate is false" });
  }
  return { backend: rule.backend, description: described.join(", ") || "matches every task", checks };
}

function checkNames(config: RouterConfig & Pick<HermesConfig, "backends">): void {
  const names = Object.keys(config.backends);
  const issues = [
    ...config.routing.rules.map((rule, index) => ({ path: `routing.rules.${index}.backend`, value: rule.backend })),
    ...config.routing.fallback.map((name, index) => ({ path: `routing.fallback.${index}`, value: name })),
    { path: "default", value: config.defaultBackend },
  ]
    .filter(({ value }) => !names.includes(value))
    .map((issue) => ({ ...issue, expected: `the name of a configured backend (${names.join(", ")})` }));
  if (issues.length > 0) throw new ConfigError({ issues });
}

function clock(at: Date): string {
  return `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
}
