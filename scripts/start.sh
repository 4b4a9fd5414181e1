#!/usr/bin/env bash
# Installs, builds and starts a single-pod Nullroom relay: embedded mode, no Redis, no ingress.
#   scripts/start.sh                       -> http://127.0.0.1:8765 (PORT to change it)
#   ANOCHAT_API_KEY=... LOGGING=0 scripts/start.sh
# Settings come from .env in the repository root (cp .env.example .env), as with `npm start`;
# a variable set in the environment wins over the file (docs/operations.md lists them all).
#
# Steps: Node 24 first on PATH (scripts/node24.sh), node_modules from the lockfile (skipped when
# unchanged), the build (scripts/prestart.mjs, as `npm start` runs it: Nx builds only what
# changed), then the relay (scripts/serve.mjs, as `npm start`: .env, then the relay in the same
# process) replaces this shell (exec), so signals such as SIGTERM for a drain go straight to it.
#
# LOGGING=0 (environment or .env) promises zero bytes on stdout and stderr. Then the install and
# build output is kept in memory and shown only if a step fails (a failed start has to say why
# somewhere).
set -euo pipefail

# shellcheck source=scripts/lib/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
# shellcheck source=scripts/lib/npm-install.sh
source "${NULLROOM_ROOT}/scripts/lib/npm-install.sh"
cd "${NULLROOM_ROOT}"

# What the relay will see: the environment first, then .env, then the default.
setting() {
  node --input-type=module -e \
    "import { loadDotEnv } from '${NULLROOM_ROOT}/scripts/lib/dotenv.mjs'; loadDotEnv();
     console.log(process.env['$1'] || '$2');"
}

if [[ "$(setting LOGGING 1)" == "0" ]]; then
  if ! out="$(nr_npm_install "${NULLROOM_ROOT}" 2>&1)"; then
    printf '%s\n' "${out}" >&2
    exit 1
  fi
  unset out
  node scripts/prestart.mjs
else
  nr_npm_install "${NULLROOM_ROOT}"
  node scripts/prestart.mjs
  echo "start: relay on port $(setting PORT 8765) (node $(node -v))"
fi

exec node scripts/serve.mjs
