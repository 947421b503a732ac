#!/usr/bin/env bash
# The benchmark's baseline: what the seed's build-all-images-dev.sh does, over a fixture
# workspace from bench/fixture.ts. The base first (every service builds FROM it), then every
# other service with `xargs -P $JOBS`: BuildKit build with the secret from .env, push, one log
# per service and one CSV row (service,status,seconds) each. No skipping, no verification:
# a re-run builds (from the build cache) and pushes ("Layer already exists") everything again.
#
# Usage: REGISTRY=127.0.0.1:5001 [JOBS=4] bash bench/baseline.sh <workspace dir>
set -euo pipefail

WS=${1:?usage: REGISTRY=host:port [JOBS=n] bash bench/baseline.sh <workspace dir>}
cd "$WS"
: "${REGISTRY:?set REGISTRY=host:port (where to push)}"
export REGISTRY
export JOBS=${JOBS:-$(nproc)}
# The CLI every imagefleet command uses (bench/engine.ts puts the recorded IMAGEFLEET_DOCKER in our environment).
export DOCKER=${DOCKER:-${IMAGEFLEET_DOCKER:-/usr/bin/docker}}
export NAMESPACE=${NAMESPACE:-bench}
export TAG=${TAG:-dev}
export BASE=${BASE:-fleet-base}
export LOG_DIR=artifacts/image-build-logs
export SUMMARY="$LOG_DIR/build-summary-$TAG.csv"

mkdir -p "$LOG_DIR"
# Secrets come from .env, as in the seed; they reach BuildKit as --secret id=…,env=….
set -a
# shellcheck disable=SC1091
. ./.env
set +a
echo "service,status,seconds" >"$SUMMARY"

build_one() {
  local svc=$1
  local log="$LOG_DIR/${svc}_${TAG}.log"
  local image="$REGISTRY/$NAMESPACE/$svc:$TAG"
  local start status=success
  start=$(date +%s.%N)
  if ! {
    DOCKER_BUILDKIT=1 "$DOCKER" build \
      --secret id=BENCH_TOKEN,env=BENCH_TOKEN \
      --build-arg FLEET_BASE_IMAGE="$REGISTRY/$NAMESPACE/$BASE:$TAG" \
      -t "$image" -t "$NAMESPACE/$svc:$TAG" \
      "apps/$svc" && "$DOCKER" push "$image"
  } >"$log" 2>&1; then
    status=failed
  fi
  # One short line per append: O_APPEND keeps parallel writers from tearing rows.
  awk -v s="$svc" -v st="$status" -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%s,%s,%.2f\n", s, st, b - a }' >>"$SUMMARY"
  [ "$status" = success ]
}
export -f build_one

build_one "$BASE" || { echo "baseline: $BASE failed, see $LOG_DIR/${BASE}_${TAG}.log" >&2; exit 1; }
# shellcheck disable=SC2016 # $1 is expanded by the child bash, one service per call
find apps -mindepth 1 -maxdepth 1 -type d ! -name "$BASE" -printf '%f\n' | sort |
  xargs -P "$JOBS" -I{} bash -c 'build_one "$1"' _ {}
