#!/usr/bin/env bash
# Installs and starts what imagefleet builds and pushes with on a Debian 12 machine: a Docker engine
# (dockerd with its embedded BuildKit) and a local registry on 127.0.0.1:${IMAGEFLEET_REGISTRY_PORT:-5001}.
# Idempotent: a second run reuses what runs and changes nothing. Stop with down.sh.
#
# Usage: tools/dev-env/up.sh [--engine docker28|debian12] [--second-engine] [--with-buildx] [--buildkitd]
#   --engine E       the engine on /var/run/docker.sock (default docker28: Debian sid's Docker 28.5 with the
#                    containerd image store; debian12: Debian 12's dockerd 20.10); the other one is stopped
#   --second-engine  also the other engine in network namespace imagefleet-e2 (socket <state>/e2/docker.sock)
#   --with-buildx    debian12: also the docker-buildx CLI plugin (or IMAGEFLEET_WITH_BUILDX=1); docker28 has one
#   --buildkitd      also a BuildKit daemon on tcp://127.0.0.1:1234 for builder.driver: buildctl (buildkitd.sh)
# Environment: IMAGEFLEET_STATE_DIR (default <repo>/.imagefleet), IMAGEFLEET_REGISTRY_PORT (default 5001);
#   DOCKER_HOST, when set, names an engine to reuse (up.sh only ever starts one on /var/run/docker.sock).
# Also unpacks Debian sid's containerd 2.x into <state>/containerd2 (not started: the tests run their own).
# Writes <state>/engine (which engine runs) and <state>/engine.env (DOCKER_HOST, IMAGEFLEET_DOCKER, ...).
set -euo pipefail
DEV_ENV_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$DEV_ENV_DIR/lib.sh"
# shellcheck source-path=SCRIPTDIR source=engines.sh
. "$DEV_ENV_DIR/engines.sh"
# shellcheck source-path=SCRIPTDIR source=buildkitd.sh
. "$DEV_ENV_DIR/buildkitd.sh"

# docker.io (Debian 12) brings dockerd 20.10 and the containerd and runc that Docker 28 runs with too.
# chromium: the review e2e renders the timeline and history pages headless (test/e2e/review.e2e.spec.ts).
PACKAGES=(docker.io docker-registry busybox-static apache2-utils ca-certificates curl socat iproute2 chromium)
with_buildx=${IMAGEFLEET_WITH_BUILDX:-0}
engine=$DEFAULT_ENGINE
second=0
buildkitd=0
while (($#)); do
  case $1 in
    --engine) (($# >= 2)) || die "--engine needs a value (docker28 or debian12)"; engine=$2; shift ;;
    --engine=*) engine=${1#--engine=} ;;
    --second-engine) second=1 ;;
    --with-buildx) with_buildx=1 ;;
    --buildkitd) buildkitd=1 ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument \"$1\" (expected --engine docker28|debian12, --second-engine, --with-buildx, --buildkitd)" ;;
  esac
  shift
done
valid_engine "$engine" || die "unknown engine \"$engine\" (expected docker28 or debian12)"

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == 'install ok installed' ]] || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) == 0 ]] || die "missing Debian packages (${missing[*]}): run up.sh as root or install them first"
  say "installing ${missing[*]}"
  # Keep apt's maintainer scripts from starting docker/docker-registry services of their own: this
  # script starts (and down.sh stops) exactly the processes it records.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy" && added_policy=1
  fi
  local rc=0
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  } >"$STATE/apt.log" 2>&1 || rc=$?
  ((added_policy)) && rm -f "$policy"
  ((rc == 0)) || { tail -n 15 "$STATE/apt.log" >&2; die "apt-get failed (exit $rc); full log: $STATE/apt.log"; }
}

# Written only when it changes, so a second run changes nothing. No `cache: blobdescriptor`: with
# that cache, distribution keeps answering for blobs deleted from disk, which verify must notice.
write_registry_config() {
  local cfg="$REGISTRY_DIR/config.yml" new
  mkdir -p "$REGISTRY_DIR/data"
  new=$(cat <<EOF
# Written by tools/dev-env/up.sh; changes are overwritten.
version: 0.1
log:
  level: info
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REGISTRY_PORT
  headers:
    X-Content-Type-Options: [nosniff]
EOF
)
  if [[ -f $cfg && $(cat "$cfg") == "$new" ]]; then return 1; fi
  printf '%s\n' "$new" >"$cfg"
  say "wrote $cfg"
  return 0
}

collision() {
  die "port $REGISTRY_PORT is taken by something that is not a usable registry ($1); free the port or set IMAGEFLEET_REGISTRY_PORT to another one"
}

