#!/usr/bin/env bash
# bubblewrap (Debian's `bubblewrap`) for the local backend's `confinement: bubblewrap` and its escape tests.
# Idempotent; needs root to install.
set -euo pipefail

now() { date +%s%3N; }
if ! dpkg-query -W -f='${Status}' bubblewrap 2>/dev/null | grep -q "ok installed"; then
  start=$(now)
  apt=(apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-unsafe-io -o DPkg::Lock::Timeout=120 bubblewrap)
  export DEBIAN_FRONTEND=noninteractive
  if ! "${apt[@]}" >/var/log/hermes-apt.log 2>&1; then
    apt-get update -q >>/var/log/hermes-apt.log 2>&1
    "${apt[@]}" >>/var/log/hermes-apt.log 2>&1 || { tail -20 /var/log/hermes-apt.log; exit 1; }
  fi
  echo "bubblewrap: installed in $(($(now) - start)) ms"
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
bwrap --ro-bind / / --bind "$probe" "$probe" --dev /dev --proc /proc --die-with-parent -- bash -c "echo ok > '$probe/ok'; ! (echo x > /etc/hermes-bwrap-probe) 2>/dev/null"
[ "$(cat "$probe/ok")" = ok ] && [ ! -e /etc/hermes-bwrap-probe ]
echo "bubblewrap: $(bwrap --version), smoke test passed (root writable, the rest read-only)"
