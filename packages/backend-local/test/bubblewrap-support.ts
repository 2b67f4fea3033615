import { execFileSync } from "node:child_process";
import { describeWithService } from "@hermes/testkit";

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
  describeWithService(name, missing, body);
}
