#!/usr/bin/env bash
# What the inferred Nx targets run: `imagefleet-task.sh <command> <service> [options]`.
# A `push` costs as little as it can here, before Node starts:
# - settled by the plugin's pre-tasks hook (content tag in the registry, verified, tags pointed,
#   row written: IMAGEFLEET_SETTLED_<SERVICE> holds the digest): print the line, done;
# - else, when the run has a task server (IMAGEFLEET_TASK_SERVER: `<port> <token> <pid>`): hand
#   the task to that warm process over loopback and relay its lines and exit code
#   (tools/cli/src/task-server.ts); Ctrl-C is passed on as `abort`;
# - else (or when the server cannot be reached): the CLI in a process of its own.
command=$1
service=$2
if [ "$command" = push ]; then
  # libs/pipeline/src/run-env.ts settledEnvName: upper case, anything else than A-Z0-9 → _
  name=${service^^}
  name=IMAGEFLEET_SETTLED_${name//[^A-Z0-9]/_}
  digest=${!name:-}
  if [[ $digest == sha256:* ]]; then
    echo "$service: unchanged, verified $digest (settled before the tasks started: nothing to build or push)"
    exit 0
  fi
  if [ -n "${IMAGEFLEET_TASK_SERVER:-}" ] && read -r port token _ 2>/dev/null <"$IMAGEFLEET_TASK_SERVER" &&
    { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
    printf '%s push %s\n' "$token" "$service" >&3
    trap 'printf "abort\n" >&3 2>/dev/null' INT TERM HUP
    while :; do
      if IFS= read -r line <&3; then
        case $line in
          $'\001'exit\ *) exit "${line#$'\001'exit }" ;;
          *) printf '%s\n' "$line" ;;
        esac
      elif [ $? -le 128 ]; then
        # Not a signal interrupting the read: the server went away without an answer.
        echo "imagefleet: the run's task server closed the connection before $service finished" >&2
        exit 1
      fi
    done
  fi
fi
exec node "$(dirname "$0")/imagefleet.mjs" "$@"
