import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseExportOutput } from "./export-parser.js";
import { quoteShellWord } from "./shell-quote.js";
import { decodeShellWord } from "./shell-word.js";

/** Name -> decoded value. */
function decoded(text: string): Record<string, string | null> {
  return Object.fromEntries([...parseExportOutput(text)].map(([name, word]) => [name, word === null ? null : decodeShellWord(word)]));
}

/** What real bash prints for these variables. */
function bashExport(variables: Record<string, string>): string {
  const assignments = Object.entries(variables).map(([name, value]) => `export ${name}=${quoteShellWord(value)}`);
  return execFileSync("bash", ["--noprofile", "--norc", "-c", `${assignments.join("; ")}; export -p`], { env: {}, encoding: "utf8" });
}

describe("parseExportOutput", () => {
  it("reads both quotings bash uses, and variables exported without a value", () => {
    const parsed = decoded(
      [
        'declare -x PLAIN="a b"',
        'declare -x ESCAPED="q\\"u\\$o\\`t\\\\e"',
        "declare -x CONTROL=$'tab\\there\\001\\E'",
        "declare -x BARE",
        "",
      ].join("\n"),
    );
    expect(parsed).toEqual({ PLAIN: "a b", ESCAPED: 'q"u$o`t\\e', CONTROL: "tab\there\u0001\u001b", BARE: null });
  });

  it("skips arrays, which cannot be exported", () => {
    expect(decoded('declare -ax LIST=([0]="a")\ndeclare -x KEPT="1"\n')).toEqual({ KEPT: "1" });
  });

  it("round-trips hostile values through real bash", () => {
    const samples: Record<string, string> = {
      NEWLINES: "first\nsecond\n\nlast",
      QUOTES: `it's "quoted" \`cmd\` $(not) \${x} \\`,
      CONTROL: "\u0001\u0002\u001b[31mred\u001b[0m\u007f\r\t\v\f\b\u0007",
      UNICODE: "héllo wörld 你好 😀 \u00a0",
      DECLARE_LOOKALIKE: '\ndeclare -x FAKE="injected"\n',
      EMPTY: "",
      EQUALS: "a=b=c",
    };
    for (let index = 0; index < 30; index++) {
      samples[`RANDOM_${index}`] = Array.from({ length: 40 }, () => String.fromCharCode(1 + Math.floor(Math.random() * 126))).join("");
    }
    const parsed = decoded(bashExport(samples));
    for (const [name, value] of Object.entries(samples)) expect(parsed[name], name).toBe(value);
    expect(parsed).not.toHaveProperty("FAKE");
  });

  it("keeps bytes that are not UTF-8 as the word bash printed; decoding gives U+FFFD as elsewhere in the SDK", () => {
    const word = parseExportOutput("declare -x RAW=$'\\303\\251\\377'\n").get("RAW") as string;
    expect(word).toBe("$'\\303\\251\\377'");
    expect(decodeShellWord(word)).toBe("é\ufffd");
  });

  it("reads POSIX mode's `export NAME=...` lines", () => {
    const text = execFileSync("bash", ["--noprofile", "--norc", "-c", "export A='x y' B; set -o posix; export -p"], {
      env: {},
      encoding: "utf8",
    });
    expect(decoded(text)).toMatchObject({ A: "x y", B: null });
  });
});
