import type { Redirection } from "unbash";
import type { Analysis, Stdin } from "./analyze-command.js";
import type { ShellState } from "./shell-state.js";

/** Output redirections are writes; `/dev/tcp/...` is a connection; `N>&M` writes where fd M points. */
export function walkRedirections(
  analysis: Analysis,
  redirects: readonly Redirection[],
  state: ShellState,
  output: string | null = null,
): void {
  for (const redirect of redirects) {
    if (redirect.type === "HereString") {
      if (redirect.target) analysis.word(redirect.target, state);
      continue;
    }
    if (redirect.type === "HereDoc") {
      // An unquoted here-document expands its body as double quotes do: what it substitutes runs.
      if (!redirect.delimiter?.quoted) analysis.prompt(redirect.body.text, state);
      continue;
    }
    if (!redirect.target) continue;
    const substitution = redirect.target.parts?.length === 1 ? redirect.target.parts[0] : undefined;
    if (substitution?.type === "ProcessSubstitution" && substitution.operator === ">") {
      // `cmd > >(sh)`: the process reads what the command writes.
      const fed: Stdin = { kind: "pipe", from: "the command", text: output };
      analysis.parsed(substitution.script, substitution.text, state, fed);
      continue;
    }
    const fields = analysis.word(redirect.target, state);
    const raw = fields.known ? (fields.fields[0] ?? "") : null;
    const writes = [">", ">>", ">|", "&>", "&>>", "<>"].includes(redirect.operator);
    if (raw !== null && /^\/dev\/(tcp|udp)\//.test(raw)) {
      analysis.facts.network.push(raw);
      continue;
    }
    if (redirect.operator === ">&" || redirect.operator === "<&") {
      if (raw !== null && /^\d+$/.test(raw)) {
        const target = state.fds.get(Number(raw));
        if (target !== undefined) analysis.path({ operation: "write", path: target, raw: `>&${raw}`, program: "bash" });
        continue;
      }
      if (raw === "-") continue;
    }
    if (!writes && redirect.operator !== ">&") continue;
    const path = raw === null ? null : analysis.resolve(raw, state);
    if (path === "/dev/null" || path === "/dev/stdout" || path === "/dev/stderr") continue;
    analysis.path({ operation: "write", path, raw: raw ?? redirect.target.text, program: "bash" });
  }
}

/** Stdin after the command's own `<<`, `<<<` and `<` redirections. */
export function redirectedStdin(redirects: readonly Redirection[], stdin: Stdin, analysis: Analysis, state: ShellState): Stdin {
  let input = stdin;
  for (const redirect of redirects) {
    if (redirect.type === "HereDoc") {
      const literal = redirect.delimiter?.quoted || !/[$`\\]/.test(redirect.body.text);
      input = { kind: "text", text: literal ? redirect.body.text : null };
    } else if (redirect.type === "HereString") {
      const fields = redirect.target ? analysis.value(redirect.target, state) : undefined;
      input = { kind: "text", text: fields?.known ? `${fields.fields.join(" ")}\n` : null };
    } else if (redirect.type === "Redirect" && redirect.operator === "<") {
      input = { kind: "pipe", from: "a file", text: null };
    }
  }
  return input;
}
