#!/usr/bin/env bash
# Benchmark (not a test): one run of each measure on fresh labs reached over SSH, for 1, 3 and 9
# nodes (BENCH_NODES), one control-plane host each (node 1; the others are workers).
#   converge   site.yml on new hosts, plain SSH with pipelining (the users' default)
#   re-run     site.yml again, must change nothing: plain SSH, then under the mitogen strategy
#   CPU        user+sys seconds of ansible-playbook and everything it ran on this machine (the
#              workers, ssh): what decides a run on many real hosts, where the hosts do not share
#              the controller's cores as they do here
#   floor      (1 node) every unit restarted until the node is Ready again
# Prints one table with the goals (docs/performance.md); the profiles of the 9-node re-runs
# (profile_tasks, per-role totals) are kept in tests/output/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/venv.sh >/dev/null
bash tests/testbed/setup.sh >/dev/null
bash tests/testbed/mirror.sh >/dev/null
export PATH=$PWD/.venv/bin:$PATH ANSIBLE_CONFIG=$PWD/ansible.cfg
LAB=.cache/lab
OUT=tests/output/bench
SSH_CONFIG=${FROMSCRATCH_SSH_DIR:-/var/cache/fromscratch-kubernetes/ssh}/config
read -r -a NODES <<<"${BENCH_NODES:-1 3 9}"
# kubectl here, with the lab's admin kubeconfig (the hosts hold none): the mirror's build of the default release.
K8S_VERSION=$(sed -n 's/^cluster_kubernetes_version: "\(.*\)"$/\1/p' roles/cluster/defaults/main.yml)
KUBECTL=("${FROMSCRATCH_MIRROR:-/var/cache/fromscratch-kubernetes/mirror}/kubernetes/v$K8S_VERSION/bin/linux/amd64/kubectl"
         --kubeconfig "$LAB-credentials/pki/kubeconfigs/admin.kubeconfig")
MITOGEN_STRATEGIES=$(python -c 'import ansible_mitogen, os; print(os.path.join(os.path.dirname(ansible_mitogen.__file__), "plugins", "strategy"))')
mkdir -p "$OUT"
declare -A WALL CPU

# timed NAME LOG COMMAND...: run it, keep wall and CPU seconds (user+sys of it and its children)
# under NAME; a failed command stops the bench with the end of its log.
timed() {
  local name=$1 log=$2; shift 2
  local start times before after
  before=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
  start=$(date +%s.%N)
  "$@" > "$log" 2>&1 || { tail -n 40 "$log" >&2; exit 1; }
  WALL[$name]=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.0f", e - s}')
  # The shell's children's times (utime, stime, cutime, cstime in clock ticks) grow by what it ran.
  after=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
  times=$(getconf CLK_TCK)
  CPU[$name]=$(awk -v b="$before" -v a="$after" -v t="$times" 'BEGIN {printf "%.0f", (a - b) / t}')
}

unchanged() {  # unchanged LOG: every host of the recap changed=0
  if grep -E '^\S+ +: ok=' "$1" | grep -vq ' changed=0 '; then
    echo "the re-run changed something ($1):" >&2; grep -A12 'PLAY RECAP' "$1" >&2; exit 1
  fi
}

for n in "${NODES[@]}"; do
  echo "bench: $n-node lab ..."
  bash lab/lab.sh down >/dev/null
  ansible-playbook lab/lab.yml -e lab_nodes="$n" -e lab_control_planes=1 > "$OUT/hosts-$n.log" 2>&1 \
    || { tail -n 40 "$OUT/hosts-$n.log" >&2; exit 1; }
  timed "converge-$n" "$OUT/converge-$n.log" ansible-playbook -i "$LAB/hosts.yml" site.yml
  timed "rerun-$n" "$OUT/rerun-$n.log" env ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks,ansible.posix.profile_roles \
    ansible-playbook -i "$LAB/hosts.yml" site.yml
  unchanged "$OUT/rerun-$n.log"
  timed "mitogen-$n" "$OUT/mitogen-$n.log" env ANSIBLE_STRATEGY_PLUGINS="$MITOGEN_STRATEGIES" ANSIBLE_STRATEGY=mitogen_linear \
    ansible-playbook -i "$LAB/hosts.yml" site.yml
  unchanged "$OUT/mitogen-$n.log"
  if [ "$n" = 1 ]; then
    start=$SECONDS
    ssh -F "$SSH_CONFIG" 10.89.40.11 'systemctl restart etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy'
    until "${KUBECTL[@]}" get --raw /readyz >/dev/null 2>&1; do sleep 0.5; done
    "${KUBECTL[@]}" wait --for=condition=Ready node/fsk-lab-1 --timeout=120s >/dev/null
    WALL[floor]=$((SECONDS - start))
  fi
done
bash lab/lab.sh down >/dev/null

first=${NODES[0]} last=${NODES[-1]}
row() {  # row LABEL KEY GOAL: a figure for each lab size and the last/first ratio
  local label=$1 key=$2 goal=$3 n line
  line=$(printf '%-34s' "$label")
  for n in "${NODES[@]}"; do line+=$(printf ' %8s' "${WALL[$key-$n]}s"); done
  line+=$(awk -v a="${WALL[$key-$last]}" -v b="${WALL[$key-$first]}" 'BEGIN {printf " %8.2fx", (b > 0 ? a / b : 0)}')
  printf '%s  %s\n' "$line" "$goal"
}
cpu_row() {  # cpu_row LABEL KEY: controller CPU seconds for each lab size, and per extra node
  local label=$1 key=$2 n line
  line=$(printf '%-34s' "$label")
  for n in "${NODES[@]}"; do line+=$(printf ' %8s' "${CPU[$key-$n]}s"); done
  line+=$(awk -v a="${CPU[$key-$last]}" -v b="${CPU[$key-$first]}" -v n="$last" -v f="$first" \
    'BEGIN {printf " %7.1fs/node", (n > f ? (a - b) / (n - f) : 0)}')
  printf '%s\n' "$line"
}
printf '\n%-34s' measure
for n in "${NODES[@]}"; do printf ' %8s' "$n-node"; done
printf ' %9s  %s\n' "$last/$first" goal
row "converge (SSH)" converge "<= 1.5x"
row "re-run (SSH)" rerun "1-node <= 20 s"
row "re-run (mitogen)" mitogen "1-node <= 8 s; <= 1.5x"
cpu_row "controller CPU, converge" converge
cpu_row "controller CPU, re-run (SSH)" rerun
cpu_row "controller CPU, re-run (mitogen)" mitogen
printf '%-34s %8s\n' "floor (1 node, units restarted)" "${WALL[floor]:-}s"
echo
echo "Profiles of the re-runs (slowest tasks, per-role totals): $OUT/rerun-*.log"
