import type { TestExpression, Word } from "unbash";
import type { Analysis } from "./analyze-command.js";
import { walkArithmeticText } from "./arithmetic.js";
import type { ShellState } from "./shell-state.js";
import { arithmeticContext } from "./shell-words.js";

/** `[[ ]]` operators whose operands bash evaluates as arithmetic. */
const arithmeticOperators = new Set(["-eq", "-ne", "-lt", "-le", "-gt", "-ge"]);

/**
 * A `[[ ... ]]` expression: every word is expanded (and what it substitutes runs); the operands of `-eq` and
 * its kin are evaluated as arithmetic, and `-v name[subscript]` evaluates the subscript.
 */
export function testExpression(analysis: Analysis, expression: TestExpression, state: ShellState): void {
  switch (expression.type) {
    case "TestUnary":
      if (expression.operator === "-v") variableTest(analysis, expression.operand, state);
      else analysis.word(expression.operand, state);
      return;
    case "TestBinary":
      for (const word of [expression.left, expression.right]) {
        if (arithmeticOperators.has(expression.operator)) arithmeticOperand(analysis, word, state);
        else analysis.word(word, state);
      }
      return;
    case "TestLogical":
      for (const operand of expression.operands) testExpression(analysis, operand, state);
      return;
    case "TestNot":
      testExpression(analysis, expression.operand, state);
      return;
    case "TestGroup":
      testExpression(analysis, expression.expression, state);
      return;
    default:
      analysis.opaque("unparsable", `a [[ ]] expression the analysis does not know (${(expression as { type: string }).type})`);
  }
}

function arithmeticOperand(analysis: Analysis, word: Word, state: ShellState): void {
  const value = analysis.word(word, state);
  if (!value.known) {
    analysis.opaque(
      "dynamic-script",
      `[[ ${word.text} ]] evaluates a value only known at run time as arithmetic (a value such as a[$(...)] runs a command)`,
    );
    return;
  }
  walkArithmeticText(value.fields.join(" "), arithmeticContext(analysis.wordContext(state)));
}

/** `-v name[subscript]` (in `[[ ]]`, `test` and `[`): the subscript is evaluated as arithmetic. */
export function variableTest(analysis: Analysis, word: Word, state: ShellState): void {
  const value = analysis.word(word, state);
  if (!value.known) {
    analysis.opaque("dynamic-script", `-v ${word.text} names a variable only known at run time (a name such as a[$(...)] runs a command)`);
    return;
  }
  subscriptOf(analysis, value.fields.join(" "), state);
}

/** The arithmetic subscript of a `name[...]` text, walked. */
export function subscriptOf(analysis: Analysis, text: string, state: ShellState): void {
  const bracket = text.indexOf("[");
  if (bracket <= 0 || !text.endsWith("]")) return;
  if (state.associative.has(text.slice(0, bracket))) return;
  walkArithmeticText(text.slice(bracket + 1, -1), arithmeticContext(analysis.wordContext(state)));
}
