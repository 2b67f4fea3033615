import { execFileSync } from "node:child_process";
import { describe } from "vitest";

function missingBwrap(): string | undefined {
  try {
    execFileSync("bwrap", ["--ro-bind", "/", "/", "true"], { stdio: "ignore" });
    return undefined;
  } catch (error) {
    return `bwrap cannot run here (${(error as Error).message.split("\n")[0]}); apt-get install bubblewrap`;
  }
}

const missing = missingBwrap();

/** `describe` for suites that need bubblewrap: skipped with the reason, except under CI=true, where it fails. */
export function describeWithBubblewrap(name: string, body: () => void): void {
  if (missing && process.env.CI === "true") {
    describe(name, () => {
      throw new Error(`CI=true but ${missing}`);
    });
  } else if (missing) describe.skip(`${name} [skipped: ${missing}]`, body);
  else describe(name, body);
}
