import { execFileSync } from "node:child_process";

/** Why the fakes cannot run their sandboxes here, or undefined when bubblewrap works. */
export const bubblewrapMissing = (() => {
  try {
    execFileSync("bwrap", ["--version"]);
    return undefined;
  } catch {
    return "bubblewrap (bwrap) is not installed: run scripts/services/bubblewrap.sh";
  }
})();
