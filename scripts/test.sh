#!/usr/bin/env bash
# The whole Nullroom check, exactly as CI runs it (.ci/run calls this): installs what the tests
# need, then runs every stage in order and stops at the first failure.
#
#   deps         scripts/install-test-deps.sh (apt packages, Go tools, node_modules)
#   format       prettier --check .
#   build        nx run-many -t build
#   lint         nx run-many -t lint
#   test         nx run-many -t test --parallel=1 (jest; e2e tests start relays and servers on loopback)
#   shell-lint   shellcheck on scripts/ and .ci/run
#   dockerfile   dockerfile-utils lint deploy/Dockerfile
#   helm         lint --strict, template x every ci/ values set | kubeconform -strict, helm-unittest
#   promtool     check rules + test rules for deploy/prometheus
#   k6-smoke     npm run k6:smoke
#
# Stages after `test` run only when their inputs exist, so they light up as the chart, the rules
# and the load tests land. The last line is `N passed, M failed[, K skipped]`, counting stages.
#
# Usage: scripts/test.sh [--from STAGE] [--only STAGE[,STAGE...]] [--skip-deps] [--keep-going]
#   e.g. scripts/test.sh --only helm      (deps run first unless --skip-deps; fast when warm)
#   --keep-going runs the later stages after a failure too (still exits non-zero).
set -euo pipefail

# shellcheck source=scripts/lib/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cd "${NULLROOM_ROOT}"

ONLY=""
FROM=""
SKIP_DEPS=0
KEEP_GOING=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --only) ONLY=",$2,"; shift 2 ;;
    --from) FROM="$2"; shift 2 ;;
    --skip-deps) SKIP_DEPS=1; shift ;;
    --keep-going) KEEP_GOING=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

PASSED=0
FAILED=0
SKIPPED=0
TIMINGS=()
T0=${SECONDS}
reached_from=0
[[ -z "${FROM}" ]] && reached_from=1

summary() {
  echo
  echo "== summary ($((SECONDS - T0))s in all)"
  local line
  for line in "${TIMINGS[@]}"; do echo "   ${line}"; done
  echo
  if [[ ${SKIPPED} -gt 0 ]]; then
    echo "${PASSED} passed, ${FAILED} failed, ${SKIPPED} skipped"
  else
    echo "${PASSED} passed, ${FAILED} failed"
  fi
}

selected() {
  local name="$1"
  [[ "${name}" == "deps" ]] && return 0
  [[ "${name}" == "${FROM}" ]] && reached_from=1
  [[ ${reached_from} -eq 1 ]] || return 1
  [[ -z "${ONLY}" || "${ONLY}" == *",${name},"* ]]
}

skip() {
  local name="$1" reason="$2"
  selected "${name}" || return 0
  echo
  echo "== ${name}: skipped (${reason})"
  SKIPPED=$((SKIPPED + 1))
  TIMINGS+=("$(printf '%-11s skipped  %s' "${name}" "${reason}")")
}

# stage NAME FUNCTION: runs FUNCTION in a subshell with errexit on, times it, stops everything on
# failure. No stdin: nothing may prompt.
stage() {
  local name="$1" fn="$2" t rc
  selected "${name}" || return 0
  echo
  echo "== ${name} ($(date -u +%H:%M:%S) UTC)"
  t=${SECONDS}
  set +e
  (set -euo pipefail; "${fn}") </dev/null
  rc=$?
  set -e
  t=$((SECONDS - t))
  if [[ ${rc} -eq 0 ]]; then
    PASSED=$((PASSED + 1))
    TIMINGS+=("$(printf '%-11s passed  %5ss' "${name}" "${t}")")
    echo "== ${name}: passed in ${t}s"
  else
    FAILED=$((FAILED + 1))
    TIMINGS+=("$(printf '%-11s FAILED  %5ss  (exit %s)' "${name}" "${t}" "${rc}")")
    echo "== ${name}: FAILED in ${t}s (exit ${rc})" >&2
    if [[ ${KEEP_GOING} -eq 0 || "${name}" == "deps" ]]; then
      summary
      exit 1
    fi
  fi
}

nx() { npx --no-install nx "$@" --outputStyle=stream; }

# ---------------------------------------------------------------------------------------------
run_deps() { bash scripts/install-test-deps.sh; }
run_format() { npx --no-install prettier --check .; }
run_build() { nx run-many -t build; }
run_lint() { nx run-many -t lint; }
# A test run that hangs (a leaked socket keeping jest alive) must fail CI, not eat its budget.
run_test() {
  local limit="${NULLROOM_TEST_TIMEOUT_S:-1800}" rc=0
  timeout -k 30 "${limit}" npx --no-install nx run-many -t test --parallel=1 --outputStyle=stream || rc=$?
  if [[ ${rc} -eq 124 || ${rc} -eq 137 ]]; then
    echo "test: still running after ${limit}s (NULLROOM_TEST_TIMEOUT_S): stopped; look for a hang" >&2
  fi
  return "${rc}"
}

