#!/usr/bin/env bash
# The whole test suite, as `make test` and .ci/run run it. Each stage prints its wall time; the
# table at the end is what the closing notes quote. Fails at the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
export ANSIBLE_CONFIG=$PWD/ansible.cfg
export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1
export FROMSCRATCH_MIRROR=${FROMSCRATCH_MIRROR:-/var/cache/fromscratch-kubernetes/mirror}
SCENARIOS=${SCENARIOS:-etcd etcd-single control-plane runtime default multinode ha day2}
LOGS=${LOGS:-tests/output/logs}
mkdir -p "$LOGS"

declare -a TIMES=()
stage() {  # stage NAME COMMAND...: run, log to $LOGS/NAME.log, print the tail on failure
  local name=$1; shift
  local start=$SECONDS
  printf '==> %-12s ' "$name"
  if "$@" > "$LOGS/$name.log" 2>&1; then
    TIMES+=("$(printf '%-12s %5ss' "$name" $((SECONDS - start)))")
    printf 'ok (%ss)\n' $((SECONDS - start))
  else
    local rc=$?
    printf 'FAILED (%ss, exit %s); last lines of %s:\n' $((SECONDS - start)) "$rc" "$LOGS/$name.log"
    tail -n 80 "$LOGS/$name.log" | sed 's/^/    /'
    exit "$rc"
  fi
}

host_packages() {
  local missing=()
  for cmd in python3:python3-venv rsync:rsync shellcheck:shellcheck git:git; do
    command -v "${cmd%%:*}" >/dev/null 2>&1 || missing+=("${cmd#*:}")
  done
  python3 -c 'import ensurepip' 2>/dev/null || missing+=(python3-venv)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -q && apt-get install -y -q "${missing[@]}"
  fi
}

build_tarball() {
  rm -f fromscratch-kubernetes-*.tar.gz
  ansible-galaxy collection build --force
  local listing; listing=$(tar tzf fromscratch-kubernetes-0.1.0.tar.gz)
  if grep -E '^(tests/testbed|lab|\.cache|\.venv|\.ansible|tests/output)(/|$)' <<<"$listing" | head -20 | grep .; then
    echo "the collection tarball contains test beds, caches or venvs (listed above)"; return 1
  fi
  grep -qx 'plugins/modules/etcd_health.py' <<<"$listing"
  grep -qx 'roles/etcd/tasks/main.yml' <<<"$listing"
  echo "tarball: $(wc -l <<<"$listing") entries, no test bed, cache or venv"
}

# The steps of `molecule test` (the scenarios' test_sequence), run one by one so each gets a wall
# time; on failure the scenario is still destroyed.
molecule_all() {
  local s action start
  for s in $SCENARIOS; do
    for action in destroy syntax create converge idempotence verify destroy; do
      start=$SECONDS
      if ! molecule "$action" -s "$s"; then
        echo "molecule $action failed for scenario $s"
        molecule destroy -s "$s" || echo "molecule destroy failed too for scenario $s"
        return 1
      fi
      echo "MOLECULE-TIME $s $action $((SECONDS - start))s"
    done
  done
}

total=$SECONDS
stage host-tools host_packages
stage venv bash tests/venv.sh
export PATH=$PWD/.venv/bin:$PATH
stage image bash tests/testbed/setup.sh
stage mirror bash tests/testbed/mirror.sh
stage lint ansible-lint --profile production
stage sanity bash tests/sanity.sh
stage build build_tarball
stage units pytest -q -p no:cacheprovider tests/unit
stage integration pytest -q -p no:cacheprovider tests/integration
stage molecule molecule_all

echo
echo "Stage wall times:"
printf '  %s\n' "${TIMES[@]}"
sed -n 's/^MOLECULE-TIME \(\S*\) \(\S*\) \(.*\)$/  molecule \1 \2: \3/p' "$LOGS/molecule.log"
printf '  %-12s %5ss\n' total $((SECONDS - total))
# One closing line in the form CI reads, from pytest's own counts.
python3 tests/summary.py "$LOGS/units.log" "$LOGS/integration.log"
