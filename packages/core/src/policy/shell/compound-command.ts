import type { Command, CommandNode, CompoundList, Word } from "unbash";
import { type Analysis, limits, type Stdin, unknownPipe } from "./analyze-command.js";
import { walkArithmetic } from "./arithmetic.js";
import { redirectedStdin, walkRedirections } from "./redirections.js";
import { assign, childState, type ShellState } from "./shell-state.js";
import { arithmeticContext } from "./shell-words.js";
import { literalOutput } from "./simple-command.js";
import { testExpression } from "./test-expressions.js";

/**
 * Every command but a simple one (see simple-command.ts): groups, conditionals, loops, `case`, arithmetic,
 * `[[ ]]`, function definitions, coprocesses and redirections on any of them. Each part is walked in the state
 * bash runs it in; a construct not listed here is opaque.
 */
export function walkCompoundCommand(analysis: Analysis, node: Exclude<CommandNode, Command>, state: ShellState, stdin: Stdin): void {
  switch (node.type) {
    case "Redirected":
      walkRedirections(analysis, node.redirects, state, literalOutput(node.command, analysis, state));
      analysis.command(node.command, state, redirectedStdin(node.redirects, stdin, analysis, state));
      return;
    case "Subshell":
    case "BraceGroup":
      analysis.list(node.body, node.type === "Subshell" ? childState(state) : state, stdin);
      return;
    case "If":
      analysis.list(node.clause, state);
      analysis.list(node.then, state);
      for (const elif of node.elif) {
        analysis.list(elif.clause, state);
        analysis.list(elif.then, state);
      }
      if (node.else) analysis.list(node.else, state);
      return;
    case "While":
      analysis.list(node.clause, state);
      analysis.list(node.body, state);
      return;
    case "For":
    case "Select":
      loop(analysis, node.name.value, node.wordlist, node.body, state);
      return;
    case "ArithmeticFor":
      for (const expression of [node.initialize, node.test, node.update]) arithmetic(analysis, expression, state);
      // The loop's variables are assigned by arithmetic: numbers.
      analysis.list(node.body, state);
      return;
    case "ArithmeticCommand":
      arithmetic(analysis, node.expression, state);
      return;
    case "Case":
      analysis.word(node.word, state);
      for (const item of node.items) {
        for (const pattern of item.pattern) analysis.word(pattern, state);
        analysis.list(item.body, state);
      }
      return;
    case "Function":
      state.functions.set(node.name.value, node);
      analysis.defined.add(node);
      return;
    case "Coproc":
      // A coprocess reads what the script writes to ${COPROC[1]}: not known here.
      if (node.body.type === "CompoundList") analysis.list(node.body, childState(state), unknownPipe("the script"));
      else analysis.command(node.body, childState(state), unknownPipe("the script"));
      return;
    case "TestCommand":
      testExpression(analysis, node.expression, state);
      return;
    default:
      analysis.opaque("unparsable", `a construct the analysis does not know (${(node as { type: string }).type})`);
  }
}

/** Arithmetic bash evaluates: nested scripts are analysed, unknown values are code only known at run time. */
function arithmetic(analysis: Analysis, expression: Parameters<typeof walkArithmetic>[0], state: ShellState): void {
  walkArithmetic(expression, arithmeticContext(analysis.wordContext(state)));
  if (expression?.type === "ArithmeticBinary" && expression.operator.endsWith("=") && expression.left.type === "ArithmeticWord") {
    assign(state, expression.left.value, null, { integer: true });
  }
}

/** A `for` over a literal list runs its body once per value (bounded); otherwise with the variable unknown. */
function loop(analysis: Analysis, name: string, wordlist: readonly Word[] | undefined, body: CompoundList, state: ShellState): void {
  const values: string[] = [];
  let known = wordlist !== undefined;
  for (const word of wordlist ?? []) {
    const fields = analysis.word(word, state);
    if (fields.known) values.push(...fields.fields);
    else known = false;
  }
  if (!known || values.length === 0 || values.length > limits.loopValues) {
    assign(state, name, null);
    analysis.list(body, state);
    return;
  }
  // Each value in turn, in the shell's own state (a `cd` in the body carries on).
  for (const value of values) {
    assign(state, name, [value]);
    analysis.list(body, state);
  }
}
