#!/usr/bin/env bash
# The whole test suite, as `make test` and .ci/run run it. Each stage prints its wall time; the
# table at the end is what the closing notes quote. Fails at the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
export ANSIBLE_CONFIG=$PWD/ansible.cfg
export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1
export FROMSCRATCH_MIRROR=${FROMSCRATCH_MIRROR:-/var/cache/fromscratch-kubernetes/mirror}
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
  if grep -E '^(tests|molecule|inventories|lab|\.cache|\.venv|\.ansible)(/|$)' <<<"$listing" | head -20 | grep .; then
    echo "the collection tarball contains tests, test beds, example inventories, caches or venvs (listed above)"; return 1
  fi
  grep -qx 'plugins/modules/etcd_health.py' <<<"$listing"
  grep -qx 'roles/etcd/tasks/main.yml' <<<"$listing"
  grep -qx 'playbooks/site.yml' <<<"$listing"
  grep -qx 'docs/performance.md' <<<"$listing"
  echo "tarball: $(wc -l <<<"$listing") entries, no tests, test bed, example inventory, cache or venv"
}

# The steps of `molecule test` (the scenarios' test_sequence), run one by one so each gets a wall
# time; on failure the scenario is still destroyed. Output: $LOGS/molecule-SCENARIO.log.
# The first converge and the collection's playbooks that the verifies run (TESTBED_PLAYBOOK_STRATEGY,
# molecule/resources/tasks/day2-run.yml) run under the mitogen strategy: one Python per host for
# the whole run instead of one per task, less CPU for the same run (docs/performance.md; the lanes
# keep both cores busy, so CPU is what the suite's length is made of). The idempotence
# re-run and the verify playbooks themselves use plain SSH, as users do. Once a scenario's
# idempotence step has passed, $LOGS/.verifying-SCENARIO marks that it is in its verify.
# MITOGEN_STRATEGIES: set once the venv is there (below).
scenario() {
  local s=$1 action start log=$LOGS/molecule-$1.log strategy
  : > "$log"
  for action in destroy syntax create converge idempotence verify destroy; do
    start=$SECONDS
    strategy=linear
    [ "$action" = converge ] && strategy=mitogen_linear
    [ "$action" = verify ] && touch "$LOGS/.verifying-$s"
    if ! ANSIBLE_STRATEGY_PLUGINS=$MITOGEN_STRATEGIES ANSIBLE_STRATEGY=$strategy TESTBED_PLAYBOOK_STRATEGY=mitogen_linear molecule "$action" -s "$s" >> "$log" 2>&1; then
      echo "molecule $action failed for scenario $s (log: $log)"
      tail -n 60 "$log" | sed 's/^/    /'
      molecule destroy -s "$s" >> "$log" 2>&1 || echo "molecule destroy failed too for scenario $s"
      return 1
    fi
    echo "MOLECULE-TIME $s $action $((SECONDS - start))s"
  done
}

# A lane runs its items one after the other: `lint` (ansible-lint, production profile), `sanity`
# (ansible-test sanity), `integration` (the pytest integration tests), each logged to
# $LOGS/ITEM.log; `after:S1,S2` (wait until the scenarios S1 and S2 are in their verifies);
# `queue` (take the items of the shared queue, QUEUE, one at a time, until none is left: the lane
# that is free first takes the next); or a molecule scenario. It stops at its first failure, and
# before its next item once another lane has failed.
check() {  # check NAME COMMAND...: a check that is not a scenario, logged to $LOGS/NAME.log
  local name=$1; shift
  if ! "$@" > "$LOGS/$name.log" 2>&1; then
    echo "$name failed (log: $LOGS/$name.log)"
    tail -n 60 "$LOGS/$name.log" | sed 's/^/    /'
    return 1
  fi
}
verifying() {  # verifying S1,S2: wait until each of these scenarios is in its verify
  local s
  for s in ${1//,/ }; do
    until [ -e "$LOGS/.verifying-$s" ]; do
      [ -e "$LOGS/.lane-failed" ] && { echo "another lane failed while waiting for $s"; return 1; }
      sleep 5
    done
  done
}
next_item() {  # the first item of the shared queue, taken out of it; nothing once it is empty
  (
    flock 9
    head -n 1 "$LOGS/.queue"
    sed -i 1d "$LOGS/.queue"
  ) 9> "$LOGS/.queue.lock"
}
run_item() {
  local item=$1 start=$SECONDS ok
  [ -e "$LOGS/.lane-failed" ] && { echo "another lane failed: $item not started"; return 1; }
  case $item in
    lint) check lint ansible-lint --profile production && ok=1 || ok=0 ;;
    sanity) check sanity bash tests/sanity.sh && ok=1 || ok=0 ;;
    integration) check integration pytest -q -p no:cacheprovider tests/integration && ok=1 || ok=0 ;;
    after:*) verifying "${item#after:}" && ok=1 || ok=0 ;;
    *) scenario "$item" && ok=1 || ok=0 ;;
  esac
  [ "$ok" = 1 ] || { touch "$LOGS/.lane-failed"; return 1; }
  echo "LANE-TIME $item $((SECONDS - start))s"
}
lane() {
  local item
  for item in "$@"; do
    if [ "$item" = queue ]; then
      while item=$(next_item) && [ -n "$item" ]; do
        run_item "$item" || return 1
      done
    else
      run_item "$item" || return 1
    fi
  done
}

