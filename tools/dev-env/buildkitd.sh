# shellcheck shell=bash
# A BuildKit daemon for a user who wants to try `builder.driver: buildctl` (up.sh --buildkitd):
# BuildKit's own buildkitd (not shipped by Debian) with the OCI worker and Debian's runc, on
# tcp://127.0.0.1:${IMAGEFLEET_BUILDKITD_PORT:-1234}, root and config under <state>/buildkitd,
# the dev registry marked plain HTTP. Stopped by down.sh, by its pid file.
BUILDKITD_DIR="$STATE/buildkitd"
BUILDKITD_PID="$BUILDKITD_DIR/buildkitd.pid"
BUILDKITD_PORT=${IMAGEFLEET_BUILDKITD_PORT:-1234}
BUILDKITD_ADDR="tcp://127.0.0.1:$BUILDKITD_PORT"

# The binaries: IMAGEFLEET_BUILDKITD/_BUILDCTL, else ../shared/tools/buildkit beside the repository.
buildkit_bin() {
  local var=$1 name=$2
  local file=${!var:-$REPO_ROOT/../shared/tools/buildkit/$name}
  [[ -x $file ]] || die "no $name: set $var or put BuildKit's release binaries (github.com/moby/buildkit/releases, bin/$name) in $REPO_ROOT/../shared/tools/buildkit"
  printf '%s\n' "$file"
}

buildkitd_up() {
  local buildkitd buildctl pid i
  buildkitd=$(buildkit_bin IMAGEFLEET_BUILDKITD buildkitd)
  buildctl=$(buildkit_bin IMAGEFLEET_BUILDCTL buildctl)
  command -v runc >/dev/null || die "buildkitd's OCI worker needs runc: apt-get install runc"
  mkdir -p "$BUILDKITD_DIR"
  pid=$(live_pid "$BUILDKITD_PID" buildkitd)
  if [[ -z $pid ]]; then
    printf '[worker.oci]\n  enabled = true\n[worker.containerd]\n  enabled = false\n[registry."127.0.0.1:%s"]\n  http = true\n[registry."localhost:%s"]\n  http = true\n' \
      "$REGISTRY_PORT" "$REGISTRY_PORT" >"$BUILDKITD_DIR/buildkitd.toml"
    setsid "$buildkitd" --config "$BUILDKITD_DIR/buildkitd.toml" --root "$BUILDKITD_DIR/root" \
      --addr "$BUILDKITD_ADDR" >"$BUILDKITD_DIR/buildkitd.log" 2>&1 </dev/null &
    echo $! >"$BUILDKITD_PID"
    for ((i = 0; i < 100; i++)); do
      "$buildctl" --addr "$BUILDKITD_ADDR" debug workers >/dev/null 2>&1 && break
      sleep 0.2
    done
    "$buildctl" --addr "$BUILDKITD_ADDR" debug workers >/dev/null 2>&1 ||
      die "buildkitd did not answer at $BUILDKITD_ADDR: $(tail -n 5 "$BUILDKITD_DIR/buildkitd.log")"
  fi
  say "  buildkitd: $BUILDKITD_ADDR (pid $(cat "$BUILDKITD_PID")); try: BUILDKIT_HOST=$BUILDKITD_ADDR with builder.driver: buildctl, builder.buildctl: $buildctl"
}
