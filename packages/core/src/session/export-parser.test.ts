import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseExportOutput } from "./export-parser.js";
import { quoteShellWord } from "./shell-quote.js";

/** What real bash prints for these variables. */
function bashExport(variables: Record<string, string>): string {
  const assignments = Object.entries(variables).map(([name, value]) => `export ${name}=${quoteShellWord(value)}`);
  return execFileSync("bash", ["--noprofile", "--norc", "-c", `${assignments.join("; ")}; export -p`], { env: {}, encoding: "utf8" });
}

describe("parseExportOutput", () => {
  it("reads both quotings bash uses, and variables exported without a value", () => {
    const parsed = parseExportOutput(
      [
        'declare -x PLAIN="a b"',
        'declare -x ESCAPED="q\\"u\\$o\\`t\\\\e"',
        "declare -x CONTROL=$'tab\\there\\001\\E'",
        "declare -x BARE",
        "",
      ].join("\n"),
    );
    expect(Object.fromEntries(parsed)).toEqual({ PLAIN: "a b", ESCAPED: 'q"u$o`t\\e', CONTROL: "tab\there\u0001\u001b", BARE: null });
  });

  it("skips arrays, which cannot be exported", () => {
    expect(parseExportOutput('declare -ax LIST=([0]="a")\ndeclare -x KEPT="1"\n')).toEqual(new Map([["KEPT", "1"]]));
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
    const parsed = parseExportOutput(bashExport(samples));
    for (const [name, value] of Object.entries(samples)) expect(parsed.get(name), name).toBe(value);
    expect(parsed.has("FAKE")).toBe(false);
  });

  it("decodes bytes that are not UTF-8 the way the rest of the SDK does", () => {
    expect(parseExportOutput("declare -x RAW=$'\\303\\251\\377'\n").get("RAW")).toBe("é\ufffd");
  });
});
