/**
 * The session's EXIT trap, and reading what `trap -p` prints. The session shell always has its own EXIT
 * trap (it reports when a command ends the shell); a user's EXIT action is kept here and run by it.
 */

/**
 * The session's EXIT trap: the user's action first (with `$?` as bash gives it), then, when this is the
 * session shell ending during a command, the end markers and state with the exiting flag.
 */
export function exitHandler(nonce: string, userAction: string | undefined): string {
  const report = [
    `builtin printf '\\036__HERMES_${nonce}_END\\n' >&62`,
    `builtin printf '\\036__HERMES_${nonce}_END %d 1 %d %s %s %q\\0\\0\\0' "$__hermes_x" "$$" "$-" "\${EPOCHREALTIME:+e$EPOCHREALTIME}" "\${PWD-}" >&63`,
    "builtin export -p >&63",
    `builtin printf '\\036__HERMES_${nonce}_DONE\\n' >&63`,
  ].join("; ");
  // Where the pipes are depends on how the shell is ending: `exit` or a signal in the command leave its
  // own descriptors (63/62 closed), errexit or `exit` in a nested eval unwind to the protocol's group
  // (63/62 open, 1/2 to /dev/null). (`builtin true` probes: in POSIX mode a failed redirection of a special
  // builtin such as `:` ends the shell.) The user's action writes where the command would have.
  const pipes =
    "__hermes_o=61 __hermes_e=60 __hermes_uo=1 __hermes_ue=2; " +
    "{ builtin true >&63 && builtin true >&62; } 2>/dev/null && __hermes_o=63 __hermes_e=62 __hermes_uo=63 __hermes_ue=62";
  // The user's action sees `$?` as bash gives it: a subshell sets it (this runs once, as the shell ends), in an
  // && list so that errexit, if on, does not end the shell there.
  const user =
    userAction === undefined ? "" : `{ ( builtin exit "$__hermes_x" ) && :; builtin eval ${userAction}; } >&$__hermes_uo 2>&$__hermes_ue; `;
  // Idle: waiting in the loop's `read` (the trap names it), or the loop ended on purpose.
  const speaks = `[ "$BASHPID" = "$$" ] && [ -z "\${__hermes_eof+x}" ] && [[ $BASH_COMMAND != *"read -r -N "*__hermes_* ]]`;
  return `{ __hermes_x=$?; ${pipes}; } 2>/dev/null; ${user}{ ${speaks} && { ${report}; } 63>&$__hermes_o 62>&$__hermes_e; } 61>&1 60>&2 >/dev/null 2>&1`;
}

/**
 * What `trap -p EXIT` prints while the session's handler is installed; any other output means a command
 * set its own EXIT trap (or removed it).
 */
export function installedExitTrap(nonce: string, userAction: string | undefined): string {
  return `trap -- ${bashSingleQuote(exitHandler(nonce, userAction))} EXIT\n`;
}

/**
 * The user's EXIT action from a `trap -p EXIT` line that is not the session's: the bash word to `eval` at
 * exit, or undefined when no EXIT trap is set.
 */
export function exitTrapAction(printed: string): string | undefined {
  const match = /^trap -- ('(?:[^']|'\\'')*') EXIT\n?$/s.exec(printed);
  return match?.[1];
}

/**
 * The EXIT line of what `trap -p` printed (or ""), and whether any other trap has an action: a DEBUG, ERR or
 * signal trap may run code during any command, so no command is then taken to leave the state alone. Lines
 * the pattern does not read count as such a trap.
 */
export function splitTraps(printed: string): { exit: string; others: boolean } {
  const line = /trap -- ('(?:[^']|'\\'')*') ([A-Z0-9+-]+)\n/y;
  let exit = "";
  let others = false;
  let read = 0;
  for (let match = line.exec(printed); match; match = line.exec(printed)) {
    if (match[2] === "EXIT") exit = match[0];
    else if (match[1] !== "''") others = true;
    read = line.lastIndex;
  }
  return { exit, others: others || read !== printed.length };
}

/** Quotes the way bash's `trap -p` does: always single quotes, `'` as `'\''`. */
function bashSingleQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