start_registry() {
  local changed=0 pid status i log="$REGISTRY_DIR/registry.log"
  write_registry_config && changed=1
  pid=$(live_pid "$REGISTRY_PID" docker-registry)
  if [[ -n $pid ]]; then
    if ((changed == 0)) && [[ $(registry_status) == 200 ]]; then
      say "registry already running at $REGISTRY_URL (started by dev-env, pid $pid)"
      return 0
    fi
    say "restarting the registry (pid $pid): its configuration changed or it does not answer on port $REGISTRY_PORT"
    stop_pid "$pid" registry 10
  fi
  rm -f "$REGISTRY_PID"
  status=$(registry_status)
  case $status in
    200)
      say "reusing the registry already answering at $REGISTRY_URL (not started by dev-env)"
      registry_note="not started by dev-env"
      return 0 ;;
    down) ;;
    401) collision "GET /v2/ answers 401: a registry that requires auth" ;;
    not-http) collision "it does not answer HTTP" ;;
    *) collision "GET /v2/ answers HTTP $status" ;;
  esac
  say "starting docker-registry on $REGISTRY_URL (log $log)"
  setsid docker-registry serve "$REGISTRY_DIR/config.yml" >>"$log" 2>&1 </dev/null 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$REGISTRY_PID"
  for ((i = 0; i < 50; i++)); do
    [[ $(registry_status) == 200 ]] && { say "registry ready (pid $pid)"; return 0; }
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$REGISTRY_PID"
      [[ $(tail -n 5 "$log") == *'address already in use'* ]] && collision "bind: address already in use"
      tail -n 10 "$log" >&2
      die "docker-registry exited during startup; see $log"
    fi
    sleep 0.2
  done
  die "docker-registry (pid $pid) did not answer GET $REGISTRY_URL/v2/ within 10s; see $log"
}

# Debian 12's CLI has no buildx: Debian trixie's docker-buildx (libc only) into ~/.docker/cli-plugins.
install_buildx() {
  local dir="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
  if [[ -x $dir/docker-buildx ]]; then say "docker buildx already installed ($dir/docker-buildx)"; return 0; fi
  say "installing docker buildx from Debian trixie into $dir"
  local x="$STATE/buildx-trixie"
  rm -rf "$x"
  fetch_debs trixie "$x" "$STATE/buildx-install.log" docker-buildx
  mkdir -p "$dir"
  cp "$x/usr/libexec/docker/cli-plugins/docker-buildx" "$dir/"
  rm -rf "$x"
  say "installed $("$dir/docker-buildx" version 2>/dev/null | head -n 1)"
}

# platform-base is FROM scratch: its only file from outside is a static busybox.
prepare_base_rootfs() {
  local src=/bin/busybox dst="$REPO_ROOT/apps/platform-base/rootfs/bin/busybox"
  [[ -x $src ]] || die "$src not found (package busybox-static)"
  ! ldd "$src" >/dev/null 2>&1 || die "$src is dynamically linked; install busybox-static (apt-get install busybox-static)"
  if cmp -s "$src" "$dst"; then return 0; fi
  install -D -m 0755 "$src" "$dst"
  say "copied $src to ${dst#"$REPO_ROOT"/}"
}

registry_note="data $REGISTRY_DIR/data"
mkdir -p "$STATE"
take_lock
install_packages
if [[ $engine == docker28 || $second == 1 ]]; then
  ensure_docker28
  write_d28_daemon_json
fi
ensure_containerd2
start_engine "$engine"
start_registry
[[ $with_buildx == 1 && $engine == debian12 ]] && install_buildx
prepare_base_rootfs
running=$(cat "$ENGINE_FILE")
if [[ $running == external ]]; then
  # Not ours: the 28 CLI (with buildx) for a server of 23 or newer when it is unpacked, else Debian 12's CLI.
  server=$(timeout 10 "$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null || echo 0)
  running=debian12
  ((${server%%.*} >= 23)) 2>/dev/null && docker28_unpacked && running=docker28
  write_engine_env "$ENGINE_ENV" "$running" "${DOCKER_HOST:-unix://$DEFAULT_SOCK}" external
else
  write_engine_env "$ENGINE_ENV" "$running" "${DOCKER_HOST:-unix://$DEFAULT_SOCK}"
fi
((second)) && e2_up "$(other_engine "$engine")"

# engine_line LABEL ENGINE HOST
engine_line() {
  local version buildx
  version=$(timeout 10 /usr/bin/docker --host "$3" version --format '{{.Server.Version}}' 2>/dev/null || echo '?')
  buildx=$(engine_docker "$2" buildx version 2>/dev/null | head -n 1) || true
  say "  $1 dockerd $version at $3 (client $(engine_cli "$2"), DOCKER_BUILDKIT=1; buildx: ${buildx:-not installed (up.sh --with-buildx)})"
}
say "ready"
engine_line "engine:  " "$running" "${DOCKER_HOST:-unix://$DEFAULT_SOCK}"
say "  env:      $ENGINE_ENV: $(paste -sd' ' "$ENGINE_ENV")"
say "  registry: $REGISTRY_URL (push as localhost:$REGISTRY_PORT/<repo>:<tag>; $registry_note)"
if [[ -n $(live_pid "$E2_PID" dockerd) ]]; then
  engine_line "engine 2:" "$(cat "$E2_ENGINE_FILE")" "unix://$E2_SOCK"
  say "  env 2:    $E2_ENGINE_ENV: $(paste -sd' ' "$E2_ENGINE_ENV")"
  say "            namespace $E2_NS: registry as localhost:$REGISTRY_PORT and $E2_HOST_ADDR:$REGISTRY_PORT; veth $E2_VETH_HOST $E2_HOST_ADDR/30 <-> $E2_VETH_NS $E2_NS_ADDR/30"
fi
((buildkitd)) && buildkitd_up
say "  containerd 2: $CONTAINERD2_DIR/usr/bin/{containerd,ctr} ($(paste -sd, "$CONTAINERD2_DIR/.debs"); unpacked for the node-pull tests, not running)"
say "  state:    $STATE (logs, pid files; stop with tools/dev-env/down.sh)"
