#!/usr/bin/env bash
# Charliecloud's unprivileged runtime (Debian's charliecloud-runtime 0.31: ch-run, no builders, so no buildah)
# and a world-readable directory image built without any registry, for the HPC container backends' tests:
# busybox-static applets and bash-static as /bin/bash, /etc/passwd and /etc/group with root and hermes,
# /home/hermes, /workspace, and empty /proc, /dev, /sys, /tmp to mount on (lib.sh's build_rootfs, the same rootfs
# as docker.sh's image). Idempotent: builds the image only when it is missing or stale. Smoke tests as root
# and as `hermes` (the user sshd.sh creates). Needs root. Switches: IMAGE_DIR=..., REBUILD=1.
set -euo pipefail
IMAGE_DIR=${IMAGE_DIR:-/var/tmp/hermes-images/hermes-bb}
USER_NAME=hermes

SERVICE=charliecloud
source "$(dirname "$0")/lib.sh"
# Not the `charliecloud` package: it is a metapackage that also pulls charliecloud-builders (buildah, CNI plugins).
install_packages charliecloud-runtime busybox-static bash-static
ensure_user "$USER_NAME"
uid=$(id -u "$USER_NAME") gid=$(id -g "$USER_NAME")
# ch-run refuses to start without $USER ("$USER not set"), which CI shells may lack.
export USER=${USER:-$(id -un)}

build_image() {
  if [ "${REBUILD:-0}" != 1 ] && [ -x "$IMAGE_DIR/bin/bash" ] && [ -d "$IMAGE_DIR/workspace" ] &&
    grep -q "^$USER_NAME:x:$uid:$gid:" "$IMAGE_DIR/etc/passwd" 2>/dev/null; then
    echo "charliecloud: image $IMAGE_DIR present"
    return 0
  fi
  local start parent new; start=$(now); parent=$(dirname "$IMAGE_DIR")
  install -d -m 755 "$parent"
  # Built next to the old one and swapped in, so a failed build leaves no half image.
  new=$(mktemp -d "$IMAGE_DIR.new.XXXXXX")
  build_rootfs "$new" "$uid" "$gid"
  chmod 755 "$new"
  rm -rf "$IMAGE_DIR"
  mv "$new" "$IMAGE_DIR"
  took "image $IMAGE_DIR built ($(du -sh "$IMAGE_DIR" | cut -f1))" "$start"
}

# The flags a later backend may want, and whether this ch-run has them.
report_flags() {
  local help yes=() no=() flag
  help=$(ch-run --help)
  for flag in --write-fake -W -w --bind -b --cd -c --unset-env --set-env --no-home --home; do
    if grep -qE -- "(^|[ ,])$flag([ ,=[]|$)" <<<"$help"; then yes+=("$flag"); else no+=("$flag"); fi
  done
  grep -qE -- '--no-home +\(deprecated\)' <<<"$help" && yes=("${yes[@]/#--no-home/--no-home(deprecated, the default)}")
  echo "charliecloud: ch-run $(ch-run --version 2>&1); supported: ${yes[*]}; not supported: ${no[*]:-none}"
  HAS_WRITE_FAKE=0
  grep -qE -- '--write-fake' <<<"$help" && HAS_WRITE_FAKE=1
  return 0
}

smoke_test() {
  local start out work; start=$(now)
  out=$(env -C / ch-run "$IMAGE_DIR" -- /bin/bash -c 'echo ok') && [ "$out" = ok ] ||
    { echo "charliecloud: ch-run as root failed: $out" >&2; exit 1; }
  out=$(env -C / runuser -u "$USER_NAME" -- env USER="$USER_NAME" ch-run "$IMAGE_DIR" -- /bin/bash -c 'echo ok') && [ "$out" = ok ] ||
    { echo "charliecloud: ch-run as $USER_NAME failed: $out" >&2; exit 1; }
  # The image is read-only; a writable directory is bound in (here at /workspace), as a backend would.
  work=$(mktemp -d) && chown "$uid:$gid" "$work"
  env -C / runuser -u "$USER_NAME" -- env USER="$USER_NAME" ch-run -b "$work:/workspace" -c /workspace "$IMAGE_DIR" -- \
    /bin/bash -c 'echo ok >written; id -un' >"$work/out" 2>&1 || true
  if [ "$(cat "$work/written" 2>/dev/null)" != ok ] || [ "$(cat "$work/out")" != "$USER_NAME" ]; then
    echo "charliecloud: ch-run as $USER_NAME with --bind/--cd failed: $(cat "$work/out")" >&2; rm -rf "$work"; exit 1
  fi
  rm -rf "$work"
  took "smoke test (root, $USER_NAME, $USER_NAME with a bound writable /workspace)" "$start"
}

# --write-fake (a tmpfs overlay over the image) needs unprivileged overlayfs (kernel 5.11+). Whether the kernel
# allows it is checked even when this ch-run lacks the flag, for whoever upgrades charliecloud.
check_write_fake() {
  if [ "$HAS_WRITE_FAKE" = 1 ]; then
    if env -C / runuser -u "$USER_NAME" -- env USER="$USER_NAME" ch-run --write-fake "$IMAGE_DIR" -- \
      /bin/bash -c 'echo x >/hermes-probe && rm /hermes-probe' >/dev/null 2>&1; then
      echo "charliecloud: --write-fake works as $USER_NAME"
    else
      echo "charliecloud: --write-fake is there but fails as $USER_NAME"
    fi
    return 0
  fi
  local dir kernel; dir=$(mktemp -d); chown "$uid:$gid" "$dir"; kernel=$(uname -r)
  if env -C / runuser -u "$USER_NAME" -- unshare -r -m bash -c "mount -t tmpfs none '$dir' && mkdir '$dir'/{l,u,w,m} &&
    mount -t overlay overlay -o 'lowerdir=$dir/l,upperdir=$dir/u,workdir=$dir/w' '$dir/m' && touch '$dir/m/x'" 2>/dev/null; then
    echo "charliecloud: no --write-fake in this ch-run; the kernel ($kernel) does allow unprivileged overlayfs, so a newer ch-run's would work"
  else
    echo "charliecloud: no --write-fake in this ch-run, and the kernel ($kernel) refuses unprivileged overlayfs"
  fi
  rm -rf "$dir"
}

build_image
report_flags
smoke_test
check_write_fake
