#!/usr/bin/env bash
# bubblewrap (Debian's `bubblewrap`) for the local backend's `confinement: bubblewrap` and its escape tests.
# Idempotent; needs root to install.
set -euo pipefail

SERVICE=bubblewrap
source "$(dirname "$0")/lib.sh"
install_packages bubblewrap
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
bwrap --ro-bind / / --bind "$probe" "$probe" --dev /dev --proc /proc --die-with-parent -- bash -c "echo ok > '$probe/ok'; ! (echo x > /etc/hermes-bwrap-probe) 2>/dev/null"
[ "$(cat "$probe/ok")" = ok ] && [ ! -e /etc/hermes-bwrap-probe ]
echo "bubblewrap: $(bwrap --version), smoke test passed (root writable, the rest read-only)"
