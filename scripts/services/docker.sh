#!/usr/bin/env bash
# A real Docker engine and a test image built without any registry, for the docker backend's tests and
# benchmarks. Idempotent: installs only what is missing, starts dockerd only when none runs (never a
# second one: in the host network namespace it would delete the docker0 bridge), builds the image only
# when it is missing. Also a private registry on 127.0.0.1:5000 (Debian's docker-registry) so image pulls are
# tested for real without the internet. Needs root. Switches: IMAGE=name:tag, REBUILD=1.
set -euo pipefail
IMAGE=${IMAGE:-hermes-test:bash}
LOG=/var/log/hermes-dockerd.log
PIDFILE=/var/run/hermes-dockerd.pid
REGISTRY=127.0.0.1:5000

SERVICE=docker
source "$(dirname "$0")/lib.sh"

engine_up() { docker version >/dev/null 2>&1; }

wait_for_engine() {
  for _ in $(seq 300); do engine_up && return 0; sleep 0.1; done
  return 1
}

start_engine() {
  engine_up && { echo "docker: engine already running"; return 0; }
  local start; start=$(now)
  if pgrep -x dockerd >/dev/null; then
    echo "docker: a dockerd is starting; waiting for it"
  else
    # From / (env -C): a service keeps the directory it started in, and a CI checkout may be removed under it.
    env -C / setsid nohup dockerd >>"$LOG" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
  fi
  if ! wait_for_engine; then
    echo "docker: the engine did not come up in 30s; last lines of $LOG:" >&2
    tail -30 "$LOG" >&2
    exit 1
  fi
  took "engine up" "$start"
}

build_image() {
  if [ "${REBUILD:-0}" != 1 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "docker: image $IMAGE present"
    return 0
  fi
  local start root; start=$(now); root=$(mktemp -d)
  trap 'rm -rf "$root"' RETURN
  build_rootfs "$root"
  tar -C "$root" --numeric-owner -cf - . |
    docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null
  took "image $IMAGE built" "$start"
}

smoke_test() {
  local start; start=$(now)
  [ "$(docker run --rm --network none "$IMAGE" bash -c 'echo ok')" = ok ] || { echo "docker: smoke test failed" >&2; exit 1; }
  if ! docker run --rm "$IMAGE" true 2>/var/log/hermes-docker-smoke.log; then
    if grep -q "docker0" /var/log/hermes-docker-smoke.log; then
      echo "docker: the docker0 bridge is gone (a second dockerd deleted it?). Recreate it:" >&2
      echo "  ip link add docker0 type bridge && ip addr add 172.17.0.1/16 dev docker0 && ip link set docker0 up" >&2
    fi
    cat /var/log/hermes-docker-smoke.log >&2
    exit 1
  fi
  took "smoke test" "$start"
}

registry_up() { timeout 1 bash -c "</dev/tcp/${REGISTRY%:*}/${REGISTRY#*:}" 2>/dev/null; }

start_registry() {
  registry_up && { echo "docker: registry already running on $REGISTRY"; return 0; }
  local start; start=$(now)
  mkdir -p /var/lib/hermes-registry
  cat >/etc/hermes-registry.yml <<CONFIG
version: 0.1
storage:
  filesystem:
    rootdirectory: /var/lib/hermes-registry
http:
  addr: $REGISTRY
CONFIG
  env -C / setsid nohup docker-registry serve /etc/hermes-registry.yml >>/var/log/hermes-registry.log 2>&1 </dev/null &
  for _ in $(seq 100); do registry_up && break; sleep 0.1; done
  registry_up || { echo "docker: the registry did not start; see /var/log/hermes-registry.log" >&2; exit 1; }
  took "registry up on $REGISTRY" "$start"
}

install_packages docker.io busybox-static bash-static docker-registry
start_registry
start_engine
build_image
smoke_test
