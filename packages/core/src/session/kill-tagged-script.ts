import type { KillOptions, ProcessSelector } from "../types/backend.js";
import { quoteShellWord } from "./shell-quote.js";

/**
 * Finds the processes a selector names, in bash 4+ with /proc and builtins only (so it runs the same on
 * this machine, in a minimal container or over ssh):
 * - every process whose environment holds the tag (HERMES_EXEC_ID or HERMES_ENV_ID), wherever it went
 *   (setsid, double fork), and all their descendants;
 * - with a shell: that shell, and what it started since the command began that carries no other command's
 *   tag (forked subshells never exec, so they carry no tag in /proc at all): its descendants, and, when the
 *   shell leads its own process group (a `docker exec` or an ssh session does), that group's members even
 *   after their parent died (the orphans of a fork bomb).
 */
const scanFunction = `
scan() {
  parent=() started=() group=() execid=() envid=() chosen=()
  local dir pid line rest entry entries
  for dir in /proc/[0-9]*; do
    pid=\${dir#/proc/}
    [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
    { builtin read -r line < "$dir/stat"; } 2>/dev/null || continue
    rest=\${line##*) }
    set -f; set -- $rest; set +f
    [ "$1" = Z ] && continue
    parent[$pid]=$2 group[$pid]=$3 started[$pid]=\${20} execid[$pid]= envid[$pid]=
    entries=()
    { builtin mapfile -d '' -t entries < "$dir/environ"; } 2>/dev/null
    for entry in "\${entries[@]}"; do
      case $entry in
        HERMES_EXEC_ID=*) execid[$pid]=\${entry#*=} ;;
        HERMES_ENV_ID=*) envid[$pid]=\${entry#*=} ;;
      esac
    done
  done
  for pid in "\${!parent[@]}"; do
    if [ -n "$exec_tag" ] && [ "\${execid[$pid]}" = "$exec_tag" ]; then chosen[$pid]=1
    elif [ -n "$env_tag" ] && [ "\${envid[$pid]}" = "$env_tag" ]; then chosen[$pid]=1
    elif [ -n "$shell_pid" ] && [ "$pid" = "$shell_pid" ]; then chosen[$pid]=1
    elif [ -n "$shell_pid" ] && [ "\${started[$pid]}" -ge "$since" ] && { [ -z "\${execid[$pid]}" ] || [ "\${execid[$pid]}" = "$exec_tag" ]; } &&
      { [ "\${group[$pid]}" = "$shell_pid" ] || below "$pid" "$shell_pid"; }; then chosen[$pid]=1
    fi
  done
  # Once chosen, always chosen: a subshell whose shell already died is no longer below it.
  for pid in "\${!remembered[@]}"; do
    [ "\${started[$pid]}" = "\${remembered[$pid]}" ] && chosen[$pid]=1
  done
  local changed=1
  while [ $changed = 1 ]; do
    changed=0
    for pid in "\${!parent[@]}"; do
      [ -n "\${chosen[$pid]}" ] && continue
      # The shell's own descendants are chosen above, by age; the rest below a chosen process go with it.
      if [ -n "\${chosen[\${parent[$pid]}]}" ] && [ "\${parent[$pid]}" != "$shell_pid" ]; then chosen[$pid]=1; changed=1; fi
    done
  done
  found=("\${!chosen[@]}")
  for pid in "\${found[@]}"; do remembered[$pid]=\${started[$pid]}; done
}
below() {
  local pid=$1 depth=0
  while [ -n "$pid" ] && [ "$pid" != 0 ] && [ $depth -lt 64 ]; do
    pid=\${parent[$pid]}
    [ "$pid" = "$2" ] && return 0
    depth=$((depth + 1))
  done
  return 1
}
# Now, in centiseconds since boot, into $now (without /proc/uptime: one nap more than before).
uptime_cs() {
  local up
  if { builtin read -r up _ < /proc/uptime; } 2>/dev/null && [ -n "$up" ]; then up=\${up/./}; now=$((10#$up))
  else now=$((\${now:-0} + 5)); fi
}
# In a ControlShell, a read that times out on its idle coprocess waits without forking: under a fork bomb
# bash's own fork retries would stall for 15 s.
nap() {
  if [ -n "\${__hermes_nap[0]:-}" ]; then builtin read -r -t 0.05 -u "\${__hermes_nap[0]}" _ 2>/dev/null || :
  else sleep 0.05 2>/dev/null || :; fi
}
`;

