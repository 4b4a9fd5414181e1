# shellcheck shell=bash
# nr_npm_install: make node_modules match package.json + package-lock.json, fast when it already does.
#
# A fingerprint of the manifests, the lockfile and the Node major version is written into
# node_modules after a successful install; when it still matches, nothing runs (about 50 ms).
# Otherwise, under `flock /tmp/nullroom-npm.lock` (several engineers share one checkout and npm
# must never run twice at once in it):
#   - `npm ci` in CI or when node_modules is missing: exactly the lockfile, fails if it is stale;
#   - `npm install` on a developer's machine with an existing node_modules: reconciles in place
#     instead of deleting the tree other people's running tests are reading from.
# Both prefer the local npm cache (~/.npm), so a warm machine downloads nothing.
# Requires: scripts/lib/env.sh sourced (Node 24 on PATH, NULLROOM_ROOT set).

# Package names of native builds for platforms other than linux-x64-gnu (what our machines are).
NR_OTHER_PLATFORMS='(darwin|win32|windows|android|freebsd|openbsd|netbsd|sunos|aix|openharmony|linux-(ia32|arm|ppc64|s390x|riscv64|loong64|mips)|wasm32|musl|fsevents)'

nr_npm_fingerprint() {
  local root="$1"
  (
    cd "${root}" || exit 1
    node -p 'process.versions.node.split(".")[0]'
    # Root manifest, lockfile and every workspace manifest (libs/*, apps/* as package.json says).
    sha256sum package.json package-lock.json libs/*/package.json apps/*/package.json 2>/dev/null
  ) | sha256sum | cut -d' ' -f1
}

nr_npm_install() {
  local root="${1:-${NULLROOM_ROOT}}"
  local stamp="${root}/node_modules/.nullroom-install-stamp"
  if [[ -f "${stamp}" && "$(cat "${stamp}")" == "$(nr_npm_fingerprint "${root}")" ]]; then
    echo "npm: node_modules matches package-lock.json; nothing to install"
    return 0
  fi
  (
    cd "${root}" || exit 1
    exec 9>/tmp/nullroom-npm.lock
    if ! flock -n 9; then
      echo "npm: another npm run in this checkout holds /tmp/nullroom-npm.lock; waiting" >&2
      flock -w 1800 9 || { echo "npm: /tmp/nullroom-npm.lock still held after 30 min" >&2; exit 1; }
    fi
    # Someone else may have installed while we waited.
    if [[ -f "${stamp}" && "$(cat "${stamp}")" == "$(nr_npm_fingerprint "${root}")" ]]; then
      echo "npm: installed meanwhile by another run; nothing to do"
      exit 0
    fi
    local flags=(--no-audit --no-fund --prefer-offline --loglevel=warn)
    if [[ "${CI:-}" == "true" || "${CI:-}" == "1" || ! -d node_modules ]]; then
      echo "npm: npm ci (node_modules from package-lock.json exactly)"
      local log
      log="$(mktemp)"
      if ! npm ci "${flags[@]}" </dev/null 2>"${log}"; then
        # The registry these machines reach has no builds for other platforms
        # (`npm view @swc/core-darwin-arm64@1.16.22` is a 404), so every lockfile written here
        # lacks those optional packages and `npm ci` calls it out of sync (the same symptom as
        # npm/cli#4828). When that is the only complaint, `npm install` installs exactly the
        # locked versions; anything else is a real error.
        # A workspace of ours missing from the lockfile (someone added libs/x and did not commit
        # the lockfile) is a link with no version to pin: say so loudly, and go on the same way.
        local unexpected
        unexpected="$(grep 'Missing: ' "${log}" | grep -v -E -- "${NR_OTHER_PLATFORMS}" \
          | grep -v 'Missing: @nullroom/' || true)"
        if grep -q 'can only install packages when your package.json and package-lock.json' "${log}" \
          && [[ -z "${unexpected}" ]]; then
          echo "npm: WARNING: npm ci rejects package-lock.json only for other platforms' optional" \
            "packages this registry does not serve; installing the locked versions with npm install instead" >&2
          if grep -q 'Missing: @nullroom/' "${log}"; then
            echo "npm: WARNING: package-lock.json lacks workspace(s)" \
              "$(grep -o 'Missing: @nullroom/[^@ ]*' "${log}" | sort -u | sed 's/Missing: //' | tr '\n' ' ')-" \
              "run npm install and commit package-lock.json" >&2
          fi
          rm -f "${log}"
          npm install "${flags[@]}" </dev/null
        else
          cat "${log}" >&2
          rm -f "${log}"
          exit 1
        fi
      else
        grep -v 'Unknown user config' "${log}" >&2 || true
      fi
      rm -f "${log}"
    else
      echo "npm: npm install (manifests changed since the last install)"
      npm install "${flags[@]}" </dev/null
    fi
    nr_npm_fingerprint "${root}" >"${stamp}"
  )
}
