#!/usr/bin/env bash
# A private OpenSSH server on 127.0.0.1:2222 for the ssh backend's tests and benchmarks: its own host key,
# a user `hermes` that logs in with generated keys only (one plain, one with a passphrase), and a
# known_hosts file pinning the host key. Idempotent; needs root. Everything lives in $SSH_DIR.
set -euo pipefail
SSH_DIR=${SSH_DIR:-/var/lib/hermes-sshd}
PORT=${SSH_PORT:-2222}
USER_NAME=hermes
PASSPHRASE=hermes-test-passphrase

SERVICE=sshd
source "$(dirname "$0")/lib.sh"
install_packages openssh-server openssh-client

mkdir -p "$SSH_DIR" /run/sshd
chmod 755 "$SSH_DIR"
if ! id "$USER_NAME" >/dev/null 2>&1; then
  useradd --create-home --shell /bin/bash "$USER_NAME"
fi
# With UsePAM no, sshd refuses accounts whose password field says "locked" (useradd's "!"): "*" means no password, not locked.
usermod -p '*' "$USER_NAME"
# The docker backend's ssh:// engine address is tested through this user.
getent group docker >/dev/null && usermod -aG docker "$USER_NAME"
home=$(getent passwd "$USER_NAME" | cut -d: -f6)

[ -f "$SSH_DIR/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/ssh_host_ed25519_key"
[ -f "$SSH_DIR/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C hermes-test -f "$SSH_DIR/id_ed25519"
[ -f "$SSH_DIR/id_ed25519_passphrase" ] || ssh-keygen -q -t ed25519 -N "$PASSPHRASE" -C hermes-test-passphrase -f "$SSH_DIR/id_ed25519_passphrase"
echo "$PASSPHRASE" >"$SSH_DIR/passphrase"
chmod 600 "$SSH_DIR"/id_ed25519 "$SSH_DIR"/id_ed25519_passphrase

install -d -m 700 -o "$USER_NAME" -g "$USER_NAME" "$home/.ssh"
cat "$SSH_DIR/id_ed25519.pub" "$SSH_DIR/id_ed25519_passphrase.pub" >"$home/.ssh/authorized_keys"
chown "$USER_NAME:$USER_NAME" "$home/.ssh/authorized_keys"
chmod 600 "$home/.ssh/authorized_keys"
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$SSH_DIR/ssh_host_ed25519_key.pub")" >"$SSH_DIR/known_hosts"

cat >"$SSH_DIR/sshd_config.new" <<CONFIG
Port $PORT
ListenAddress 127.0.0.1
HostKey $SSH_DIR/ssh_host_ed25519_key
PidFile $SSH_DIR/sshd.pid
UsePAM no
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $USER_NAME
# sntrup761 costs ~80 ms per handshake here; curve25519 is what most clients pick anyway.
KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org
MaxStartups 200:30:400
AllowTcpForwarding yes
AllowStreamLocalForwarding yes
Subsystem sftp internal-sftp
CONFIG
changed=0
if cmp -s "$SSH_DIR/sshd_config.new" "$SSH_DIR/sshd_config"; then rm "$SSH_DIR/sshd_config.new"; else mv "$SSH_DIR/sshd_config.new" "$SSH_DIR/sshd_config"; changed=1; fi

listening() { timeout 1 bash -c "</dev/tcp/127.0.0.1/$PORT" 2>/dev/null; }
running() {
  [ -f "$SSH_DIR/sshd.pid" ] || return 1
  local pid state; pid=$(cat "$SSH_DIR/sshd.pid")
  state=$(sed -E 's/.*\) ([A-Z]).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] && grep -q sshd "/proc/$pid/cmdline" 2>/dev/null
}

if running && listening; then
  if [ $changed = 1 ]; then
    # sshd re-executes itself on SIGHUP: open connections stay, new ones wait until it listens again.
    kill -HUP "$(cat "$SSH_DIR/sshd.pid")"
    sleep 0.2
    for _ in $(seq 50); do listening && break; sleep 0.1; done
  fi
  echo "sshd: already running on 127.0.0.1:$PORT"
else
  start=$(now)
  /usr/sbin/sshd -t -f "$SSH_DIR/sshd_config"
  /usr/sbin/sshd -f "$SSH_DIR/sshd_config" -E "$SSH_DIR/sshd.log"
  for _ in $(seq 50); do listening && break; sleep 0.1; done
  listening || { echo "sshd: not listening; see $SSH_DIR/sshd.log" >&2; tail -20 "$SSH_DIR/sshd.log" >&2; exit 1; }
  took "running on 127.0.0.1:$PORT" "$start"
fi

ssh -q -p "$PORT" -i "$SSH_DIR/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile="$SSH_DIR/known_hosts" \
  "$USER_NAME@127.0.0.1" 'echo ok' | grep -qx ok || { echo "sshd: smoke test failed" >&2; exit 1; }
echo "sshd: smoke test passed"
