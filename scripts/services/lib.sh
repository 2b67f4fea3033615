# Shared by the service scripts (sourced): timing, and installing the Debian packages that are missing.
# The caller sets SERVICE, the name its messages start with.

now() { date +%s%3N; }
took() { local ms=$(($(now) - $2)); printf '%s: %s in %d.%02ds\n' "$SERVICE" "$1" $((ms / 1000)) $((ms % 1000 / 10)); }

# install_packages PACKAGE...: installs those not installed yet, with apt-get update only when needed.
install_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local start; start=$(now)
  local apt=(apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-unsafe-io -o DPkg::Lock::Timeout=120)
  export DEBIAN_FRONTEND=noninteractive
  if ! "${apt[@]}" "${missing[@]}" >/var/log/hermes-apt.log 2>&1; then
    apt-get update -q >>/var/log/hermes-apt.log 2>&1
    "${apt[@]}" "${missing[@]}" >>/var/log/hermes-apt.log 2>&1 || { tail -20 /var/log/hermes-apt.log; exit 1; }
  fi
  took "installed ${missing[*]}" "$start"
}

# build_rootfs DIR [HERMES_UID [HERMES_GID]]: fills DIR (existing, empty) with a minimal root filesystem built
# without any registry: busybox-static with one symlink per applet, bash-static as /bin/bash (no coreutils, no
# python), /etc/passwd and /etc/group with root and hermes, /home/hermes owned by hermes, /workspace, and empty
# /proc, /sys, /dev, /run and world-writable /tmp, /var/tmp to mount on. Needs busybox-static and bash-static.
build_rootfs() {
  local root=$1 uid=${2:-1000} gid=${3:-${2:-1000}}
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,home/hermes,tmp,var/tmp,run,workspace,proc,sys,dev}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  cp /bin/busybox "$root/bin/busybox"
  cp /bin/bash-static "$root/bin/bash"
  # One link per applet, where nothing else is (bash stays bash; sh stays busybox's).
  local applet
  for applet in $("$root/bin/busybox" --list-full); do
    [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/bash\nhermes:x:%d:%d:hermes:/home/hermes:/bin/bash\n' "$uid" "$gid" >"$root/etc/passwd"
  printf 'root:x:0:\nhermes:x:%d:\n' "$gid" >"$root/etc/group"
  chown "$uid:$gid" "$root/home/hermes"
}

# alive PIDFILE NAME: the process in PIDFILE exists, is not a zombie (PID 1 here reaps orphans late, and kill -0
# succeeds on a zombie) and its command name is NAME.
alive() {
  local pid state
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  state=$(sed -E 's/.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] && [ "$state" != X ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}

# ensure_user NAME: creates the account the way sshd.sh does (home, bash, no password but not locked) if missing.
ensure_user() {
  id "$1" >/dev/null 2>&1 && return 0
  useradd --create-home --shell /bin/bash "$1"
  usermod -p '*' "$1"
  echo "$SERVICE: created user $1 (sshd.sh normally does)"
}
