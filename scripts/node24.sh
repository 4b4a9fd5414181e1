#!/usr/bin/env bash
# Source this file: it makes Node 24 LTS the first `node` on PATH.
# The machine's own node may be older (20 is end-of-life), so when it is not 24 we install the
# official binary from the npm package `node@24` into a project-local folder, once.
NULLROOM_NODE_VERSION="${NULLROOM_NODE_VERSION:-24.21.0}"
_nr_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_nr_tools="${_nr_root}/.tools/node"
if ! command -v node >/dev/null 2>&1 || [[ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != "24" ]]; then
  if [[ ! -x "${_nr_tools}/node_modules/node/bin/node" ]] \
    || [[ "$("${_nr_tools}/node_modules/node/bin/node" -p process.versions.node)" != "${NULLROOM_NODE_VERSION}" ]]; then
    mkdir -p "${_nr_tools}"
    npm install --silent --no-audit --no-fund --prefix "${_nr_tools}" "node@${NULLROOM_NODE_VERSION}" >/dev/null
  fi
  export PATH="${_nr_tools}/node_modules/node/bin:${_nr_tools}/node_modules/.bin:${PATH}"
fi
# npm prints a warning for this machine-wide setting on every call; it is not ours to change.
unset _nr_root _nr_tools
