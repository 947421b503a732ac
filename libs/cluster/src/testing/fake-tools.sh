#!/bin/sh
# Fake docker, kind, k3d, kubectl and ss for the cluster script tests (the real ones cannot run
# here). Linked under those names: appends its name and argv to $FAKE_LOG, one line per call, and
# answers what the scripts query from files under $FAKE_STATE, which the calls that create things
# update, so a second run sees the first one's work:
#   containers/NAME  "true" (running) or "false"     published/PORT  the container publishing PORT
#   listen/PORT      an `ss -Hltnp` line             clusters/NAME   its node names, one a line
#   certs/NODE       the node mounts certs.d         copied/NODE/DIR  certs.d/DIR copied into the node
#   networks/kind/NAME  a container on the kind network
set -eu
tool=$(basename "$0")
S=$FAKE_STATE
{
  printf '%s' "$tool"
  for a in "$@"; do
    case $a in *' '* | '') printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac
  done
  printf '\n'
} >>"$FAKE_LOG"

# kind create cluster: one node per "- role:" line of the config; mounted when it has extraMounts.
kind_create() {
  config=$1
  name=$(sed -n 's/^name: //p' "$config")
  mkdir -p "$S/clusters" "$S/certs" "$S/networks/kind"
  awk -v name="$name" -v certs="$S/certs" '
    function flush() { if (role != "") { print node; if (mounted) { printf "" > (certs "/" node) } } }
    /^  - role: / { flush(); role = $3; n[role]++; node = name "-" (role == "worker" && n[role] > 1 ? role n[role] : role); mounted = 0; next }
    /extraMounts:/ { mounted = 1 }
    END { flush() }' "$config" >"$S/clusters/$name"
}

case "$tool ${1:-}" in
  'docker inspect')
    [ -f "$S/containers/$4" ] || { echo "Error: No such object: $4" >&2; exit 1; }
    cat "$S/containers/$4" ;;
  'docker ps')
    port=${3#publish=}
    [ ! -f "$S/published/$port" ] || cat "$S/published/$port" ;;
  'docker run')
    name='' port=''
    while [ $# -gt 0 ]; do
      case $1 in
        --name) name=$2; shift ;;
        -p) port=$(echo "$2" | cut -d: -f2); shift ;;
      esac
      shift
    done
    mkdir -p "$S/containers" "$S/published"
    echo true >"$S/containers/$name"
    echo "$name" >"$S/published/$port"
    echo 0123456789ab ;;
  'docker start') echo true >"$S/containers/$2" ;;
  'docker network')
    case $2 in
      inspect) [ -d "$S/networks/$3" ] || { echo "Error: No such network: $3" >&2; exit 1; }; ls "$S/networks/$3" | tr '\n' ' ' ;;
      connect) touch "$S/networks/$3/$4" ;;
    esac ;;
  'docker exec')
    case $3 in
      # test -f /etc/containerd/certs.d/DIR/hosts.toml: mounted, or DIR copied in by docker cp.
      test) dir=${5#/etc/containerd/certs.d/}; dir=${dir%/hosts.toml}; [ -f "$S/certs/$2" ] || [ -f "$S/copied/$2/$dir" ] ;;
      *) : ;;
    esac ;;
  'docker cp')
    node=${3%%:*} dir=${3#*:/etc/containerd/certs.d/}
    mkdir -p "$S/copied/$node" && touch "$S/copied/$node/${dir%/}" ;;
  'kind get')
    case $2 in
      clusters) [ ! -d "$S/clusters" ] || ls "$S/clusters" ;;
      nodes) cat "$S/clusters/$4" ;;
    esac ;;
  'kind create') kind_create "$4" ;;
  'k3d registry')
    # k3d registry create NAME --port PORT
    mkdir -p "$S/containers" "$S/published"
    echo true >"$S/containers/k3d-$3"
    echo "k3d-$3" >"$S/published/$5" ;;
  'k3d cluster')
    case $2 in
      get) [ -f "$S/clusters/$3" ] || { echo "FATA[0000] No nodes found for given cluster" >&2; exit 1; } ;;
      create) mkdir -p "$S/clusters"; echo "k3d-$3-server-0" >"$S/clusters/$3" ;;
    esac ;;
  kubectl*)
    applied=$(cat)
    if [ -f "$S/applied" ] && [ "$applied" = "$(cat "$S/applied")" ]; then echo 'configmap/local-registry-hosting unchanged'
    else printf '%s\n' "$applied" >"$S/applied"; echo 'configmap/local-registry-hosting created'; fi ;;
  ss*)
    port=${2##*:}
    [ ! -f "$S/listen/$port" ] || cat "$S/listen/$port" ;;
  *) echo "fake $tool: unexpected call: $*" >&2; exit 99 ;;
esac
