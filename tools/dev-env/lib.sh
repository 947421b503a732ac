# shellcheck shell=bash disable=SC2034 # the variables are used by up.sh and down.sh
# Shared by up.sh and down.sh: paths, messages, and the pid-file helpers.
# Sourced, never run. Expects `set -euo pipefail` from the caller and $DEV_ENV_DIR set to this folder.

REPO_ROOT=$(cd "$DEV_ENV_DIR/../.." && pwd)
STATE=${IMAGEFLEET_STATE_DIR:-$REPO_ROOT/.imagefleet}
REGISTRY_PORT=${IMAGEFLEET_REGISTRY_PORT:-5001}
REGISTRY_URL="http://127.0.0.1:$REGISTRY_PORT"
REGISTRY_DIR="$STATE/registry"
REGISTRY_PID="$REGISTRY_DIR/registry.pid"
DOCKERD_PID="$STATE/dockerd.pid"
DOCKERD_LOG="$STATE/dockerd.log"
# Probes whatever answers on the main socket (CLI 20.10 talks to dockerd 20.10 and 28 alike). The CLI
# to build with depends on the engine: engine_cli below, IMAGEFLEET_DOCKER in $ENGINE_ENV.
# /usr/local/bin/docker (CLI 28, no buildx plugin) refuses BuildKit builds: never used here.
DOCKER=/usr/bin/docker
DEFAULT_SOCK=/var/run/docker.sock

# The engines. docker28: Debian sid's docker.io/docker-cli/docker-buildx 28.5 unpacked (dpkg -x) into
# $D28_DIR, run with bookworm's containerd 1.6 and runc; containerd image store; data in $D28_DATA.
# debian12: Debian 12's /usr/sbin/dockerd 20.10, data in /var/lib/docker. One of them on $DEFAULT_SOCK.
ENGINES=(docker28 debian12)
DEFAULT_ENGINE=docker28
ENGINE_FILE="$STATE/engine"            # which engine dev-env runs on $DEFAULT_SOCK: docker28, debian12 (or external)
ENGINE_ENV="$STATE/engine.env"         # DOCKER_HOST, IMAGEFLEET_DOCKER (, DOCKER_CONFIG) for that engine
D28_DIR="$STATE/docker28"
D28_DATA="$STATE/docker28-data"
D28_DAEMON_JSON="$STATE/docker28-daemon.json"
D28_CLI_CONFIG="$STATE/docker-config"  # DOCKER_CONFIG of the 28 CLI: cli-plugins/docker-buildx
D28_BUILDX="$D28_DIR/usr/libexec/docker/cli-plugins/docker-buildx"
# Debian sid's containerd 2.x (and its ctr) unpacked, never run by dev-env: the tests start private
# daemons of it, so node pulls are proven for both containerd generations (KIND >= 0.27, k3s 1.31+).
CONTAINERD2_DIR="$STATE/containerd2"

# The second engine (tests): the other engine, in network namespace $E2_NS, socket $E2_SOCK.
E2_DIR="$STATE/e2"
E2_NS=imagefleet-e2
E2_NETNS="/var/run/netns/$E2_NS"
E2_SOCK="$E2_DIR/docker.sock"
E2_PID="$E2_DIR/dockerd.pid"
E2_LOG="$E2_DIR/dockerd.log"
E2_ENGINE_FILE="$E2_DIR/engine"
E2_ENGINE_ENV="$E2_DIR/engine.env"
E2_EXEC_ROOT=/run/imagefleet-e2        # short: containerd's sockets live under it (108-byte limit)
E2_VETH_HOST=ife2-host                 # host side, $E2_HOST_ADDR/30
E2_VETH_NS=ife2-ns                     # namespace side, $E2_NS_ADDR/30
E2_HOST_ADDR=10.203.0.1
E2_NS_ADDR=10.203.0.2
E2_FWD_HOST_PID="$E2_DIR/forward-host.pid"  # socat $E2_HOST_ADDR:port -> 127.0.0.1:port (host namespace)
E2_FWD_NS_PID="$E2_DIR/forward-ns.pid"      # socat 127.0.0.1:port -> $E2_HOST_ADDR:port (in $E2_NS)

say() { printf 'dev-env: %s\n' "$*"; }
die() { printf 'dev-env: error: %s\n' "$*" >&2; exit 1; }

case $REGISTRY_PORT in
  '' | *[!0-9]*) die "IMAGEFLEET_REGISTRY_PORT must be a port number, got \"$REGISTRY_PORT\"" ;;
esac
((REGISTRY_PORT >= 1 && REGISTRY_PORT <= 65535)) ||
  die "IMAGEFLEET_REGISTRY_PORT must be between 1 and 65535, got \"$REGISTRY_PORT\""
[[ $STATE == /* && $STATE != / ]] || die "IMAGEFLEET_STATE_DIR must be an absolute path other than /, got \"$STATE\""

# `docker version` needs both client and server; bounded because a stale socket can hang.
engine_answers() { timeout 10 "$DOCKER" version >/dev/null 2>&1; }

# Prints the pid recorded in $1 when that process is alive and is $2 (by /proc/<pid>/comm, so a
# recycled pid of some other program is never mistaken for ours); prints nothing otherwise.
live_pid() {
  local file=$1 comm=$2 pid
  [[ -s $file ]] || return 0
  pid=$(tr -dc '0-9' <"$file")
  [[ -n $pid && -r /proc/$pid/comm ]] || return 0
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$comm" ]] && printf '%s\n' "$pid"
  return 0
}

# Stops pid $1 (TERM, then KILL after $3 seconds); $2 names it in messages.
stop_pid() {
  local pid=$1 what=$2 limit=$3 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < limit * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || { say "stopped $what (pid $pid)"; return 0; }
    sleep 0.2
  done
  say "$what (pid $pid) still running after ${limit}s; sending KILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 25; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  die "$what (pid $pid) survived KILL"
}

# HTTP status of GET /v2/ on the registry port; "down" when nothing accepts the connection,
# "not-http" when something accepts it but does not answer HTTP.
registry_status() {
  local code rc=0
  code=$(curl -s -o /dev/null -w '%{http_code}' --connect-timeout 2 --max-time 5 "$REGISTRY_URL/v2/") || rc=$?
  case $rc in
    0) printf '%s\n' "$code" ;;
    7) printf 'down\n' ;;
    *) printf 'not-http\n' ;;
  esac
}

# One up.sh/down.sh at a time per state dir (two Nx tasks may call up.sh together).
# Children started in the background must not inherit fd 9 (they would hold the lock forever).
take_lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/dev-env.lock"
  flock -w 120 9 || die "another up.sh/down.sh holds $STATE/dev-env.lock for over 120s"
}
