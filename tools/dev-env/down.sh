#!/usr/bin/env bash
# Stops what up.sh started: the local registry, and dockerd only when up.sh started it (by the pids
# recorded in the state dir; an engine or registry that was already running is left alone).
# Keeps the registry's data unless --purge.
#
# Usage: tools/dev-env/down.sh [--purge]
#   --purge  also delete the state dir (registry data, logs, config) after stopping
set -euo pipefail
DEV_ENV_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$DEV_ENV_DIR/lib.sh"

purge=0
for arg in "$@"; do
  case $arg in
    --purge) purge=1 ;;
    -h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument \"$arg\" (expected --purge)" ;;
  esac
done

if [[ ! -d $STATE ]]; then
  say "nothing to stop: no state dir at $STATE"
  exit 0
fi
take_lock

# $1 pid file, $2 process name (/proc/<pid>/comm), $3 label, $4 seconds before KILL
stop_recorded() {
  local pid
  pid=$(live_pid "$1" "$2")
  if [[ -n $pid ]]; then
    stop_pid "$pid" "$3" "$4"
  elif [[ -e $1 ]]; then
    say "$3 was not running (stale pid file removed)"
  else
    say "$3 not started by dev-env; nothing to stop"
  fi
  rm -f "$1"
}

stop_recorded "$REGISTRY_PID" docker-registry registry 10
# dockerd gives running containers 15 s to stop before it exits itself.
stop_recorded "$DOCKERD_PID" dockerd dockerd 30

if [[ $purge == 1 ]]; then
  exec 9>&-
  rm -rf -- "$STATE"
  say "purged $STATE"
else
  say "kept registry data in $REGISTRY_DIR/data (down.sh --purge deletes it)"
fi
