import { Analysis } from "./analyze-command.js";
import { nestedCommand } from "./nested-command.js";
import type { Argv } from "./program-model.js";
import { childState, type ShellState } from "./shell-state.js";

/** ssh's options that run local commands; `-F` names a config file that may hold them. */
export function runSsh(analysis: Analysis, args: Argv, state: ShellState, program: string): void {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? null;
    if (arg === null) continue;
    if (arg === "-o" || (arg.startsWith("-o") && arg.length > 2)) {
      const option = arg === "-o" ? (args[++index] ?? null) : arg.slice(2);
      if (option === null) {
        analysis.opaque("dynamic-script", `${program} -o with an option only known at run time`);
        continue;
      }
      const [, name = "", value = ""] = /^\s*([A-Za-z]+)\s*[= ]\s*(.*)$/s.exec(option) ?? [];
      if (/^(proxycommand|localcommand|knownhostscommand|remotecommand)$/i.test(name)) {
        if (name.toLowerCase() === "remotecommand") continue;
        // %h, %p and the like are replaced before sh -c runs it.
        nestedCommand(analysis, value.replace(/%[a-zA-Z%]/g, "x"), state, `${program} ${name}`);
      }
    } else if (arg === "-F") {
      analysis.opaque("script-file", `${program} -F reads a config file that may run commands (ProxyCommand)`, {
        paths: [analysis.resolve(args[++index] ?? null, state)],
      });
    } else if (program === "scp" && arg === "-S") {
      nestedCommand(analysis, args[++index] ?? null, state, "scp -S", true);
    }
  }
  if (program !== "ssh") return;
  runRemote(analysis, args, state);
}

/** Options of ssh that take a value: the first operand after them is the host, the rest the remote command. */
const sshValues = new Set("-b -c -D -E -e -F -I -i -J -L -l -m -O -o -p -Q -R -S -W -w -B".split(" "));

/** `ssh host rm -rf /`: the command runs on another host, but it is still this agent's command; it is checked. */
function runRemote(analysis: Analysis, args: Argv, state: ShellState): void {
  let index = 0;
  while (index < args.length && args[index]?.startsWith("-")) index += sshValues.has(args[index] as string) ? 2 : 1;
  const remote = args.slice(index + 1);
  if (remote.length === 0) return;
  if (remote.some((word) => word === null)) {
    analysis.opaque("dynamic-script", "ssh runs a remote command only known at run time", { program: "ssh" });
    return;
  }
  remoteScript(analysis, remote.join(" "), state);
}

/**
 * A script another host runs (`ssh host cmd`, `rsync --rsync-path`): analysed on its own, so what it does
 * counts (a remote `rm -rf /` is still denied), but its paths are another host's, which local path rules (the
 * sandbox root) cannot judge.
 */
export function remoteScript(analysis: Analysis, text: string, state: ShellState): void {
  const other = new Analysis({ ...analysis.options, cwd: "/" });
  const inner = childState(state);
  inner.cwd = null;
  inner.variables = new Map();
  inner.exported = new Set();
  other.script(text, inner);
  other.finish(inner);
  analysis.merge(other.facts, { remote: true });
}