# The checks and the molecule scenarios in lanes that run at the same time. Each scenario has hosts
# and a network of its own. Converges and re-runs keep the two cores busy (the controller and the
# hosts share them); verifies mostly wait (drains, rolling restarts, health waits, the probes'
# rounds). `day2` and `ha`, the longest items by far, start first, each in a lane of its own; a
# third lane starts once both of them are in their verifies (three converges at once made every
# converge three times slower, while the two long verifies leave most of the cores idle). Every
# lane then takes the rest from the shared queue, longest first.
# LANES: the lanes, separated by ';', each a list of items; QUEUE: the shared queue.
# SCENARIOS=a b: those scenarios in one lane, the other checks in another.
if [ -n "${SCENARIOS:-}" ]; then
  LANES=${LANES:-"lint sanity integration;$SCENARIOS"}
else
  LANES=${LANES:-"day2 queue;ha queue;after:day2,ha queue"}
fi
QUEUE=${QUEUE:-"integration multinode default control-plane etcd etcd-single runtime lint sanity"}
lanes() {
  local pids=() i=0 lane_items lane_list rc=0 pid
  rm -f "$LOGS/.lane-failed" "$LOGS"/.verifying-* "$LOGS"/lane-*.log
  # shellcheck disable=SC2086  # the queue is a list of words
  printf '%s\n' $QUEUE > "$LOGS/.queue"
  IFS=';' read -r -a lane_list <<<"$LANES"
  for lane_items in "${lane_list[@]}"; do
    i=$((i + 1))
    # shellcheck disable=SC2086  # a lane is a list of words
    lane $lane_items > "$LOGS/lane-$i.log" 2>&1 &
    pids+=("$!")
    echo "lane $i: $lane_items"
  done
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  cat "$LOGS"/lane-*.log
  return "$rc"
}

total=$SECONDS
stage host-tools host_packages
stage venv bash tests/venv.sh
export PATH=$PWD/.venv/bin:$PATH
MITOGEN_STRATEGIES=$(python3 -c 'import ansible_mitogen, os; print(os.path.join(os.path.dirname(ansible_mitogen.__file__), "plugins", "strategy"))')
stage image bash tests/testbed/setup.sh
stage mirror bash tests/testbed/mirror.sh
stage build build_tarball
stage units pytest -q -p no:cacheprovider tests/unit
stage lanes lanes

echo
echo "Stage wall times:"
printf '  %s\n' "${TIMES[@]}"
sed -n 's/^LANE-TIME \(\S*\) \(.*\)$/  lane item \1: \2/p' "$LOGS"/lane-*.log
sed -n 's/^MOLECULE-TIME \(\S*\) \(\S*\) \(.*\)$/  molecule \1 \2: \3/p' "$LOGS"/lane-*.log
printf '  %-12s %5ss\n' total $((SECONDS - total))
# One closing line in the form CI reads, from pytest's own counts.
python3 tests/summary.py "$LOGS/units.log" "$LOGS/integration.log"
