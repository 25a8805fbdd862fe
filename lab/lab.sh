#!/usr/bin/env bash
# A local cluster on systemd containers (podman), built by site.yml exactly as on real hosts.
#   bash lab/lab.sh up [NODES]   install what is needed, build the test bed and mirror if absent,
#                                start NODES containers (default 1) and run site.yml against them
#   bash lab/lab.sh up ha        the same with 4 containers: 3 control-plane hosts (etcd members and
#                                nodes, each node behind its local API balancer) and 1 worker
#   bash lab/lab.sh down         remove the containers, their network and the lab inventory
# Node 1 is the etcd member, the control plane and a node; nodes 2.. are workers (Kubernetes the
# Hard Way's three-node shape for NODES=3). The hosts are started by lab/lab.yml (the same tasks as molecule's create) and
# reached over SSH; the settings are the test bed's (tests/testbed/group_vars/all.yml).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
NET=fsk-lab
export FROMSCRATCH_MIRROR=${FROMSCRATCH_MIRROR:-/var/cache/fromscratch-kubernetes/mirror}
LAB=$ROOT/.cache/lab
SSH_DIR=${FROMSCRATCH_SSH_DIR:-/var/cache/fromscratch-kubernetes/ssh}

down() {
  local c ip
  for c in $(podman ps -a --filter label=fromscratch-lab=1 --format '{{.Names}}' 2>/dev/null); do
    ip=$(podman inspect --format "{{ (index .NetworkSettings.Networks \"$NET\").IPAddress }}" "$c" 2>/dev/null || echo "")
    podman rm -f -t 0 "$c" >/dev/null
    # Its containerd folder (tests/testbed/tasks/start-hosts.yml).
    if podman volume exists "$c-containerd"; then podman volume rm -f "$c-containerd" >/dev/null; fi
    # Forget its host key: a new lab host on that address makes a new one.
    if [ -n "$ip" ]; then rm -f "$SSH_DIR/known_hosts.d/$ip"; fi
  done
  podman network exists "$NET" 2>/dev/null && podman network rm "$NET" >/dev/null
  rm -rf "$LAB" "$LAB-credentials"
  echo "lab removed"
}

up() {
  local nodes=${1:-${LAB_NODES:-1}} control_planes=1
  if [ "$nodes" = ha ]; then nodes=4 control_planes=3; fi
  case $nodes in ''|*[!0-9]*) echo "NODES must be a number from 1 to 9 or 'ha', not '$nodes'" >&2; exit 2;; esac
  if [ "$nodes" -lt 1 ] || [ "$nodes" -gt 9 ]; then echo "NODES must be from 1 to 9, not $nodes" >&2; exit 2; fi
  bash tests/venv.sh >/dev/null
  bash tests/testbed/setup.sh
  # The lab runs the roles' default releases: only those are built (the test command builds the rest).
  bash tests/testbed/mirror.sh defaults
  export PATH=$ROOT/.venv/bin:$PATH ANSIBLE_CONFIG=$ROOT/ansible.cfg

  ansible-playbook lab/lab.yml -e lab_nodes="$nodes" -e lab_control_planes="$control_planes"

  local start=$SECONDS
  ansible-playbook -i "$LAB/hosts.yml" site.yml
  echo
  echo "Lab ready in $((SECONDS - start))s: $nodes node(s), $control_planes control-plane host(s), inventory $LAB/hosts.yml"
  local kubectl version
  version=$(sed -n 's/^cluster_kubernetes_version: "\(.*\)"/\1/p' roles/cluster/defaults/main.yml)
  kubectl=$FROMSCRATCH_MIRROR/kubernetes/v$version/bin/linux/amd64/kubectl
  echo "  export KUBECONFIG=$LAB-credentials/pki/kubeconfigs/admin.kubeconfig"
  echo "  $kubectl get nodes -o wide          # from this machine"
  echo "  ssh -F $SSH_DIR/config 10.89.40.11   # a shell on node 1 (etcdctl set up for root; kubectl here)"
  echo "  ansible-playbook -i $LAB/hosts.yml playbooks/smoke.yml   # the smoke checks"
  echo "  bash lab/lab.sh down                # remove it"
}

case ${1:-} in
  up) shift; up "$@" ;;
  down) down ;;
  *) echo "usage: bash lab/lab.sh up [NODES|ha] | down" >&2; exit 2 ;;
esac
