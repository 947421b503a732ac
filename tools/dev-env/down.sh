#!/usr/bin/env bash
# Stops what up.sh started: the second engine (dockerd, registry relays, network namespace
# imagefleet-e2), the local registry, and dockerd (either engine) only when up.sh started it (by the
# pids recorded in the state dir; an engine or registry that was already running is left alone).
# Keeps the registry's data and the engines' data unless --purge.
#
# Usage: tools/dev-env/down.sh [--purge] [--second-engine]
#   --purge          also delete the state dir (registry data, engine data, logs, config) after stopping
#   --second-engine  stop only the second engine (and its namespace); leave the rest running
set -euo pipefail
DEV_ENV_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$DEV_ENV_DIR/lib.sh"
# shellcheck source-path=SCRIPTDIR source=engines.sh
. "$DEV_ENV_DIR/engines.sh"
# shellcheck source-path=SCRIPTDIR source=buildkitd.sh
. "$DEV_ENV_DIR/buildkitd.sh"

purge=0
only_second=0
for arg in "$@"; do
  case $arg in
    --purge) purge=1 ;;
    --second-engine) only_second=1 ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument \"$arg\" (expected --purge or --second-engine)" ;;
  esac
done
((purge && only_second)) && die "--purge and --second-engine exclude each other"

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

e2_down
((only_second)) && exit 0
stop_recorded "$BUILDKITD_PID" buildkitd buildkitd 10
stop_recorded "$REGISTRY_PID" docker-registry registry 10
stop_main_engine

if [[ $purge == 1 ]]; then
  exec 9>&-
  rm -rf -- "$STATE"
  say "purged $STATE"
else
  say "kept registry data in $REGISTRY_DIR/data (down.sh --purge deletes it)"
fi
