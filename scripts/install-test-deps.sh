#!/usr/bin/env bash
# Installs everything the test suite needs, and nothing runs twice: a warm machine passes through
# in a few seconds. scripts/test.sh calls it; it is safe to run by hand at any time.
#
#   1. Debian packages: redis-server, nginx-light, haproxy, coturn (the local cluster harness and
#      e2e tests start their own instances on free loopback ports), chromium + fonts-liberation (browser
#      tests through playwright-core), prometheus (for promtool) and shellcheck. apt-get runs only
#      when one is missing. The packages' own system services are never left running.
#   2. Go tools at pinned versions, built with `go install` into
#      ${NULLROOM_TOOLS:-~/.cache/nullroom-tools}/bin and skipped when a stamp says the right
#      version is there: k6, helm, kubeconform, helm-unittest. Builds run in the background while
#      apt and npm work, because k6 alone takes minutes on two cores.
#   3. node_modules from package-lock.json (scripts/lib/npm-install.sh), and dockerfile-utils into
#      the same tool cache (a linter for deploy/Dockerfile, not a project dependency).
#
# Environment: NULLROOM_TOOLS (tool cache), NULLROOM_SKIP_APT=1 / NULLROOM_SKIP_GO=1 (skip a part,
# e.g. on a machine where you installed things your own way).
set -euo pipefail

# shellcheck source=scripts/lib/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
# shellcheck source=scripts/lib/npm-install.sh
source "${NULLROOM_ROOT}/scripts/lib/npm-install.sh"
cd "${NULLROOM_ROOT}"

