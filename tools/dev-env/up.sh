#!/usr/bin/env bash
# Installs and starts what imagefleet builds and pushes with on a Debian 12 machine: a Docker engine
# (dockerd with its embedded BuildKit) and a local registry on 127.0.0.1:${IMAGEFLEET_REGISTRY_PORT:-5001}.
# Idempotent: a second run reuses what runs and changes nothing. Stop with down.sh.
#
# Usage: tools/dev-env/up.sh [--with-buildx]
#   --with-buildx  also install the docker-buildx CLI plugin (or IMAGEFLEET_WITH_BUILDX=1)
# Environment: IMAGEFLEET_STATE_DIR (default <repo>/.imagefleet), IMAGEFLEET_REGISTRY_PORT (default 5001);
#   DOCKER_HOST, when set, names an engine to reuse (up.sh only ever starts one on /var/run/docker.sock).
set -euo pipefail
DEV_ENV_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$DEV_ENV_DIR/lib.sh"

PACKAGES=(docker.io docker-registry busybox-static apache2-utils ca-certificates curl)
with_buildx=${IMAGEFLEET_WITH_BUILDX:-0}
for arg in "$@"; do
  case $arg in
    --with-buildx) with_buildx=1 ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument \"$arg\" (expected --with-buildx)" ;;
  esac
done

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
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

start_engine() {
  local pid i
  pid=$(live_pid "$DOCKERD_PID" dockerd)
  if engine_answers; then
    if [[ -n $pid ]]; then say "Docker engine already running (started by dev-env, pid $pid)"
    else say "reusing the Docker engine already running at ${DOCKER_HOST:-unix://$DEFAULT_SOCK}"; fi
    return 0
  fi
  [[ -z ${DOCKER_HOST:-} || $DOCKER_HOST == "unix://$DEFAULT_SOCK" ]] ||
    die "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine, or unset DOCKER_HOST to let up.sh start dockerd on $DEFAULT_SOCK"
  if [[ -z $pid ]]; then
    command -v dockerd >/dev/null || die "dockerd not found (package docker.io)"
    rm -f "$DOCKERD_PID"
    say "starting dockerd on unix://$DEFAULT_SOCK (log $DOCKERD_LOG)"
    # dockerd writes (and on a clean exit removes) its pid file itself; it refuses to start if the
    # file names a live process, so the file is not written here.
    setsid dockerd --host "unix://$DEFAULT_SOCK" --pidfile "$DOCKERD_PID" >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
    pid=$!
  else
    say "dockerd (pid $pid, started by dev-env) does not answer yet; waiting"
  fi
  for ((i = 0; i < 120; i++)); do
    engine_answers && { say "Docker engine ready (dockerd pid $pid)"; return 0; }
    kill -0 "$pid" 2>/dev/null || { tail -n 15 "$DOCKERD_LOG" >&2; die "dockerd exited during startup; see $DOCKERD_LOG"; }
    sleep 0.5
  done
  tail -n 15 "$DOCKERD_LOG" >&2
  die "dockerd (pid $pid) did not answer within 60s; see $DOCKERD_LOG"
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
      tail -n 5 "$log" | grep -q 'address already in use' && collision "bind: address already in use"
      tail -n 10 "$log" >&2
      die "docker-registry exited during startup; see $log"
    fi
    sleep 0.2
  done
  die "docker-registry (pid $pid) did not answer GET $REGISTRY_URL/v2/ within 10s; see $log"
}

# The recipe of REFERENCE.md §7: Debian trixie's docker-buildx (libc only) without touching the
# machine's apt sources (a separate source list and lists dir; same mirror as the machine's own).
install_buildx() {
  local dir="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
  if [[ -x $dir/docker-buildx ]]; then say "docker buildx already installed ($dir/docker-buildx)"; return 0; fi
  say "installing docker buildx from Debian trixie into $dir"
  local d uri
  d=$(mktemp -d)
  BUILDX_TMP=$d
  trap 'rm -rf "$BUILDX_TMP"' EXIT
  mkdir -p "$d/lists/partial"
  uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" >"$d/trixie.sources"
  local o=(-o Dir::Etc::sourcelist="$d/trixie.sources" -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$d/lists")
  { apt-get "${o[@]}" update && (cd "$d" && apt-get "${o[@]}" download docker-buildx); } >"$STATE/buildx-install.log" 2>&1 ||
    { tail -n 10 "$STATE/buildx-install.log" >&2; die "could not download docker-buildx; see $STATE/buildx-install.log"; }
  dpkg -x "$d"/docker-buildx_*.deb "$d/x"
  mkdir -p "$dir"
  cp "$d/x/usr/libexec/docker/cli-plugins/docker-buildx" "$dir/"
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
start_engine
start_registry
[[ $with_buildx == 1 ]] && install_buildx
prepare_base_rootfs

engine_version=$(timeout 10 "$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null || echo '?')
buildx_state="not installed (up.sh --with-buildx)"
"$DOCKER" buildx version >/dev/null 2>&1 && buildx_state=$("$DOCKER" buildx version 2>/dev/null | head -n 1)
say "ready"
say "  engine:   dockerd $engine_version at ${DOCKER_HOST:-unix://$DEFAULT_SOCK} (client $DOCKER, DOCKER_BUILDKIT=1)"
say "  registry: $REGISTRY_URL (push as localhost:$REGISTRY_PORT/<repo>:<tag>; $registry_note)"
say "  buildx:   $buildx_state"
say "  state:    $STATE (logs, pid files; stop with tools/dev-env/down.sh)"
