#!/usr/bin/env bash
# A single-node Slurm cluster (Debian's slurm-wlm 22.05 and munge) for the slurm backend's tests: munged,
# slurmctld and slurmd on this machine, node `$(hostname)` at 127.0.0.1 with its real CPUs and memory, partitions
# `debug` (default, no time limit) and `short` (MaxTime=10 minutes), no cgroups (proctrack/linuxproc, task/none),
# no accounting, and a scheduler tuned for ~1 s batch latency. Idempotent: each daemon is started only when its
# pid file does not name a live process; slurmctld starts with a clean state (-c). Ends with srun smoke tests as
# root and as `hermes` (the user sshd.sh creates). Needs root.
set -euo pipefail
CONF=/etc/slurm/slurm.conf
USER_NAME=hermes
WAIT=${SLURM_WAIT:-30}

SERVICE=slurm
source "$(dirname "$0")/lib.sh"
install_packages slurm-wlm munge
ensure_user "$USER_NAME"

start_munged() {
  if alive /run/munge/munged.pid munged; then echo "slurm: munged already running"; return 0; fi
  local start; start=$(now)
  install -d -o munge -g munge -m 755 /run/munge
  [ -f /etc/munge/munge.key ] || runuser -u munge -- mungekey --create
  [ -f /var/log/hermes-munged.log ] || install -o munge -g munge -m 640 /dev/null /var/log/hermes-munged.log
  # --force: a socket left by a killed munged is reused instead of refused.
  env -C / runuser -u munge -- /usr/sbin/munged --force --log-file=/var/log/hermes-munged.log
  for _ in $(seq 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n </dev/null | unmunge >/dev/null || { echo "slurm: munged does not answer; see /var/log/hermes-munged.log" >&2; exit 1; }
  took "munged up" "$start"
}

# 0 when the file changed (and was replaced).
write_conf() {
  local node
  # e.g. "NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24105"
  node=$(slurmd -C | grep '^NodeName=')
  NODE=$(sed -E 's/^NodeName=([^ ]+).*/\1/' <<<"$node")
  mkdir -p /etc/slurm
  cat >"$CONF.new" <<CONFIG
# Written by scripts/services/slurm.sh; rewritten on every run.
ClusterName=hermes
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=300
KillWait=5
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,sched_interval=1
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=/var/log/hermes-slurmctld.log
SlurmdLogFile=/var/log/hermes-slurmd.log
${node/ CPUs=/ NodeAddr=127.0.0.1 CPUs=} State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
PartitionName=short Nodes=$NODE MaxTime=10 State=UP
CONFIG
  if cmp -s "$CONF.new" "$CONF"; then rm "$CONF.new"; return 1; fi
  mv "$CONF.new" "$CONF"
  return 0
}

# A live (not zombie) process named NAME, whatever its pid file says (pgrep also matches zombies).
live_process() { ps -C "$1" -o stat= 2>/dev/null | grep -qv '^Z'; }
slurmd_listening() { timeout 1 bash -c '</dev/tcp/127.0.0.1/6818' 2>/dev/null; }

start_daemons() {
  install -d -o slurm -g slurm /run/slurm /var/lib/slurm/slurmctld
  install -d /var/lib/slurm/slurmd
  [ -f /var/log/hermes-slurmctld.log ] || install -o slurm -g slurm -m 640 /dev/null /var/log/hermes-slurmctld.log
  local start
  if alive /run/slurm/slurmctld.pid slurmctld; then
    echo "slurm: slurmctld already running"
    # Partitions and most settings take effect without a restart; a changed node line needs one (kill it by its pid file).
    [ "$CHANGED" = 1 ] && scontrol reconfigure && echo "slurm: $CONF changed; slurmctld reconfigured"
  elif live_process slurmctld; then
    echo "slurm: a slurmctld runs that $(dirname "$0")/slurm.sh did not start (no live pid file); using it" >&2
  else
    start=$(now)
    # -c: a clean state (a kill -9 right after a job ended left a ghost job in state R after a restart).
    env -C / slurmctld -c -i
    took "slurmctld started" "$start"
  fi
  if alive /run/slurm/slurmd.pid slurmd; then
    echo "slurm: slurmd already running"
  elif live_process slurmd; then
    echo "slurm: a slurmd runs without a live pid file; using it" >&2
  else
    start=$(now)
    env -C / slurmd
    # It forks before it listens; a job launched in between fails with "Communication connection failure".
    for _ in $(seq 50); do slurmd_listening && break; sleep 0.1; done
    slurmd_listening || { echo "slurm: slurmd not listening on 6818; see /var/log/hermes-slurmd.log" >&2; tail -15 /var/log/hermes-slurmd.log >&2; exit 1; }
    took "slurmd started" "$start"
  fi
}

node_state() { sinfo -h -N -n "$NODE" -o %T 2>/dev/null | head -1; }

wait_for_node() {
  local start state resumed=0; start=$(now)
  for _ in $(seq $((WAIT * 10))); do
    state=$(node_state)
    case $state in
      idle | mixed | allocated | completing | planned) took "node $NODE $state" "$start"; return 0 ;;
      down* | drain* | fail*)
        # Left DOWN or DRAINED by an earlier run (ReturnToService=2 only lifts DOWN on registration).
        if [ $resumed = 0 ]; then
          scontrol update nodename="$NODE" state=resume 2>/dev/null && echo "slurm: node $NODE was $state; resumed"
          resumed=1
        fi ;;
    esac
    sleep 0.1
  done
  echo "slurm: node $NODE not usable after ${WAIT}s (state: ${state:-none}); sinfo and the logs:" >&2
  sinfo -N -l >&2 || true
  tail -15 /var/log/hermes-slurmctld.log /var/log/hermes-slurmd.log >&2 || true
  exit 1
}

smoke_test() {
  local start partition; start=$(now)
  timeout 30 srun -Q -N1 --chdir=/tmp true || { echo "slurm: srun as root failed" >&2; exit 1; }
  timeout 30 runuser -u "$USER_NAME" -- srun -Q -N1 --chdir=/tmp true || { echo "slurm: srun as $USER_NAME failed" >&2; exit 1; }
  partition=$(timeout 30 runuser -u "$USER_NAME" -- srun -Q -N1 -p short --chdir=/tmp printenv SLURM_JOB_PARTITION)
  [ "$partition" = short ] || { echo "slurm: a job in partition short ran in '$partition'" >&2; exit 1; }
  took "smoke test (srun as root, as $USER_NAME, and in partition short)" "$start"
}

start_munged
CHANGED=0
write_conf && CHANGED=1
start_daemons
wait_for_node
smoke_test
echo "slurm: $(sinfo --version), partitions $(sinfo -h -o '%P(%l)' | paste -sd' ')"
