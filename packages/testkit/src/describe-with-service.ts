import { describe } from "vitest";

/**
 * `describe` for a suite that needs a real service (an engine, a server, a program): with `missing` (why it is
 * not there), the suite is skipped with that reason in its name, except under `CI=true`, where it fails: a
 * missing service must not pass silently.
 */
export function describeWithService(name: string, missing: string | undefined, body: () => void): void {
  if (missing && process.env.CI === "true") {
    describe(name, () => {
      throw new Error(`CI=true but ${missing}`);
    });
  } else if (missing) describe.skip(`${name} [skipped: ${missing}]`, body);
  else describe(name, body);
}
