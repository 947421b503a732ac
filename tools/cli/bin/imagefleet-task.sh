#!/bin/sh
# What the inferred Nx targets run: `imagefleet-task.sh <command> <service> [options]`.
# A `push` whose service the plugin's pre-tasks hook already settled (content tag in the
# registry, verified, tags pointed, row written: IMAGEFLEET_SETTLED) ends here, without
# starting Node: in a warm `nx run-many -t push` that is most of every task's cost.
# Everything else goes to the CLI.
command=$1
service=$2
if [ "$command" = push ] && [ -n "${IMAGEFLEET_SETTLED:-}" ]; then
  settled=" $IMAGEFLEET_SETTLED "
  case $settled in
    *" $service="*)
      rest=${settled#*" $service="}
      echo "$service: unchanged, verified ${rest%% *} (settled before the tasks started: nothing to build or push)"
      exit 0
      ;;
  esac
fi
exec node "$(dirname "$0")/imagefleet.mjs" "$@"
