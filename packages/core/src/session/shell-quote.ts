import { InvalidArgumentError } from "../errors/invalid-argument-error.js";

/** Quotes a string as one bash word. Bash strings cannot hold NUL, so a NUL is refused rather than cut. */
export function quoteShellWord(value: string, argument = "command"): string {
  assertNoNul(value, argument);
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function assertNoNul(value: string, argument: string): void {
  if (value.includes("\0")) {
    throw new InvalidArgumentError({ argument, value, expected: "text without NUL characters (bash cannot pass them)" });
  }
}

const variableName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Refuses names bash cannot export, so a bad key fails before anything runs. */
export function assertVariableName(name: string, argument = "env"): void {
  if (!variableName.test(name)) {
    throw new InvalidArgumentError({
      argument: `${argument} key`,
      value: name,
      expected: "a shell variable name (letters, digits and _, not starting with a digit)",
    });
  }
}

/** `export A='1' B='2'` for the given variables, or "" when there are none. */
export function exportStatement(variables: Readonly<Record<string, string>>, argument = "env"): string {
  const assignments = Object.entries(variables).map(([name, value]) => {
    assertVariableName(name, argument);
    return `${name}=${quoteShellWord(value, `${argument}.${name}`)}`;
  });
  return assignments.length === 0 ? "" : `builtin export ${assignments.join(" ")}`;
}