/**
 * A bash program that ends the selected processes: it freezes them all (SIGSTOP, so none can fork
 * away), sends the signal, lets them run (SIGCONT), waits up to the grace period, then SIGKILLs what
 * is left, rescanning until nothing is. Prints how many it found. Run it in a process without the tag.
 */
export function killTaggedScript(selector: ProcessSelector, options: KillOptions): string[] {
  return ["--noprofile", "--norc", "-c", `${killTaggedFunction(selector, options)}\n__hermes_kill_tagged`];
}

/**
 * The same program as a bash function, `__hermes_kill_tagged`, for a long-lived shell to define and call
 * (see ControlShell): it forks nothing but `sleep` between rounds, so it works when a fork bomb has used
 * up a PID limit, as long as the shell running it was started before.
 */
export function killTaggedFunction(selector: ProcessSelector, options: KillOptions): string {
  if (selector.execId === undefined && selector.environmentId === undefined)
    throw new Error("killTaggedScript needs an execId or an environmentId");
  const signal = (options.signal ?? "SIGTERM").replace(/^SIG/, "");
  // /proc/uptime has centiseconds, the same unit as a process's start time in /proc/<pid>/stat (USER_HZ 100).
  // An $EPOCHREALTIME reading (`e`, seconds with 6 decimals) is turned into that clock there, below.
  const began = selector.shell?.since ?? "";
  const beganMicros = /^e\d+[.,]\d{6}$/.test(began) ? began.slice(1).replace(/[.,]/, "") : "";
  const since = began && !began.startsWith("e") ? Math.floor(Number(began.replace(",", ".")) * 100) : 0;
  return `${scanFunction}
__hermes_kill_tagged() {
  [ -r /proc/self/stat ] || { builtin echo 0; return 0; }
  local exec_tag=${quoteShellWord(selector.execId ?? "")}
  local env_tag=${quoteShellWord(selector.environmentId ?? "")}
  local shell_pid=${selector.shell?.pid ?? ""}
  local since=${Number.isFinite(since) ? since : 0} began_us=${beganMicros}
  local -A parent started group execid envid chosen remembered
  local -a found
  local total deadline now round
  # Uptime now, less the time since the command began by the clock it read (one centisecond off at most,
  # so one less); without $EPOCHREALTIME here, every untagged descendant of the shell.
  if [ -n "$began_us" ]; then
    uptime_cs
    if [ -n "\${EPOCHREALTIME-}" ]; then since=$((now - (10#\${EPOCHREALTIME/[.,]/} - 10#$began_us) / 10000 - 1)); else since=0; fi
  fi
  scan
  total=\${#found[@]}
  if [ "$total" -gt 0 ]; then
    builtin kill -STOP "\${found[@]}" 2>/dev/null
    builtin kill -${signal} "\${found[@]}" 2>/dev/null
    builtin kill -CONT "\${found[@]}" 2>/dev/null
    # The grace is kept by the clock (centiseconds of /proc/uptime, read without a fork): counting naps
    # alone would add every scan's own time to it.
    uptime_cs; deadline=$((now + ${Math.ceil(Math.max(0, options.graceMs) / 10)}))
    while [ "$now" -lt "$deadline" ]; do
      scan; [ \${#found[@]} -eq 0 ] && break
      nap; uptime_cs
    done
    for round in 1 2 3 4 5 6 7 8 9 10; do
      scan; [ \${#found[@]} -eq 0 ] && break
      builtin kill -STOP "\${found[@]}" 2>/dev/null
      builtin kill -KILL "\${found[@]}" 2>/dev/null
      nap
    done
  fi
  builtin echo "$total"
}`;
}
