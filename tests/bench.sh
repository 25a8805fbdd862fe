#!/usr/bin/env bash
# Benchmark (not a test): on a fresh one-node lab, times the converge of site.yml, the idempotent
# re-run, and the floor: every unit restarted until the node is Ready again. Prints the ratios
# against the targets (converge <= 3 min and <= 4x the floor, re-run <= 30 s).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PWD/.venv/bin:$PATH ANSIBLE_CONFIG=$PWD/ansible.cfg
LAB=.cache/lab
bash lab/lab.sh down >/dev/null
log=$(mktemp)
bash lab/lab.sh up 1 | tee "$log" | tail -n 8
converge=$(sed -n 's/^Lab ready in \([0-9]*\)s.*/\1/p' "$log")

start=$SECONDS
ansible-playbook -i "$LAB/hosts.yml" site.yml > "$log"
rerun=$((SECONDS - start))
grep -q 'changed=0 ' "$log" || { echo "the re-run changed something:"; grep -A3 'PLAY RECAP' "$log"; exit 1; }

start=$SECONDS
podman exec fsk-lab-1 systemctl restart etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy
podman exec fsk-lab-1 bash -lc 'until kubectl get --raw /readyz >/dev/null 2>&1; do sleep 0.5; done
  kubectl wait --for=condition=Ready node/fsk-lab-1 --timeout=120s >/dev/null'
floor=$((SECONDS - start))
rm -f "$log"

echo
echo "converge       ${converge}s   (target <= 180s)"
echo "re-run         ${rerun}s   (target <= 30s)"
echo "floor          ${floor}s   (all units restarted to node Ready)"
awk -v c="$converge" -v f="$floor" -v r="$rerun" 'BEGIN {
  printf "converge/floor %.1fx   (target <= 4x)\n", (f > 0 ? c / f : 0)
  printf "re-run/floor   %.1fx\n", (f > 0 ? r / f : 0) }'
