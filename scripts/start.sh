#!/usr/bin/env bash
# Installs, builds and starts a single-pod Nullroom relay: embedded mode, no Redis, no ingress.
#   scripts/start.sh                       -> http://127.0.0.1:8765 (PORT to change it)
#   ANOCHAT_API_KEY=... LOGGING=0 scripts/start.sh
# Every environment variable reaches the relay unchanged (docs/operations.md lists them all).
#
# Steps: Node 24 first on PATH (scripts/node24.sh), node_modules from the lockfile (skipped when
# unchanged), `nx run-many -t build` (cached by Nx), then the relay replaces this shell (exec), so
# signals such as SIGTERM for a drain go straight to it.
#
# LOGGING=0 promises zero bytes on stdout and stderr. Then the install and build output is kept in
# memory and shown only if a step fails (a failed start has to say why somewhere).
set -euo pipefail

# shellcheck source=scripts/lib/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
# shellcheck source=scripts/lib/npm-install.sh
source "${NULLROOM_ROOT}/scripts/lib/npm-install.sh"
cd "${NULLROOM_ROOT}"

export PORT="${PORT:-8765}"

prepare() {
  nr_npm_install "${NULLROOM_ROOT}"
  npx --no-install nx run-many -t build --outputStyle=static </dev/null
}

if [[ "${LOGGING:-1}" == "0" ]]; then
  if ! out="$(prepare 2>&1)"; then
    printf '%s\n' "${out}" >&2
    exit 1
  fi
  unset out
else
  prepare
  echo "start: relay on port ${PORT} (node $(node -v))"
fi

exec node apps/relay/dist/main.js
