#!/usr/bin/env bash
# The main job on the embedded default, from a fresh machine: engine + local registry, npm
# packages, a .env for the demo's secrets, then `nx run-many -t push` over every demo service
# (one batch process: registry check, builds, pushes, verification, the summary table).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

bash tools/dev-env/up.sh "$@"
if [ ! -x node_modules/.bin/nx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund
fi
if [ ! -f .env ]; then
  # Demo values only: real ones come from your own .env or the environment.
  sed "s/replace-me/demo-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')/" .env.example > .env
  chmod 600 .env
  echo "demo: wrote .env with demo secret values (git-ignored)"
fi
# The engine and client up.sh started (Docker 28 with buildx, or 20.10).
set -a
# shellcheck source=/dev/null
. "${IMAGEFLEET_STATE_DIR:-$root/.imagefleet}/engine.env"
set +a
exec node tools/cli/bin/imagefleet.mjs run push
