import { type ArithmeticExpression, parse, type Word } from "unbash";

/**
 * What evaluating an arithmetic expression can run. Bash evaluates the value of every variable an expression
 * names as an expression in turn, and expands the subscripts it meets, command substitutions included:
 * `x='a[$(rm -rf /)]'; (( x ))` runs `rm`. So a name whose value the analysis does not know (and does not
 * know to be a number) is code only known at run time; a known value is walked as an expression too.
 */
export interface ArithmeticContext {
  /** Known values (absent: unknown). */
  variables: ReadonlyMap<string, readonly string[]>;
  /** Names known to hold an integer even when its value is not known (`$(( ))` results, `wc -l` output). */
  integers: ReadonlySet<string>;
  /** A word inside the expression (`$x`, `${a[i]}`, `$(...)`): walked for what it runs; its text if known. */
  word(word: Word): string | null;
  /** A nested script (`$(...)`) to analyse. */
  script(script: import("unbash").ParsedScript | undefined, text: string): void;
  /** Something in the expression only known at run time that could run a command. */
  risk(detail: string): void;
  /** The expression assigns this variable (`i = 0`, `i++`): it holds a number afterwards. */
  assigned?(name: string): void;
}

/** Operators that assign their left operand; `=` alone does not read it first. */
const assignments = new Set(["=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|="]);

/** Names that always hold numbers in bash. */
const numericSpecials = new Set([
  "RANDOM",
  "SRANDOM",
  "SECONDS",
  "LINENO",
  "BASHPID",
  "PPID",
  "UID",
  "EUID",
  "EPOCHSECONDS",
  "OPTIND",
  "#",
  "?",
  "$",
  "!",
]);
const identifier = /^[A-Za-z_][A-Za-z0-9_]*/;
const integerLiteral = /^(0[xX][0-9a-fA-F]+|[0-9]+#[0-9a-zA-Z@_]+|[0-9]+)$/;

/** Walks an expression; `depth` bounds values that name each other. */
export function walkArithmetic(expression: ArithmeticExpression | undefined, context: ArithmeticContext, depth = 0): void {
  if (!expression) return;
  switch (expression.type) {
    case "ArithmeticBinary":
      if (assignments.has(expression.operator) && expression.left.type === "ArithmeticWord" && !expression.left.parts) {
        const target = expression.left.value;
        const name = identifier.exec(target)?.[0];
        // The target is written, not read (`i = 0`); a compound assignment reads it too; its subscript is evaluated.
        if (expression.operator !== "=") walkArithmetic(expression.left, context, depth);
        else if (name !== undefined && target.length > name.length)
          walkArithmeticText(target.slice(name.length + 1, -1), context, depth + 1);
        walkArithmetic(expression.right, context, depth);
        if (name !== undefined) context.assigned?.(name);
        return;
      }
      walkArithmetic(expression.left, context, depth);
      walkArithmetic(expression.right, context, depth);
      return;
    case "ArithmeticUnary":
      walkArithmetic(expression.operand, context, depth);
      if ((expression.operator === "++" || expression.operator === "--") && expression.operand.type === "ArithmeticWord") {
        const name = identifier.exec(expression.operand.value)?.[0];
        if (name !== undefined) context.assigned?.(name);
      }
      return;
    case "ArithmeticTernary":
      walkArithmetic(expression.test, context, depth);
      walkArithmetic(expression.consequent, context, depth);
      walkArithmetic(expression.alternate, context, depth);
      return;
    case "ArithmeticGroup":
      walkArithmetic(expression.expression, context, depth);
      return;
    case "ArithmeticCommandExpansion":
      context.script(expression.script, expression.text);
      return;
    case "ArithmeticWord":
      arithmeticWord(expression.value, expression.parts !== undefined, context, depth, () => {
        const text = context.word({ type: "Word", text: expression.value, value: expression.value, parts: expression.parts } as Word);
        return text;
      });
      return;
    default:
      context.risk(`an arithmetic expression the analysis cannot read (${(expression as { type: string }).type})`);
  }
}

/**
 * Walks text that bash evaluates as arithmetic (a `let` argument, a subscript, a `declare -i` value, the
 * value of a variable named in an expression).
 */
export function walkArithmeticText(text: string, context: ArithmeticContext, depth = 0): void {
  if (depth > 8) {
    context.risk("arithmetic values that name each other too deeply");
    return;
  }
  if (text.trim() === "" || integerLiteral.test(text.trim())) return;
  const parsed = parse(`(( ${text} ))`);
  const command = parsed.commands[0]?.command;
  if (parsed.errors?.length || parsed.commands.length !== 1 || command?.type !== "ArithmeticCommand") {
    context.risk(`text evaluated as arithmetic that does not parse as an expression (${text})`);
    return;
  }
  walkArithmetic(command.expression, context, depth);
}

function arithmeticWord(value: string, hasParts: boolean, context: ArithmeticContext, depth: number, expand: () => string | null): void {
  if (integerLiteral.test(value)) return;
  if (hasParts) {
    // `$x`, `${x}`, `$(...)`, `a[$i]`: bash expands the word, then evaluates the result as an expression.
    const text = expand();
    if (text === null) {
      context.risk(`arithmetic on ${value}, whose value is only known at run time (a value such as a[$(...)] runs a command)`);
      return;
    }
    walkArithmeticText(text, context, depth + 1);
    return;
  }
  const name = identifier.exec(value)?.[0];
  if (name === undefined) {
    context.risk(`an arithmetic operand the analysis cannot read (${value})`);
    return;
  }
  const subscript = value.slice(name.length);
  if (subscript.startsWith("[") && subscript.endsWith("]")) walkArithmeticText(subscript.slice(1, -1), context, depth + 1);
  if (numericSpecials.has(name) || context.integers.has(name)) return;
  const known = context.variables.get(name);
  if (known === undefined) {
    context.risk(`arithmetic on ${name}, whose value is only known at run time (a value such as a[$(...)] runs a command)`);
    return;
  }
  for (const item of known) walkArithmeticText(item, context, depth + 1);
}
