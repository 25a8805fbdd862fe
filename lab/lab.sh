#!/usr/bin/env bash
# A local cluster on systemd containers (podman), built by site.yml exactly as on real hosts.
#   bash lab/lab.sh up [NODES]   install what is needed, build the test bed and mirror if absent,
#                                start NODES containers (default 3) and run site.yml against them
#   bash lab/lab.sh down         remove the containers, their network and the lab inventory
# Today: etcd on every node and the control plane on node 1; later bricks add the worker side.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
NET=fsk-lab
SUBNET_PREFIX=10.89.40
IMAGE=${FROMSCRATCH_IMAGE:-localhost/fromscratch-debian-systemd:bookworm}
export FROMSCRATCH_MIRROR=${FROMSCRATCH_MIRROR:-/var/cache/fromscratch-kubernetes/mirror}
LAB=$ROOT/.cache/lab

down() {
  local c
  for c in $(podman ps -a --filter label=fromscratch-lab=1 --format '{{.Names}}' 2>/dev/null); do
    podman rm -f "$c" >/dev/null
  done
  podman network exists "$NET" 2>/dev/null && podman network rm "$NET" >/dev/null
  rm -rf "$LAB"
  echo "lab removed"
}

up() {
  local nodes=${1:-${LAB_NODES:-3}}
  case $nodes in ''|*[!0-9]*) echo "NODES must be a number from 1 to 9, not '$nodes'" >&2; exit 2;; esac
  if [ "$nodes" -lt 1 ] || [ "$nodes" -gt 9 ]; then echo "NODES must be from 1 to 9, not $nodes" >&2; exit 2; fi
  bash tests/venv.sh >/dev/null
  bash tests/testbed/setup.sh
  bash tests/testbed/mirror.sh
  export PATH=$ROOT/.venv/bin:$PATH ANSIBLE_CONFIG=$ROOT/ansible.cfg

  podman network exists "$NET" || podman network create --subnet "$SUBNET_PREFIX.0/24" "$NET" >/dev/null
  mkdir -p "$LAB"
  {
    echo "# Written by lab/lab.sh: $nodes systemd containers on podman network $NET."
    echo "all:"
    echo "  vars:"
    echo "    ansible_connection: containers.podman.podman"
    echo "    download_mirror_url: file://$FROMSCRATCH_MIRROR"
    echo "    etcd_version: \"3.4.23\""
    echo "    cluster_kubernetes_version: \"1.20.2\""
    echo "  hosts:"
    for i in $(seq 1 "$nodes"); do
      echo "    fsk-lab-$i:"
      echo "      node_ip: $SUBNET_PREFIX.1$i"
    done
    echo "  children:"
    echo "    kube_control_plane:"
    echo "      hosts:"
    echo "        fsk-lab-1:"
    echo "    etcd:"
    echo "      hosts:"
    for i in $(seq 1 "$nodes"); do echo "        fsk-lab-$i:"; done
  } > "$LAB/hosts.yml"

  for i in $(seq 1 "$nodes"); do
    if ! podman container exists "fsk-lab-$i"; then
      podman run -d --name "fsk-lab-$i" --hostname "lab$i" --label fromscratch-lab=1 \
        --network "$NET" --ip "$SUBNET_PREFIX.1$i" --privileged --systemd=always \
        --tmpfs /var/lib/containerd:rw,exec,mode=0755 "$IMAGE" /sbin/init >/dev/null
    fi
  done
  local state
  for i in $(seq 1 "$nodes"); do
    state=$(podman exec "fsk-lab-$i" systemctl is-system-running --wait) || [ "$state" = degraded ] \
      || { echo "fsk-lab-$i did not boot: systemd is '$state'" >&2; exit 1; }
  done

  local start=$SECONDS
  ansible-playbook -i "$LAB/hosts.yml" site.yml
  echo
  echo "Lab ready in $((SECONDS - start))s: $nodes node(s), inventory $LAB/hosts.yml"
  echo "  podman exec -it fsk-lab-1 bash -l      # a shell on node 1 (ETCDCTL_* are set for root)"
  echo "  podman exec fsk-lab-1 bash -lc 'etcdctl member list -w table'"
  echo "  podman exec fsk-lab-1 bash -lc 'kubectl get --raw /readyz?verbose'"
  echo "  KUBECONFIG=$LAB-credentials/pki/kubeconfigs/admin.kubeconfig kubectl get namespaces   # from this machine, with any kubectl"
  echo "  bash lab/lab.sh down                   # remove it"
}

case ${1:-} in
  up) shift; up "$@" ;;
  down) down ;;
  *) echo "usage: bash lab/lab.sh up [NODES] | down" >&2; exit 2 ;;
esac