run_shellcheck() {
  shellcheck -x -P SCRIPTDIR scripts/*.sh scripts/lib/*.sh .ci/run
}

run_dockerfile() {
  # dockerfile-utils exits 0 even when it reports problems; any reported line fails the stage.
  local out
  out="$(dockerfile-utils lint deploy/Dockerfile 2>&1)" || { echo "${out}"; return 1; }
  if [[ -n "${out}" ]]; then
    echo "${out}"
    return 1
  fi
  echo "deploy/Dockerfile: no problems reported by dockerfile-utils $(cat "${NULLROOM_TOOLS}/stamps/npm-tools" 2>/dev/null)"
}

CHART=helm/nullroom

k8s_schemas() {
  # The chart should carry its own copy of the schemas (shared/k8s-schemas/README.md: a fresh
  # clone must validate the same way); until it does, use the shared folder beside the clone.
  local d
  for d in "${NULLROOM_K8S_SCHEMAS:-}" helm/k8s-schemas "${CHART}/k8s-schemas" deploy/k8s-schemas \
    "$(git rev-parse --show-toplevel)/../shared/k8s-schemas"; do
    if [[ -n "${d}" && -d "${d}/v1.28.0-standalone-strict" ]]; then
      echo "${d}"
      return 0
    fi
  done
  echo "no Kubernetes schemas found: set NULLROOM_K8S_SCHEMAS or copy shared/k8s-schemas into helm/k8s-schemas" >&2
  return 1
}

run_helm() {
  local schemas values sets=()
  schemas="$(k8s_schemas)"
  echo "-- helm: $(helm version --short 2>/dev/null || helm version), schemas in ${schemas}"
  shopt -s nullglob
  sets=("${CHART}"/ci/*.yaml)
  shopt -u nullglob

  echo "-- helm lint --strict ${CHART} (default values)"
  helm lint --strict "${CHART}"
  for values in "${sets[@]}"; do
    echo "-- helm lint --strict ${CHART} -f ${values}"
    helm lint --strict "${CHART}" -f "${values}"
  done

  for values in "" "${sets[@]}"; do
    echo "-- helm template ${values:-(default values)} | kubeconform -strict"
    helm template nullroom "${CHART}" ${values:+-f "${values}"} \
      | kubeconform -strict -summary \
        -schema-location "${schemas}/v1.28.0-standalone-strict/{{.ResourceKind}}{{.KindSuffix}}.json" \
        -schema-location "${schemas}/crds/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
  done

  if compgen -G "${CHART}/tests/*_test.yaml" >/dev/null; then
    echo "-- helm-unittest ${CHART}"
    helm-unittest --color=false "${CHART}"
  else
    echo "-- helm-unittest: no ${CHART}/tests/*_test.yaml yet"
  fi
}

run_promtool() {
  local f rules=() tests=()
  for f in deploy/prometheus/*.yaml deploy/prometheus/*.yml; do
    [[ -f "${f}" ]] || continue
    # Rule files have a top-level `groups:`, rule unit tests a top-level `rule_files:`; anything
    # else (a scrape config) is not ours to check.
    if grep -q '^groups:' "${f}"; then
      rules+=("${f}")
    elif grep -q '^rule_files:' "${f}"; then
      tests+=("${f}")
    else
      echo "-- neither rules nor rule tests, skipped: ${f}"
    fi
  done
  [[ ${#rules[@]} -gt 0 ]] || { echo "no rule files (top-level groups:) in deploy/prometheus"; return 1; }
  echo "-- promtool check rules ${rules[*]}"
  promtool check rules "${rules[@]}"
  [[ ${#tests[@]} -gt 0 ]] || { echo "no rule unit tests (top-level rule_files:) in deploy/prometheus"; return 1; }
  echo "-- promtool test rules ${tests[*]}"
  promtool test rules "${tests[@]}"
}

run_k6_smoke() { npm run --silent k6:smoke; }

has_npm_script() { node -e 'process.exit(require("./package.json").scripts?.[process.argv[1]] ? 0 : 1)' "$1"; }

# ---------------------------------------------------------------------------------------------
echo "Nullroom test suite: $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(nproc) cores, node $(node -v), CI=${CI:-}"

if [[ ${SKIP_DEPS} -eq 1 ]]; then
  skip deps "--skip-deps"
else
  stage deps run_deps
fi
stage format run_format
stage build run_build
stage lint run_lint
stage test run_test

if command -v shellcheck >/dev/null 2>&1; then
  stage shell-lint run_shellcheck
else
  skip shell-lint "shellcheck is not installed"
fi

if [[ ! -f deploy/Dockerfile ]]; then
  skip dockerfile "no deploy/Dockerfile"
elif ! command -v dockerfile-utils >/dev/null 2>&1; then
  skip dockerfile "dockerfile-utils is not installed"
else
  stage dockerfile run_dockerfile
fi

if [[ -f "${CHART}/Chart.yaml" ]]; then
  stage helm run_helm
else
  skip helm "no ${CHART}/Chart.yaml yet"
fi

if compgen -G "deploy/prometheus/*.y*ml" >/dev/null; then
  stage promtool run_promtool
else
  skip promtool "no deploy/prometheus/*.yaml yet"
fi

if has_npm_script k6:smoke && [[ -d k6 ]]; then
  stage k6-smoke run_k6_smoke
else
  skip k6-smoke "no k6:smoke script in package.json yet"
fi

summary
[[ ${FAILED} -eq 0 ]]
