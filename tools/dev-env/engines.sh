# shellcheck shell=bash
# The Docker engines of dev-env: fetching Debian packages without touching apt's sources, the main
# engine on /var/run/docker.sock (docker28 or debian12), and the second engine in network namespace
# imagefleet-e2. Sourced after lib.sh by up.sh, down.sh and second-engine.sh; never run.

engine_cli() {
  case $1 in
    docker28) printf '%s\n' "$D28_DIR/usr/bin/docker" ;;
    *) printf '%s\n' /usr/bin/docker ;;
  esac
}
engine_dockerd() {
  case $1 in
    docker28) printf '%s\n' "$D28_DIR/usr/sbin/dockerd" ;;
    *) printf '%s\n' /usr/sbin/dockerd ;;
  esac
}
# PATH for dockerd: docker28 finds its docker-proxy and docker-init first, then bookworm's containerd and runc.
engine_path() {
  case $1 in
    docker28) printf '%s\n' "$D28_DIR/usr/sbin:$D28_DIR/usr/bin:$PATH" ;;
    *) printf '%s\n' "$PATH" ;;
  esac
}
other_engine() { if [[ $1 == debian12 ]]; then echo docker28; else echo debian12; fi; }
valid_engine() { [[ $1 == docker28 || $1 == debian12 ]]; }

# Which engine a running dockerd is, from its executable (a pid file alone does not say).
engine_of_pid() {
  local exe
  exe=$(readlink "/proc/$1/exe" 2>/dev/null) || { echo unknown; return 0; }
  exe=${exe% (deleted)}
  case $exe in
    "$D28_DIR/usr/sbin/dockerd") echo docker28 ;;
    /usr/bin/dockerd | /usr/sbin/dockerd) echo debian12 ;;
    *) echo unknown ;;
  esac
}

# Runs the CLI of engine $1 with the environment engine.env gives it (DOCKER_CONFIG for docker28's buildx).
engine_docker() {
  local engine=$1
  shift
  if [[ $engine == docker28 ]]; then DOCKER_CONFIG=$D28_CLI_CONFIG "$D28_DIR/usr/bin/docker" "$@"
  else /usr/bin/docker "$@"; fi
}

# The machine's own Debian mirror (deb822 sources of Debian 12, else a one-line sources.list).
debian_mirror() {
  local uri=''
  [[ -r /etc/apt/sources.list.d/debian.sources ]] &&
    uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  [[ -z $uri && -r /etc/apt/sources.list ]] &&
    uri=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)
  printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

