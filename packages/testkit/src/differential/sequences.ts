/**
 * Command sequences of the kind coding agents run, for the differential suite: each runs step by step
 * through an environment and as one plain bash script, and the two must agree on every step's stdout,
 * stderr and exit status, and on the state afterwards. A sequence may end the shell only in its last step
 * (a script ends there). Each starts in an empty scratch directory; nothing prints pids, times or randoms.
 * Only bash builtins and busybox-level tools are used, so minimal images run them too.
 */
export interface Sequence {
  name: string;
  steps: readonly string[];
}

export const sequences: readonly Sequence[] = [
  // Output and exit status
  { name: "stdout, stderr and status", steps: ["echo out; echo err >&2", "false", "(exit 7)", "printf 'no newline'", "printf ''"] },
  { name: "unicode and control bytes", steps: ["printf 'héllo 你好 😀\\n'", "printf 'a\\tb\\rc\\001\\n'", "printf '%s\\n' $'tab\\there'"] },
  {
    name: "pipelines and pipefail",
    steps: ["echo abc | tr a-z A-Z", "false | true", "set -o pipefail", "false | true", "echo ${PIPESTATUS[@]}"],
  },
  {
    name: "missing program and permission",
    steps: ["no-such-program-xyz", "printf '#!/bin/sh\\necho hi\\n' > s.sh; ./s.sh", "chmod +x s.sh; ./s.sh"],
  },
  {
    name: "lists and grouping",
    steps: ["true && echo yes || echo no", "false && echo yes || echo no", "{ echo a; echo b; } | wc -l", "( cd / && pwd ); pwd"],
  },
  {
    name: "the /dev/std* files",
    steps: [
      "echo out > /dev/stdout",
      "echo err > /dev/stderr",
      "echo both | tee /dev/stderr",
      "cat /dev/stdin; echo read-empty",
      "[ -p /dev/stdout ] || [ -f /dev/stdout ] && echo not-a-socket",
    ],
  },
  { name: "large output", steps: ["seq 1 20000 | tail -n 2", "for i in $(seq 1 300); do printf '%s ' $i; done; echo"] },
  // Working directory
  { name: "cd and cd -", steps: ["mkdir -p a/b c", "cd a/b", "pwd", "cd ../../c", "cd -", "pwd", "echo $OLDPWD"] },
  { name: "cd into a missing directory", steps: ["cd no-such-dir", "pwd", "cd /", "pwd"] },
  { name: "directory stack", steps: ["mkdir -p x y", "pushd x >/dev/null", "pushd ../y", "dirs -l", "popd", "pwd"] },
  {
    name: "symlinked directories",
    steps: ["mkdir -p real; ln -s real link", "cd link", "pwd", "pwd -P | sed 's|.*/||'", "cd -P .", "pwd | sed 's|.*/||'"],
  },
  {
    name: "CDPATH",
    steps: ["mkdir -p base/target", "CDPATH=$PWD/base", "cd target | sed 's|.*/||'", "cd target >/dev/null; pwd | sed 's|.*/||'"],
  },
  // Variables
  {
    name: "export and unset",
    steps: ["export A=1 B='two words'", 'echo "$A|$B"', "unset A", 'echo "${A-unset}|$B"', "export -n B", "env | grep -c '^B=' || true"],
  },
  {
    name: "tricky values",
    steps: [
      "export Q=$'line1\\nline2 \"q\" \\'s\\' $x `t` \\\\'",
      'printf "%s\\n" "$Q"',
      "export E=",
      'echo "[${E}]"',
      "declare -x D",
      "declare -p D",
    ],
  },
  {
    name: "bytes that are not UTF-8",
    steps: ["export RAW=$'\\xff\\xfe-\\x80'", 'printf "%q\\n" "$RAW"', 'printf "%s" "$RAW" | od -An -tx1'],
  },
  {
    name: "PATH changes",
    steps: [
      "mkdir -p bin; printf '#!/bin/sh\\necho mine\\n' > bin/mytool; chmod +x bin/mytool",
      'export PATH="$PWD/bin:$PATH"',
      "mytool",
      "command -v mytool | sed 's|.*/bin/|bin/|'",
    ],
  },
  {
    name: "plain variables and arrays",
    steps: [
      "X=plain; ARR=(one 'two three')",
      'echo "$X ${ARR[1]} ${#ARR[@]}"',
      "declare -A M=([k]=v)",
      'echo "${M[k]}"',
      "readonly RO=1",
      "RO=2",
      "echo $RO",
    ],
  },
  { name: "arithmetic", steps: ["n=5", "(( n += 3 )); echo $n", "echo $(( n * 2 ))", "let 'n = n - 1'; echo $n", "(( 0 ))", "(( 1 ))"] },
  {
    name: "assignments before a command",
    steps: ["V=outer", "V=inner sh -c 'echo $V'", 'echo "$V"', "IFS=: read -r a b <<< 'x:y'; echo $a-$b"],
  },
  // Functions and aliases
  {
    name: "functions",
    steps: [
      'greet() { echo "hello $1"; }',
      "greet world",
      "count() { local i=0; while (( i < $1 )); do ((i++)); done; echo $i; }",
      "count 5",
      "declare -f greet",
      "unset -f greet",
      "greet x",
    ],
  },
  {
    name: "recursion and return",
    steps: [
      "fact() { (( $1 <= 1 )) && { echo 1; return; }; echo $(( $1 * $(fact $(( $1 - 1 ))) )); }",
      "fact 6",
      "r() { return 3; }",
      "r",
      "echo after",
    ],
  },
  {
    name: "a function that wraps cd",
    steps: [
      'cd() { builtin cd "$@" && echo "now in ${PWD##*/}"; }',
      "mkdir -p w1",
      "cd w1",
      "cd ..",
      "unset -f cd",
      "cd w1",
      "pwd | sed 's|.*/||'",
    ],
  },
  { name: "aliases", steps: ["alias ll='ls -1'", "touch f1 f2", "ll", "alias", "unalias ll", "ll"] },
  {
    // Plain program calls get a short report: these look like one and are not.
    name: "functions and aliases named like programs",
    steps: [
      "mkdir -p d1 d2",
      "ls() { export VIA_FN=1; cd d1; }",
      "ls",
      'echo "$VIA_FN $PWD" | sed "s|.*/||"',
      "unset -f ls; alias cat='export VIA_ALIAS=2; cd ../d2'",
      "cat",
      'echo "$VIA_ALIAS ${PWD##*/}"',
      "unalias cat; echo plain | cat",
      "ls -d .",
    ],
  },
  {
    name: "traps that run behind a program",
    steps: ["trap 'export SAW_ERR=1' ERR", "true", "echo ${SAW_ERR-no}", "ls /no-such-dir", "echo ${SAW_ERR-no}", "trap - ERR"],
  },
  // Options
  {
    name: "noglob, nullglob, extglob, globstar, dotglob",
    steps: [
      "touch a.txt b.txt .hidden; mkdir -p d/e; touch d/e/deep.txt",
      "echo *.txt",
      "set -f",
      "echo *.txt",
      "set +f",
      "shopt -s nullglob; echo *.none; shopt -u nullglob",
      "shopt -s extglob",
      "echo !(a).txt",
      "shopt -s globstar; echo **/*.txt",
      "shopt -s dotglob; echo .h*",
    ],
  },
  { name: "noclobber", steps: ["set -o noclobber", "echo a > f", "echo b > f", "cat f", "echo c >| f", "cat f", "set +o noclobber"] },
  { name: "umask", steps: ["umask 077", "touch secret; stat -c %a secret", "umask"] },
  // Traps
  { name: "signal traps", steps: ["trap 'echo got-usr1' USR1", "kill -USR1 $$", "trap -p USR1", "trap - USR1", "trap -p USR1"] },
  { name: "ERR trap", steps: ["trap 'echo ERR-trap' ERR", "false", "true", "false || true", "trap - ERR", "false"] },
  { name: "DEBUG trap", steps: ["trap 'echo dbg' DEBUG", "echo one", "echo two; echo three", "trap - DEBUG", "echo four"] },
  {
    name: "RETURN trap with functrace",
    steps: ["set -o functrace", "trap 'echo ret' RETURN", "f() { echo in-f; }", "f", "trap - RETURN", "set +o functrace", "f"],
  },
  { name: "an EXIT trap and exit", steps: ["trap 'echo bye; echo bye-err >&2' EXIT", "mkdir -p t; cd t", "exit 4"] },
  { name: "an EXIT trap that keeps the status", steps: ["trap 'rc=$?; echo \"leaving with $rc\"' EXIT", "exit 3"] },
  { name: "trap 'kill 0' EXIT", steps: ["trap 'kill 0' EXIT", "exit 2"] },
  // Stdin
  { name: "stdin is empty", steps: ["cat", 'read -r line; echo "status $? [$line]"', "head -c 3; echo end"] },
  {
    name: "here-documents and here-strings",
    steps: [
      "cat <<'EOF'\nliteral $HOME\nEOF",
      "X=expanded; cat <<EOF\n$X\nEOF",
      "tr a-z A-Z <<< 'loud'",
      "read -r a b <<< 'first second'; echo $b",
    ],
  },
  // Shell features
  {
    name: "substitutions",
    steps: [
      'echo "$(echo inner $(echo nested))"',
      "echo `echo backticks`",
      "diff <(echo a) <(echo a) && echo same",
      "echo {1..4} {a,b}{x,y}",
      "x=hello; echo ${x^^} ${x:1:3} ${x/l/L} ${#x}",
    ],
  },
  {
    name: "conditions and loops",
    steps: [
      "[[ abc == a* ]] && echo match",
      "case txt in t*) echo t;; *) echo other;; esac",
      "for i in 1 2 3; do echo $i; done",
      "i=0; while (( i < 3 )); do ((i++)); done; echo $i",
      "until true; do :; done; echo done",
    ],
  },
  {
    name: "read and mapfile",
    steps: [
      "printf 'a\\nb\\nc\\n' > lines",
      "mapfile -t L < lines; echo ${#L[@]} ${L[2]}",
      'while read -r l; do echo "<$l>"; done < lines',
      "read -r -a W <<< 'x y z'; echo ${W[1]}",
    ],
  },
  {
    name: "printf -v and declare",
    steps: [
      "printf -v out '%05d' 42; echo $out",
      "declare -i num=7+3; echo $num",
      "declare -u up=shout; echo $up",
      "declare -n ref=up; echo $ref",
    ],
  },
  {
    name: "background jobs",
    steps: [
      "sleep 0.1 & wait $!; echo waited $?",
      "( exit 5 ) & wait $!; echo status $?",
      "sleep 2 & kill $!; wait $!; echo rc=$?",
      "true & wait; echo all",
    ],
  },
  {
    name: "fds a command opens",
    steps: ["exec 3> out.txt", "echo to-three >&3", "exec 3>&-", "cat out.txt", "exec 4< out.txt; read -r l <&4; echo $l; exec 4<&-"],
  },
  {
    name: "the protocol's descriptors",
    steps: ["exec 63>&-", "echo after-63", "exec 62>&-", "echo after-62", "echo 63 >&63", "echo 62 >&62"],
  },
  {
    name: "unset every function",
    steps: ["f1() { :; }; f2() { :; }", "for f in $(compgen -A function); do unset -f $f; done", "declare -F", "echo still-works"],
  },
  { name: "shift and return out of place", steps: ["shift", "return", "echo survived"] },
  {
    name: "POSIX mode",
    steps: ["set -o posix", "export AFTER_POSIX=1", 'echo "$AFTER_POSIX"', "f() { echo in-posix; }; f", "set +o posix"],
  },
  { name: "POSIXLY_CORRECT", steps: ["POSIXLY_CORRECT=1", "export P=1", "echo $P", "unset POSIXLY_CORRECT"] },
  {
    name: "eval and source",
    steps: [
      "eval 'E1=from-eval'; echo $E1",
      "echo 'S1=from-source; s() { echo sourced-fn; }' > lib.sh",
      ". ./lib.sh",
      "echo $S1; s",
      "eval 'echo a; echo b >&2'",
    ],
  },
  {
    name: "xargs and find",
    steps: [
      "mkdir -p tree/a tree/b; touch tree/a/1 tree/b/2",
      "find tree -type f | sort",
      "find tree -type f | sort | xargs -n1 basename",
      "printf '%s\\0' x y | xargs -0 echo",
    ],
  },
  {
    name: "tools agents use",
    steps: [
      "printf 'b\\na\\nc\\n' | sort | uniq | wc -l",
      "echo 'k=v' | sed 's/=/ is /'",
      "echo 'a,b,c' | cut -d, -f2",
      "echo 'one two' | awk '{print $2}'",
      "printf 'x\\ny\\n' > f; grep -n y f",
    ],
  },
  // Ending the shell
  { name: "exit with a status", steps: ["export LAST=1; mkdir -p e; cd e", "exit 9"] },
  { name: "errexit ends it", steps: ["mkdir -p ee", "set -e; cd ee; false; echo not-reached"] },
  { name: "kill $$", steps: ["echo before", "kill $$"] },
  { name: "kill 0", steps: ["echo before", "kill 0; echo not-reached"] },
  { name: "exec replaces it", steps: ["echo before", "exec echo replaced"] },
];
