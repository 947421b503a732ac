#!/bin/sh
# shellcheck shell=dash
# Processes workflow jobs from $QUEUE_DIR in a loop. A job (written by workflows-runtime) is lines of
# workflow=NAME, input=TEXT and step=KIND ARGS. Claiming is a rename incoming/ → processing/, so
# several workers can share one queue; a finished job goes to done/ or failed/ with its .out beside it.
# Usage: worker.sh [--once]   (--once: drain the queue and exit, for tests)
set -u
QUEUE_DIR=${QUEUE_DIR:-/var/lib/workflows/queue}
POLL_SECONDS=${POLL_SECONDS:-2}
HEARTBEAT=${HEARTBEAT:-/tmp/workflow-worker.heartbeat}
once=0
[ "${1:-}" = --once ] && once=1
running=1
trap 'running=0' TERM INT

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) workflow-worker: $*"; }

# run_step "KIND ARGS" INPUT: runs one step; prints its output, fails for an unknown kind.
run_step() {
  local step="$1" input="$2" kind args=''
  kind=${step%% *}
  [ "$kind" = "$step" ] || args=${step#* }
  case $kind in
    echo) printf '%s\n' "$args" ;;
    upper) printf '%s\n' "$input" | tr '[:lower:]' '[:upper:]' ;;
    checksum) printf '%s' "$input" | sha256sum | cut -d' ' -f1 ;;
    sleep)
      case $args in '' | *[!0-9]*) echo "sleep needs whole seconds, got \"$args\"" >&2; return 1 ;; esac
      sleep "$args" ;;
    fail) echo "step asked to fail" >&2; return 1 ;;
    *) echo "unknown step kind \"$kind\"" >&2; return 1 ;;
  esac
}

# process ID: runs the claimed job processing/ID.job.
process() {
  local id="$1" job="$QUEUE_DIR/processing/$1.job" out="$QUEUE_DIR/processing/$1.out" workflow input result line
  workflow=$(sed -n 's/^workflow=//p' "$job")
  input=$(sed -n 's/^input=//p' "$job")
  log "job $id ($workflow) started"
  result='done'
  : >"$out"
  while IFS= read -r line; do
    case $line in step=*) ;; *) continue ;; esac
    if ! run_step "${line#step=}" "$input" >>"$out" 2>&1; then result=failed; break; fi
  done <"$job"
  mv "$out" "$QUEUE_DIR/$result/$id.out"
  mv "$job" "$QUEUE_DIR/$result/$id.job"
  log "job $id ($workflow) $result"
}

mkdir -p "$QUEUE_DIR/incoming" "$QUEUE_DIR/processing" "$QUEUE_DIR/done" "$QUEUE_DIR/failed"
log "watching $QUEUE_DIR every ${POLL_SECONDS}s"
while [ "$running" = 1 ]; do
  touch "$HEARTBEAT"
  for f in "$QUEUE_DIR"/incoming/*.job; do
    if [ ! -e "$f" ] || [ "$running" != 1 ]; then break; fi
    id=$(basename "$f" .job)
    # Another worker may have claimed it first; then the rename fails and we move on.
    mv "$f" "$QUEUE_DIR/processing/$id.job" 2>/dev/null && process "$id"
  done
  [ "$once" = 1 ] && break
  sleep "$POLL_SECONDS" & wait $! 2>/dev/null
done
log "stopped"