# fetch_debs SUITE DEST LOG PACKAGE...: downloads the packages of Debian SUITE and unpacks each
# (dpkg -x) into DEST, installing nothing: REFERENCE.md §7's recipe — a separate source list, lists
# dir and package cache (the machine's apt sources and caches are untouched), the machine's own mirror.
# Writes DEST/.debs ("package version" per line). Bounded: apt-get update 5 min, downloads 10 min.
fetch_debs() {
  local suite=$1 dest=$2 log=$3 f
  shift 3
  FETCH_TMP=$(mktemp -d)
  trap 'rm -rf "$FETCH_TMP"' EXIT
  local d=$FETCH_TMP
  chmod 0755 "$d" # apt downloads as its _apt user
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$(debian_mirror)" "$suite" >"$d/$suite.sources"
  local o=(-o Dir::Etc::sourcelist="$d/$suite.sources" -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$d/lists"
    -o Dir::Cache="$d/cache")
  { timeout 300 apt-get "${o[@]}" update && (cd "$d" && timeout 600 apt-get "${o[@]}" download "$@"); } >"$log" 2>&1 ||
    { tail -n 10 "$log" >&2; die "could not download $* from Debian $suite; see $log"; }
  mkdir -p "$dest"
  : >"$dest/.debs"
  for f in "$d"/*.deb; do
    dpkg -x "$f" "$dest"
    # shellcheck disable=SC2016 # dpkg-deb expands these, not the shell
    dpkg-deb -W --showformat='${Package} ${Version}\n' "$f" >>"$dest/.debs"
  done
  rm -rf "$d"
  trap - EXIT
}

docker28_unpacked() { [[ -x $D28_DIR/usr/sbin/dockerd && -x $D28_DIR/usr/bin/docker && -x $D28_BUILDX && -s $D28_DIR/.debs ]]; }

# Debian sid's docker.io, docker-cli and docker-buildx in $D28_DIR; downloaded once (cached while unpacked).
ensure_docker28() {
  if docker28_unpacked; then
    say "Docker 28 already unpacked in $D28_DIR ($(paste -sd, "$D28_DIR/.debs"))"
  else
    say "fetching Docker 28 from Debian sid (docker.io docker-cli docker-buildx) into $D28_DIR"
    rm -rf "$D28_DIR.tmp"
    fetch_debs sid "$D28_DIR.tmp" "$STATE/docker28-fetch.log" docker.io docker-cli docker-buildx
    rm -rf "$D28_DIR"
    mv "$D28_DIR.tmp" "$D28_DIR"
    docker28_unpacked || die "unpacked Debian sid packages lack dockerd, docker or docker-buildx; see $STATE/docker28-fetch.log"
    say "unpacked $(paste -sd, "$D28_DIR/.debs")"
  fi
  # The CLI's plugin dir: DOCKER_CONFIG=$D28_CLI_CONFIG (engine.env) makes `docker buildx` this buildx.
  mkdir -p "$D28_CLI_CONFIG/cli-plugins"
  if [[ $(readlink "$D28_CLI_CONFIG/cli-plugins/docker-buildx" 2>/dev/null) != "$D28_BUILDX" ]]; then
    ln -sfn "$D28_BUILDX" "$D28_CLI_CONFIG/cli-plugins/docker-buildx"
    say "linked $D28_CLI_CONFIG/cli-plugins/docker-buildx -> $D28_BUILDX"
  fi
}

containerd2_unpacked() { [[ -x $CONTAINERD2_DIR/usr/bin/containerd && -x $CONTAINERD2_DIR/usr/bin/ctr && -s $CONTAINERD2_DIR/.debs ]]; }

# Debian sid's containerd (2.x) in $CONTAINERD2_DIR, for the node-pull tests; downloaded once (cached while unpacked).
ensure_containerd2() {
  if containerd2_unpacked; then
    say "containerd 2 already unpacked in $CONTAINERD2_DIR ($(paste -sd, "$CONTAINERD2_DIR/.debs"))"
    return 0
  fi
  say "fetching containerd 2 from Debian sid (containerd) into $CONTAINERD2_DIR"
  rm -rf "$CONTAINERD2_DIR.tmp"
  fetch_debs sid "$CONTAINERD2_DIR.tmp" "$STATE/containerd2-fetch.log" containerd
  rm -rf "$CONTAINERD2_DIR"
  mv "$CONTAINERD2_DIR.tmp" "$CONTAINERD2_DIR"
  containerd2_unpacked || die "unpacked Debian sid containerd lacks containerd or ctr; see $STATE/containerd2-fetch.log"
  say "unpacked $(paste -sd, "$CONTAINERD2_DIR/.debs")"
}

# write_if_changed FILE CONTENT: returns 1 (and writes nothing) when FILE already holds CONTENT.
write_if_changed() {
  if [[ -f $1 && $(cat "$1") == "$2" ]]; then return 1; fi
  printf '%s\n' "$2" >"$1.tmp" && mv "$1.tmp" "$1"
  say "wrote $1"
}

# dockerd 28's --config-file: the containerd image store.
write_d28_daemon_json() {
  write_if_changed "$D28_DAEMON_JSON" '{"features": {"containerd-snapshotter": true}}' || true
}

# write_engine_env FILE ENGINE HOST [NAME]: what a client needs to use that engine (KEY=value lines, no
# quoting). NAME (default ENGINE) is IMAGEFLEET_ENGINE: "external" for an engine dev-env did not start.
write_engine_env() {
  local file=$1 engine=$2 host=$3 body
  body="IMAGEFLEET_ENGINE=${4:-$engine}
DOCKER_HOST=$host
IMAGEFLEET_DOCKER=$(engine_cli "$engine")"
  [[ $engine == docker28 ]] && body+=$'\n'"DOCKER_CONFIG=$D28_CLI_CONFIG"
  write_if_changed "$file" "$body" || true
}

# Bounded wait for a containerd that dockerd managed under exec root $1 to be gone (a new dockerd would
# adopt a live one from the pid file).
wait_containerd_gone() {
  local pidfile="$1/containerd/containerd.pid" pid i
  pid=$(live_pid "$pidfile" containerd)
  [[ -n $pid ]] || return 0
  for ((i = 0; i < 75; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  say "containerd (pid $pid) under $1 still running 15s after its dockerd; stopping it"
  stop_pid "$pid" containerd 10
}

# Stops the main dockerd dev-env started (any engine). Used by down.sh and by up.sh to switch engines.
stop_main_engine() {
  local pid engine
  pid=$(live_pid "$DOCKERD_PID" dockerd)
  if [[ -n $pid ]]; then
    engine=$(engine_of_pid "$pid")
    # dockerd gives running containers 15 s to stop before it exits itself.
    stop_pid "$pid" "dockerd ($engine)" 30
    wait_containerd_gone /var/run/docker
  elif [[ -e $DOCKERD_PID ]]; then
    say "dockerd was not running (stale pid file removed)"
  else
    say "dockerd not started by dev-env; nothing to stop"
  fi
  rm -f "$DOCKERD_PID" "$ENGINE_FILE" "$ENGINE_ENV"
}

# start_engine ENGINE: ENGINE's dockerd on $DEFAULT_SOCK, host network namespace. A dockerd of the
# other engine started by dev-env is stopped first; an engine dev-env did not start is reused, never stopped.
start_engine() {
  local want=$1 pid running i
  local dockerd
  dockerd=$(engine_dockerd "$want")
  [[ -x $dockerd ]] || die "$dockerd not found (engine $want)"
  pid=$(live_pid "$DOCKERD_PID" dockerd)
  if [[ -n $pid ]]; then
    running=$(engine_of_pid "$pid")
    if [[ $running != "$want" ]]; then
      say "switching the engine on $DEFAULT_SOCK from $running to $want: stopping dockerd (pid $pid)"
      stop_main_engine
      pid=''
    fi
  fi
  if engine_answers; then
    if [[ -n $pid ]]; then
      say "Docker engine $want already running (started by dev-env, pid $pid)"
      write_if_changed "$ENGINE_FILE" "$want" || true
    else
      say "reusing the Docker engine already running at ${DOCKER_HOST:-unix://$DEFAULT_SOCK} (not started by dev-env; --engine $want not applied)"
      write_if_changed "$ENGINE_FILE" external || true
    fi
    return 0
  fi
  [[ -z ${DOCKER_HOST:-} || $DOCKER_HOST == "unix://$DEFAULT_SOCK" ]] ||
    die "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine, or unset DOCKER_HOST to let up.sh start dockerd on $DEFAULT_SOCK"
  if [[ -z $pid ]]; then
    rm -f "$DOCKERD_PID" "$ENGINE_FILE"
    wait_containerd_gone /var/run/docker
    local args=(--host "unix://$DEFAULT_SOCK" --pidfile "$DOCKERD_PID")
    [[ $want == docker28 ]] && args+=(--config-file "$D28_DAEMON_JSON" --data-root "$D28_DATA")
    say "starting dockerd ($want) on unix://$DEFAULT_SOCK (log $DOCKERD_LOG)"
    printf '\n=== dev-env: %s %s %s\n' "$(date -Is)" "$dockerd" "${args[*]}" >>"$DOCKERD_LOG"
    # dockerd writes (and on a clean exit removes) its pid file itself; it refuses to start if the
    # file names a live process, so the file is not written here.
    PATH=$(engine_path "$want") setsid "$dockerd" "${args[@]}" >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
    pid=$!
  else
    say "dockerd $want (pid $pid, started by dev-env) does not answer yet; waiting"
  fi
  for ((i = 0; i < 120; i++)); do
    if engine_answers; then
      say "Docker engine ready ($want, dockerd pid $pid)"
      write_if_changed "$ENGINE_FILE" "$want" || true
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { tail -n 15 "$DOCKERD_LOG" >&2; die "dockerd ($want) exited during startup; see $DOCKERD_LOG"; }
    sleep 0.5
  done
  tail -n 15 "$DOCKERD_LOG" >&2
  die "dockerd ($want, pid $pid) did not answer within 60s; see $DOCKERD_LOG"
}

# ---- the second engine, in network namespace $E2_NS -------------------------------------------

e2_answers() { timeout 10 /usr/bin/docker --host "unix://$E2_SOCK" version >/dev/null 2>&1; }
e2_nsenter() { nsenter --net="$E2_NETNS" "$@"; }

# Namespace with lo up, and the veth pair $E2_VETH_HOST ($E2_HOST_ADDR/30) <-> $E2_VETH_NS ($E2_NS_ADDR/30).
e2_netns() {
  if [[ ! -e $E2_NETNS ]]; then
    ip netns add "$E2_NS"
    say "created network namespace $E2_NS"
  fi
  ip -n "$E2_NS" link set lo up
  if ! ip link show dev "$E2_VETH_HOST" >/dev/null 2>&1; then
    ip -n "$E2_NS" link del "$E2_VETH_NS" 2>/dev/null || true
    ip link add "$E2_VETH_HOST" type veth peer name "$E2_VETH_NS" netns "$E2_NS"
    say "created veth $E2_VETH_HOST ($E2_HOST_ADDR/30, host) <-> $E2_VETH_NS ($E2_NS_ADDR/30, $E2_NS)"
  fi
  # Output captured, not piped to `grep -q`: under pipefail, grep quitting at the match while ip still
  # writes its inet6 lines made the pipeline fail (SIGPIPE), and the address was added twice.
  local addrs
  addrs=$(ip addr show dev "$E2_VETH_HOST")
  [[ $addrs == *"inet $E2_HOST_ADDR/30 "* ]] || ip addr add "$E2_HOST_ADDR/30" dev "$E2_VETH_HOST"
  addrs=$(ip -n "$E2_NS" addr show dev "$E2_VETH_NS")
  [[ $addrs == *"inet $E2_NS_ADDR/30 "* ]] || ip -n "$E2_NS" addr add "$E2_NS_ADDR/30" dev "$E2_VETH_NS"
  ip link set "$E2_VETH_HOST" up
  ip -n "$E2_NS" link set "$E2_VETH_NS" up
}

e2_registry_status() {
  local code rc=0
  code=$(e2_nsenter curl -s -o /dev/null -w '%{http_code}' --connect-timeout 2 --max-time 5 "http://127.0.0.1:$REGISTRY_PORT/v2/") || rc=$?
  if ((rc == 0)); then printf '%s\n' "$code"; else printf 'down\n'; fi
}

# localhost:$REGISTRY_PORT inside the namespace reaches the host's registry on 127.0.0.1: two socat
# relays over the veth pair (host: $E2_HOST_ADDR:port -> 127.0.0.1:port; namespace: 127.0.0.1:port ->
# $E2_HOST_ADDR:port). So the registry is also $E2_HOST_ADDR:port from the namespace (another name for it).
e2_forward() {
  command -v socat >/dev/null || die "socat not found (package socat)"
  local p=$REGISTRY_PORT pid i started=0
  pid=$(live_pid "$E2_FWD_HOST_PID" socat)
  if [[ -z $pid ]]; then
    setsid socat "TCP-LISTEN:$p,bind=$E2_HOST_ADDR,fork,reuseaddr" "TCP:127.0.0.1:$p" </dev/null >>"$E2_DIR/forward.log" 2>&1 9>&- &
    printf '%s\n' "$!" >"$E2_FWD_HOST_PID"
    started=1
  fi
  pid=$(live_pid "$E2_FWD_NS_PID" socat)
  if [[ -z $pid ]]; then
    setsid nsenter --net="$E2_NETNS" socat "TCP-LISTEN:$p,bind=127.0.0.1,fork,reuseaddr" "TCP:$E2_HOST_ADDR:$p" \
      </dev/null >>"$E2_DIR/forward.log" 2>&1 9>&- &
    printf '%s\n' "$!" >"$E2_FWD_NS_PID"
    started=1
  fi
  for ((i = 0; i < 50; i++)); do
    if [[ $(e2_registry_status) == 200 ]]; then
      ((started)) && say "registry reachable in $E2_NS as localhost:$p and $E2_HOST_ADDR:$p (socat relays, log $E2_DIR/forward.log)"
      return 0
    fi
    sleep 0.2
  done
  tail -n 5 "$E2_DIR/forward.log" >&2 || true
  die "the registry does not answer inside $E2_NS at 127.0.0.1:$p within 10s; see $E2_DIR/forward.log"
}

# e2_up ENGINE: ENGINE's dockerd in $E2_NS (started with nsenter --net, not `ip netns exec`, which
# remounts /sys: "Devices cgroup isn't mounted"), with data, exec root, containerd and socket of its own.
e2_up() {
  local want=$1 pid running i dockerd
  mkdir -p "$E2_DIR"
  pid=$(live_pid "$E2_PID" dockerd)
  if [[ -n $pid ]]; then
    running=$(engine_of_pid "$pid")
    if [[ $running != "$want" ]]; then
      say "second engine: switching from $running to $want"
      e2_stop_engine
      pid=''
    fi
  fi
  e2_netns
  e2_forward
  if [[ -n $pid ]] && e2_answers; then
    say "second engine $want already running in $E2_NS (pid $pid, unix://$E2_SOCK)"
  else
    if [[ -z $pid ]]; then
      dockerd=$(engine_dockerd "$want")
      [[ -x $dockerd ]] || die "$dockerd not found (engine $want)"
      rm -f "$E2_PID" "$E2_ENGINE_FILE"
      wait_containerd_gone "$E2_EXEC_ROOT"
      local args=(--host "unix://$E2_SOCK" --pidfile "$E2_PID" --data-root "$E2_DIR/data" --exec-root "$E2_EXEC_ROOT"
        --containerd-namespace "$E2_NS" --containerd-plugins-namespace "$E2_NS-plugins"
        --insecure-registry "$E2_HOST_ADDR/30")
      [[ $want == docker28 ]] && args+=(--config-file "$D28_DAEMON_JSON")
      say "starting the second engine: dockerd ($want) in $E2_NS on unix://$E2_SOCK (log $E2_LOG)"
      printf '\n=== dev-env: %s %s %s\n' "$(date -Is)" "$dockerd" "${args[*]}" >>"$E2_LOG"
      PATH=$(engine_path "$want") setsid nsenter --net="$E2_NETNS" "$dockerd" "${args[@]}" >>"$E2_LOG" 2>&1 </dev/null 9>&- &
      pid=$!
    fi
    for ((i = 0; i < 120; i++)); do
      e2_answers && break
      kill -0 "$pid" 2>/dev/null || { tail -n 15 "$E2_LOG" >&2; die "second dockerd ($want) exited during startup; see $E2_LOG"; }
      sleep 0.5
    done
    e2_answers || { tail -n 15 "$E2_LOG" >&2; die "second dockerd ($want, pid $pid) did not answer within 60s; see $E2_LOG"; }
    say "second engine ready ($want, dockerd pid $pid, namespace $E2_NS)"
  fi
  write_if_changed "$E2_ENGINE_FILE" "$want" || true
  write_engine_env "$E2_ENGINE_ENV" "$want" "unix://$E2_SOCK"
}

e2_stop_engine() {
  local pid
  pid=$(live_pid "$E2_PID" dockerd)
  if [[ -n $pid ]]; then
    stop_pid "$pid" "second dockerd ($(engine_of_pid "$pid"))" 30
    wait_containerd_gone "$E2_EXEC_ROOT"
  fi
  rm -f "$E2_PID" "$E2_ENGINE_FILE" "$E2_ENGINE_ENV"
}

# Stops everything e2_up started and deletes the namespace (and with it the veth pair). Quiet when nothing runs.
e2_down() {
  local f pid any=0
  [[ -e $E2_PID || -e $E2_NETNS ]] && any=1
  e2_stop_engine
  for f in "$E2_FWD_NS_PID" "$E2_FWD_HOST_PID"; do
    [[ -e $f ]] && any=1
    pid=$(live_pid "$f" socat)
    [[ -n $pid ]] && stop_pid "$pid" "registry relay (socat)" 5
    rm -f "$f"
  done
  ip link del "$E2_VETH_HOST" 2>/dev/null || true
  if [[ -e $E2_NETNS ]]; then
    ip netns del "$E2_NS"
    say "deleted network namespace $E2_NS"
  fi
  if ((any)); then say "second engine stopped"; fi
}
