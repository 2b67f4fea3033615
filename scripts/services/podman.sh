#!/usr/bin/env bash
# Podman's Docker-API socket at /run/podman/podman.sock with the test image, so the docker backend is
# tested against Podman too. Idempotent; needs root; run after docker.sh (it copies the image from there).
set -euo pipefail
SOCKET=/run/podman/podman.sock
IMAGE=${IMAGE:-hermes-test:bash}

SERVICE=podman
source "$(dirname "$0")/lib.sh"
install_packages podman

# Without CAP_SYS_RESOURCE (these VMs) rootful podman cannot raise rlimits to its defaults, and every
# container fails to start; conmon lingers 300 s after each exec unless told otherwise.
if [ ! -f /etc/containers/containers.conf ] || ! grep -q hermes /etc/containers/containers.conf; then
  mkdir -p /etc/containers
  cat >/etc/containers/containers.conf <<CONF
# written by hermes scripts/services/podman.sh
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=32768:32768"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
exit_command_delay = 10
CONF
fi

up() { [ -S "$SOCKET" ] && DOCKER_HOST="unix://$SOCKET" timeout 5 docker version >/dev/null 2>&1; }

if up; then
  echo "podman: service already running"
else
  start=$(now)
  mkdir -p "$(dirname "$SOCKET")"
  # From / (env -C): the service and the conmon it starts keep this directory, and a CI checkout may go.
  env -C / setsid nohup podman system service --time=0 "unix://$SOCKET" >>/var/log/hermes-podman.log 2>&1 </dev/null &
  for _ in $(seq 100); do up && break; sleep 0.1; done
  up || { echo "podman: the service did not start; see /var/log/hermes-podman.log" >&2; exit 1; }
  took "service up on $SOCKET" "$start"
fi

if podman image exists "localhost/$IMAGE" && [ "${REBUILD:-0}" != 1 ]; then
  echo "podman: image $IMAGE present"
else
  start=$(now)
  docker save "$IMAGE" | podman load -q >/dev/null
  took "image $IMAGE copied from docker" "$start"
fi

[ "$(DOCKER_HOST="unix://$SOCKET" docker run --rm --network none "$IMAGE" bash -c 'echo ok')" = ok ] || { echo "podman: smoke test failed" >&2; exit 1; }
echo "podman: smoke test passed"
