#!/usr/bin/env bash
# Benchmark (not a test): one run each, on fresh labs reached over SSH.
#   1 node:  converge of site.yml, idempotent re-run, the same re-run under the mitogen strategy,
#            and the floor (every unit restarted until the node is Ready again);
#   3 nodes: converge, re-run, mitogen re-run.
# Prints the figures with the targets (README "Measured here"): re-run <= 30 s, converge <= 2.5x
# the floor, 3-node converge <= 1.3x the 1-node converge.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/venv.sh >/dev/null
export PATH=$PWD/.venv/bin:$PATH ANSIBLE_CONFIG=$PWD/ansible.cfg
LAB=.cache/lab
SSH_CONFIG=${FROMSCRATCH_SSH_DIR:-/var/cache/fromscratch-kubernetes/ssh}/config
MITOGEN_STRATEGIES=$(python -c 'import ansible_mitogen, os; print(os.path.join(os.path.dirname(ansible_mitogen.__file__), "plugins", "strategy"))')
log=$(mktemp)
trap 'rm -f "$log"' EXIT

converge() {  # converge NODES: a fresh lab; prints site.yml's wall time
  bash lab/lab.sh down >/dev/null
  bash lab/lab.sh up "$1" > "$log" 2>&1 || { tail -n 40 "$log" >&2; exit 1; }
  sed -n 's/^Lab ready in \([0-9]*\)s.*/\1/p' "$log"
}

rerun() {  # rerun [mitogen]: site.yml again; must change nothing; prints its wall time
  local start=$SECONDS
  if [ "${1:-}" = mitogen ]; then
    ANSIBLE_STRATEGY_PLUGINS=$MITOGEN_STRATEGIES ANSIBLE_STRATEGY=mitogen_linear \
      ansible-playbook -i "$LAB/hosts.yml" site.yml > "$log" 2>&1 || { tail -n 40 "$log" >&2; exit 1; }
  else
    ansible-playbook -i "$LAB/hosts.yml" site.yml > "$log" 2>&1 || { tail -n 40 "$log" >&2; exit 1; }
  fi
  local took=$((SECONDS - start))
  if grep -E '^\S+ +: ok=' "$log" | grep -vq ' changed=0 '; then
    echo "the re-run ${1:-} changed something:" >&2; grep -A5 'PLAY RECAP' "$log" >&2; exit 1
  fi
  echo "$took"
}

echo "bench: 1-node lab ..."
c1=$(converge 1); r1=$(rerun); m1=$(rerun mitogen)
start=$SECONDS
ssh -F "$SSH_CONFIG" 10.89.40.11 'systemctl restart etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy
  export KUBECONFIG=/etc/kubernetes/admin.kubeconfig
  until kubectl get --raw /readyz >/dev/null 2>&1; do sleep 0.5; done
  kubectl wait --for=condition=Ready node/fsk-lab-1 --timeout=120s >/dev/null'
floor=$((SECONDS - start))
echo "bench: 3-node lab ..."
c3=$(converge 3); r3=$(rerun); m3=$(rerun mitogen)
bash lab/lab.sh down >/dev/null

printf '\n%-34s %6s  %s\n' measure figure target
printf '%-34s %5ss  %s\n' "1-node converge" "$c1" ""
printf '%-34s %5ss  %s\n' "1-node re-run" "$r1" "<= 30 s"
printf '%-34s %5ss  %s\n' "1-node re-run, mitogen strategy" "$m1" ""
printf '%-34s %5ss  %s\n' "floor (units restarted to Ready)" "$floor" ""
printf '%-34s %5ss  %s\n' "3-node converge" "$c3" ""
printf '%-34s %5ss  %s\n' "3-node re-run" "$r3" ""
printf '%-34s %5ss  %s\n' "3-node re-run, mitogen strategy" "$m3" ""
awk -v c1="$c1" -v f="$floor" -v c3="$c3" 'BEGIN {
  printf "%-34s %5.1fx  <= 2.5x\n", "converge / floor", (f > 0 ? c1 / f : 0)
  printf "%-34s %5.1fx  <= 1.3x\n", "3-node / 1-node converge", (c1 > 0 ? c3 / c1 : 0) }'