say() { printf '[deps] %s\n' "$*"; }
warn() { printf '[deps] WARNING: %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Go tools. Pinned here and nowhere else.
K6_MODULE="go.k6.io/k6@v1.8.1"
HELM_MODULE="helm.sh/helm/v4/cmd/helm@v4.2.4"
HELM_FALLBACK_MODULE="helm.sh/helm/v3/cmd/helm@v3.21.4" # if v4 does not build here
KUBECONFORM_MODULE="github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0"
# v1.1.0 was asked for, but the module proxy refuses it ("not available"); v1.1.2 is the release
# it serves. Its go.mod has a `replace`, so `go install mod@version` can't build it: see below.
HELM_UNITTEST_MODULE="github.com/helm-unittest/helm-unittest"
HELM_UNITTEST_VERSION="v1.1.2"

GO_LOG="${NULLROOM_TOOLS}/logs/go-tools.log"

# The stamp records how the binary was built (stamp_for, below); the remaining arguments are a
# command that proves the binary runs. Both must hold for a tool to count as installed.
tool_ok() {
  local name="$1" want="$2"
  shift 2
  [[ -x "${NULLROOM_TOOLS_BIN}/${name}" ]] \
    && [[ "$(cat "${NULLROOM_TOOLS}/stamps/${name}" 2>/dev/null)" == "$(stamp_for "${want}")" ]] \
    && "$@" >/dev/null 2>&1
}

go_env() {
  # CGO off: static binaries, no C toolchain needed. -trimpath: reproducible, no local paths inside.
  local goflags="${GOFLAGS:-}"
  [[ " ${goflags} " == *" -trimpath "* ]] || goflags="${goflags:+${goflags} }-trimpath"
  env GOBIN="${NULLROOM_TOOLS_BIN}" CGO_ENABLED=0 GOFLAGS="${goflags}" "$@"
}

# The version a tool reports comes from -ldflags -X in its release builds; `go install` alone
# leaves placeholders ("v4.2", "development"), so set the same variables here.
ldflags_for() {
  local module="$1" version="${1##*@}"
  case "${module}" in
    helm.sh/helm/v4/*) echo "-X helm.sh/helm/v4/internal/version.version=${version}" ;;
    helm.sh/helm/v3/*) echo "-X helm.sh/helm/v3/internal/version.version=${version}" ;;
    github.com/yannh/kubeconform/*) echo "-X main.version=${version}" ;;
    github.com/helm-unittest/helm-unittest*) echo "-X github.com/helm-unittest/helm-unittest/internal/build.version=${version#v}" ;;
    *) echo "" ;;
  esac
}

# What a stamp holds: the module@version and the link flags, so changing either rebuilds.
stamp_for() { echo "$1 $(ldflags_for "$1")"; }

go_install_tool() {
  local name="$1" module="$2"
  shift 2
  if tool_ok "${name}" "${module}" "$@"; then
    echo "go: ${name} ${module##*@} already built"
    return 0
  fi
  echo "go: building ${name} from ${module} ..."
  local t0=${SECONDS}
  (cd "${NULLROOM_TOOLS}" && go_env go install -ldflags="$(ldflags_for "${module}")" "${module}") || return 1
  "$@" >/dev/null 2>&1 || { echo "go: ${name} was built but '$*' fails"; return 1; }
  stamp_for "${module}" >"${NULLROOM_TOOLS}/stamps/${name}"
  echo "go: ${name} built in $((SECONDS - t0))s"
}

build_helm() {
  local v
  for v in "${HELM_MODULE}" "${HELM_FALLBACK_MODULE}"; do
    if tool_ok helm "${v}" "${NULLROOM_TOOLS_BIN}/helm" version; then
      echo "go: helm ${v##*@} already built"
      return 0
    fi
  done
  go_install_tool helm "${HELM_MODULE}" "${NULLROOM_TOOLS_BIN}/helm" version && return 0
  echo "go: helm ${HELM_MODULE##*@} failed; falling back to ${HELM_FALLBACK_MODULE##*@}"
  go_install_tool helm "${HELM_FALLBACK_MODULE}" "${NULLROOM_TOOLS_BIN}/helm" version
}

build_helm_unittest() {
  local want="${HELM_UNITTEST_MODULE}@${HELM_UNITTEST_VERSION}"
  if tool_ok helm-unittest "${want}" "${NULLROOM_TOOLS_BIN}/helm-unittest" --help; then
    echo "go: helm-unittest ${HELM_UNITTEST_VERSION} already built"
    return 0
  fi
  echo "go: building helm-unittest ${HELM_UNITTEST_VERSION} (go mod download + go build) ..."
  local t0=${SECONDS} dir src
  # `go install` refuses modules whose go.mod has replace directives, so build inside the module.
  dir="$(cd "${NULLROOM_TOOLS}" && go mod download -json "${want}" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -n "${dir}" && -f "${dir}/go.mod" ]] || { echo "go: go mod download ${want} gave no Dir"; return 1; }
  # The module cache is read-only; build in a writable copy (go build may update go.sum).
  src="${NULLROOM_TOOLS}/src/helm-unittest-${HELM_UNITTEST_VERSION}"
  rm -rf "${src}"
  mkdir -p "$(dirname "${src}")"
  cp -R "${dir}" "${src}"
  chmod -R u+w "${src}"
  (cd "${src}" && go_env go build -ldflags="$(ldflags_for "${want}")" \
    -o "${NULLROOM_TOOLS_BIN}/helm-unittest" ./cmd/helm-unittest) || return 1
  rm -rf "${src}"
  "${NULLROOM_TOOLS_BIN}/helm-unittest" --help >/dev/null 2>&1 || { echo "go: helm-unittest --help fails"; return 1; }
  stamp_for "${want}" >"${NULLROOM_TOOLS}/stamps/helm-unittest"
  echo "go: helm-unittest built in $((SECONDS - t0))s"
}

build_go_tools() {
  local failed=0
  # The slow one (k6) last, so helm and kubeconform are ready early for whoever needs them.
  go_install_tool kubeconform "${KUBECONFORM_MODULE}" "${NULLROOM_TOOLS_BIN}/kubeconform" -v || failed=1
  build_helm || failed=1
  build_helm_unittest || failed=1
  go_install_tool k6 "${K6_MODULE}" "${NULLROOM_TOOLS_BIN}/k6" version || failed=1
  return "${failed}"
}

all_go_tools_ok() {
  tool_ok kubeconform "${KUBECONFORM_MODULE}" "${NULLROOM_TOOLS_BIN}/kubeconform" -v \
    && { tool_ok helm "${HELM_MODULE}" "${NULLROOM_TOOLS_BIN}/helm" version \
      || tool_ok helm "${HELM_FALLBACK_MODULE}" "${NULLROOM_TOOLS_BIN}/helm" version; } \
    && tool_ok helm-unittest "${HELM_UNITTEST_MODULE}@${HELM_UNITTEST_VERSION}" \
      "${NULLROOM_TOOLS_BIN}/helm-unittest" --help \
    && tool_ok k6 "${K6_MODULE}" "${NULLROOM_TOOLS_BIN}/k6" version
}

# ---------------------------------------------------------------------------------------------
# npm tools that are not the project's dependencies (kept out of package.json and the image):
# dockerfile-utils, the Dockerfile linter of the VS Code Docker extension. hadolint would be the
# usual choice, but it is Haskell and neither Debian 12 nor the Go proxy has it.
NPM_TOOLS=(dockerfile-utils@0.16.3)

install_npm_tools() {
  local want="${NPM_TOOLS[*]}" prefix="${NULLROOM_TOOLS}/npm"
  if [[ "$(cat "${NULLROOM_TOOLS}/stamps/npm-tools" 2>/dev/null)" == "${want}" ]] \
    && [[ -x "${prefix}/node_modules/.bin/dockerfile-utils" ]]; then
    say "npm tools: ${want} already installed"
    return 0
  fi
  say "npm tools: installing ${want} into ${prefix}"
  mkdir -p "${prefix}"
  npm install --prefix "${prefix}" --no-audit --no-fund --prefer-offline --loglevel=error \
    --no-save "${NPM_TOOLS[@]}" </dev/null >/dev/null
  ln -sf "${prefix}/node_modules/.bin/dockerfile-utils" "${NULLROOM_TOOLS_BIN}/dockerfile-utils"
  echo "${want}" >"${NULLROOM_TOOLS}/stamps/npm-tools"
}

# ---------------------------------------------------------------------------------------------
# Debian packages.
APT_REQUIRED=(redis-server nginx-light haproxy coturn chromium)
APT_OPTIONAL=(prometheus fonts-liberation shellcheck) # promtool; screenshot fonts; lints scripts/
# Services these packages' maintainer scripts start (or would, with an init system).
APT_SERVICES=(redis-server nginx haproxy coturn prometheus prometheus-node-exporter)

apt_installed() { [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == "installed" ]]; }
apt_available() {
  local c
  c="$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^[[:space:]]*Candidate:[[:space:]]*//p')"
  [[ -n "${c}" && "${c}" != "(none)" ]]
}

as_root() {
  if [[ ${EUID} -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    return 1
  fi
}

stop_system_services() {
  # Our tests start their own redis/nginx/haproxy on free loopback ports; the distribution's
  # instances on 6379/80/9090 would only take ports and memory. Stop and disable them.
  local svc pidfile
  for svc in "${APT_SERVICES[@]}"; do
    if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
      as_root systemctl disable --now "${svc}" >/dev/null 2>&1 || true
    fi
    if [[ -x "/etc/init.d/${svc}" ]]; then
      as_root service "${svc}" stop >/dev/null 2>&1 || true
      as_root update-rc.d "${svc}" disable >/dev/null 2>&1 || true
    fi
  done
  # Belt and braces where the init script did not know the process: the packages' pidfiles.
  for pidfile in /run/redis/redis-server.pid /run/nginx.pid /run/haproxy.pid /run/prometheus.pid \
    /run/turnserver/turnserver.pid; do
    if [[ -s "${pidfile}" ]]; then
      as_root kill "$(cat "${pidfile}")" >/dev/null 2>&1 || true
    fi
  done
}

install_apt() {
  if ! command -v apt-get >/dev/null 2>&1; then
    warn "no apt-get on this machine: install ${APT_REQUIRED[*]} ${APT_OPTIONAL[*]} yourself"
    return 0
  fi
  local missing=() p
  for p in "${APT_REQUIRED[@]}" "${APT_OPTIONAL[@]}"; do
    apt_installed "${p}" || missing+=("${p}")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    say "apt: all present (${APT_REQUIRED[*]} ${APT_OPTIONAL[*]})"
    return 0
  fi
  if ! as_root true; then
    warn "apt: missing ${missing[*]}, and this user can't run apt-get (not root, no sudo -n)."
    warn "apt: run as root: apt-get install -y --no-install-recommends ${missing[*]}"
    return 0
  fi
  say "apt: missing ${missing[*]}; apt-get update"
  # Another apt run (a colleague's, unattended-upgrades) holds the dpkg lock: wait for it.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq </dev/null
  local install=() unavailable_required=()
  for p in "${missing[@]}"; do
    if apt_available "${p}"; then
      install+=("${p}")
    elif [[ " ${APT_REQUIRED[*]} " == *" ${p} "* ]]; then
      unavailable_required+=("${p}")
    else
      warn "apt: optional package '${p}' has no install candidate here; going on without it"
    fi
  done
  if [[ ${#unavailable_required[@]} -gt 0 ]]; then
    warn "apt: required package(s) with no install candidate: ${unavailable_required[*]}"
    return 1
  fi
  [[ ${#install[@]} -gt 0 ]] || return 0
  # policy-rc.d answering 101 ("action forbidden") keeps maintainer scripts from starting the
  # services at all; stop_system_services then catches anything that started anyway.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e "${policy}" ]]; then
    printf '#!/bin/sh\n# written by nullroom scripts/install-test-deps.sh for one apt-get run\nexit 101\n' \
      | as_root tee "${policy}" >/dev/null && as_root chmod 755 "${policy}" && created_policy=1
  fi
  say "apt: installing ${install[*]}"
  local rc=0
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=600 \
    -o Dpkg::Use-Pty=0 "${install[@]}" </dev/null || rc=$?
  [[ ${created_policy} -eq 1 ]] && as_root rm -f "${policy}"
  stop_system_services
  return "${rc}"
}

# ---------------------------------------------------------------------------------------------
t_start=${SECONDS}
mkdir -p "${NULLROOM_TOOLS_BIN}" "${NULLROOM_TOOLS}/stamps" "${NULLROOM_TOOLS}/logs"

go_pid=""
if [[ "${NULLROOM_SKIP_GO:-0}" == "1" ]]; then
  say "go: skipped (NULLROOM_SKIP_GO=1)"
elif all_go_tools_ok; then
  say "go: k6, helm, kubeconform, helm-unittest already built in ${NULLROOM_TOOLS_BIN}"
elif ! command -v go >/dev/null 2>&1; then
  warn "go: no Go toolchain on PATH; k6, helm, kubeconform and helm-unittest can't be built"
else
  say "go: building tools in the background (log: ${GO_LOG})"
  # One builder per machine at a time (two test runs at once would both compile k6); the second
  # waits, then finds every stamp in place.
  (
    flock -w 3600 8 || { echo "go: ${NULLROOM_TOOLS}/go-tools.lock held for an hour"; exit 1; }
    build_go_tools
  ) 8>"${NULLROOM_TOOLS}/go-tools.lock" >"${GO_LOG}.$$" 2>&1 </dev/null &
  go_pid=$!
fi

if [[ "${NULLROOM_SKIP_APT:-0}" == "1" ]]; then
  say "apt: skipped (NULLROOM_SKIP_APT=1)"
else
  install_apt
fi

nr_npm_install "${NULLROOM_ROOT}" | sed 's/^/[deps] /'
install_npm_tools
if ! node -e 'require.resolve("playwright-core")' >/dev/null 2>&1; then
  warn "playwright-core is not resolvable from the workspace root (browser tests will fail)"
fi

if [[ -n "${go_pid}" ]]; then
  say "go: waiting for the tool builds ..."
  go_rc=0
  wait "${go_pid}" || go_rc=$?
  mv -f "${GO_LOG}.$$" "${GO_LOG}"
  if [[ ${go_rc} -eq 0 ]]; then
    sed 's/^/[deps] /' "${GO_LOG}"
  else
    sed 's/^/[deps] /' "${GO_LOG}" >&2
    warn "go: a tool build failed (full log above, also in ${GO_LOG})"
    exit 1
  fi
fi

# What is on PATH now, for the log. scripts/lib/env.sh puts the tools folder on PATH for callers.
for t in k6 helm kubeconform helm-unittest dockerfile-utils promtool redis-server nginx haproxy turnserver chromium shellcheck; do
  if command -v "${t}" >/dev/null 2>&1; then
    printf '[deps]   %-14s %s\n' "${t}" "$(command -v "${t}")"
  else
    printf '[deps]   %-14s (not installed)\n' "${t}"
  fi
done
say "done in $((SECONDS - t_start))s"
