# shellcheck shell=bash
# Source this file (scripts/test.sh and scripts/start.sh do): it sets the environment every
# Nullroom script shares, without installing anything.
#   - Node 24 first on PATH (scripts/node24.sh), the Go-built tools (k6, helm, kubeconform,
#     helm-unittest) next, from the cache scripts/install-test-deps.sh fills;
#   - Nx and npm told to stay off the network and never to prompt: this machine reaches only the
#     npm registry, Debian's mirror and the Go module proxy, and CI has no stdin.
# Safe to source more than once.

NULLROOM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export NULLROOM_ROOT

# shellcheck source=scripts/node24.sh
source "${NULLROOM_ROOT}/scripts/node24.sh"

# Tools built with `go install` live outside the work tree, so a fresh clone (CI) on a machine that
# already built them, or `git clean -fdx`, costs nothing. One folder per machine, not per checkout.
export NULLROOM_TOOLS="${NULLROOM_TOOLS:-${HOME:-/tmp}/.cache/nullroom-tools}"
export NULLROOM_TOOLS_BIN="${NULLROOM_TOOLS}/bin"
case ":${PATH}:" in
  *":${NULLROOM_TOOLS_BIN}:"*) ;;
  *) export PATH="${NULLROOM_TOOLS_BIN}:${PATH}" ;;
esac

# Nx: no daemon (short-lived CI, and several engineers share one checkout), no cloud (nx.json
# also says neverConnectToCloud, so there is no remote cache to reach), no terminal UI, no prompts.
export NX_DAEMON=false
export NX_NO_CLOUD=true
export NX_TUI=false
export NX_INTERACTIVE=false
# npm: the registry is reachable, the advisory and funding endpoints are not worth the round trip.
export npm_config_audit=false
export npm_config_fund=false
export npm_config_update_notifier=false
# Playwright-core drives Debian's Chromium; nothing may try to download a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PUPPETEER_SKIP_DOWNLOAD=1
