/**
 * Backends whose processes cannot be signalled by pid from here (a `docker exec`, an ssh channel) start
 * each with this variable set to a fresh tag, and signal it through their ControlShell with the program below.
 */
export const processTagVariable = "HERMES_PROCESS_TAG";

/**
 * Bash (builtins and /proc only) defining `__hermes_signal_tagged TAG SIGNAL`, which signals the process
 * started with `HERMES_PROCESS_TAG=TAG`: the one carrying the tag whose parent does not (its descendants
 * inherit the tag).
 */
export function signalTaggedProgram(tag: string, signal: NodeJS.Signals): string {
  return `${signalFunction}\n__hermes_signal_tagged ${tag.replace(/[^A-Za-z0-9]/g, "")} ${signal.replace(/^SIG/, "").replace(/[^A-Z0-9]/g, "")}`;
}

const signalFunction = `
__hermes_signal_tagged() {
  local want="HERMES_PROCESS_TAG=$1" signal=$2 dir pid line rest
  __hermes_has_tag() {
    local entries entry
    entries=()
    { builtin mapfile -d '' -t entries < "/proc/$1/environ"; } 2>/dev/null
    for entry in "\${entries[@]}"; do [ "$entry" = "$want" ] && return 0; done
    return 1
  }
  for dir in /proc/[0-9]*; do
    pid=\${dir#/proc/}
    [ "$pid" = "$$" ] && continue
    __hermes_has_tag "$pid" || continue
    { builtin read -r line < "$dir/stat"; } 2>/dev/null || continue
    rest=\${line##*) }
    set -f; set -- $rest; set +f
    __hermes_has_tag "$2" || builtin kill -s "$signal" "$pid" 2>/dev/null
  done
}`;
