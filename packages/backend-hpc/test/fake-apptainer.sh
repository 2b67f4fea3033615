#!/bin/bash
# A stand-in for `apptainer`, which cannot be installed on these machines: it records every command line
# (arguments joined by 0x1f, one call a line, in $FAKE_APPTAINER_LOG) and acts them out on the host: `build`
# writes a file (after a pause, so concurrent builds would overlap), `instance start/stop` keep a marker in
# $FAKE_APPTAINER_DIR, `exec` runs the program with only the APPTAINERENV_ variables (prefix dropped), as
# `--containall` would.
IFS=$'\x1f'; printf '%s\n' "apptainer${IFS}$*" >>"$FAKE_APPTAINER_LOG"; unset IFS
case $1 in
  version) echo "apptainer version 1.3.0-fake" ;;
  build)
    sleep 0.3
    if [ -n "${FAKE_APPTAINER_BUILD_FAILS:-}" ]; then echo "FATAL: no registry reachable" >&2; exit 255; fi
    echo "a SIF of $3" >"$2"
    ;;
  instance)
    case $2 in
      start) touch "$FAKE_APPTAINER_DIR/instance-${*: -1}" ;;
      stop) rm -f "$FAKE_APPTAINER_DIR/instance-$3" ;;
    esac
    ;;
  exec)
    shift
    pwd=
    if [ "$1" = --pwd ]; then pwd=$2; shift 2; fi
    [ -e "$FAKE_APPTAINER_DIR/instance-${1#instance://}" ] || { echo "FATAL: no instance $1" >&2; exit 255; }
    shift
    vars=()
    while IFS='=' read -r -d '' name value; do
      case $name in APPTAINERENV_*) vars+=("${name#APPTAINERENV_}=$value") ;; esac
    done < <(env -0)
    [ -z "$pwd" ] || cd "$pwd" || exit 255
    exec env -i PATH="$PATH" HOME=/tmp "${vars[@]}" "$@"
    ;;
  *) echo "fake apptainer: $1?" >&2; exit 255 ;;
esac
