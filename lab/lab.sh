#!/usr/bin/env bash
# A local cluster on systemd containers (podman), built by site.yml exactly as on real hosts.
#   bash lab/lab.sh up [NODES]   install what is needed, build the test bed and mirror if absent,
#                                start NODES containers (default 1) and run site.yml against them
#   bash lab/lab.sh down         remove the containers, their network and the lab inventory
# Node 1 is the etcd member, the control plane and a node; nodes 2.. are workers (seed 003's shape
# for NODES=3). The pod network is `routes` (bridge CNI + a route per node): flanneld is not
# reachable here. CoreDNS is applied but cannot pull its image here.
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
  rm -rf "$LAB" "$LAB-credentials"
  echo "lab removed"
}

up() {
  local nodes=${1:-${LAB_NODES:-1}}
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
    echo "    # The test bed's Debian packages for the runtime, offline images, and the settings"
    echo "    # for nodes that are containers sharing this machine's kernel (see README)."
    echo "    runc_install_method: package"
    echo "    cni_install_method: package"
    echo "    containerd_install_method: package"
    echo "    containerd_version: \"1.6.20\""
    echo "    containerd_sandbox_image: k8s.gcr.io/pause:3.2"
    echo "    containerd_image_archives:"
    echo "      - {archive: $FROMSCRATCH_MIRROR/images/pause-3.2.tar, name: \"k8s.gcr.io/pause:3.2\"}"
    echo "      - {archive: $FROMSCRATCH_MIRROR/images/web-1.tar, name: \"localhost/web:1\"}"
    echo "    containerd_restrict_oom_score_adj: true"
    echo "    kubelet_protect_kernel_defaults: true"
    echo "    kube_proxy_conntrack_max_per_core: 0"
    echo "    cluster_network_plugin: routes"
    echo "    coredns_wait: false"
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
    echo "        fsk-lab-1:"
    echo "    kube_node:"
    echo "      hosts:"
    for i in $(seq 2 "$nodes"); do echo "        fsk-lab-$i:"; done
  } > "$LAB/hosts.yml"

  for i in $(seq 1 "$nodes"); do
    if ! podman container exists "fsk-lab-$i"; then
      podman run -d --name "fsk-lab-$i" --hostname "lab$i" --label fromscratch-lab=1 \
        --network "$NET" --ip "$SUBNET_PREFIX.1$i" --privileged --systemd=always \
        --tmpfs /var/lib/containerd:rw,exec,mode=0755 "$IMAGE" /sbin/init >/dev/null
    fi
  done
  local state try
  for i in $(seq 1 "$nodes"); do
    # systemd's bus appears a moment after the container starts; then wait for boot to finish.
    for try in $(seq 1 60); do
      if state=$(podman exec "fsk-lab-$i" systemctl is-system-running --wait 2>/dev/null) \
         || [ "$state" = degraded ]; then
        break
      fi
      sleep 0.5
    done
    case $state in running|degraded) ;; *) echo "fsk-lab-$i did not boot (try $try): systemd is '$state'" >&2; exit 1 ;; esac
  done

  local start=$SECONDS
  ansible-playbook -i "$LAB/hosts.yml" site.yml
  echo
  echo "Lab ready in $((SECONDS - start))s: $nodes node(s), inventory $LAB/hosts.yml"
  local kubectl=$FROMSCRATCH_MIRROR/kubernetes/v1.20.2/bin/linux/amd64/kubectl
  echo "  export KUBECONFIG=$LAB-credentials/pki/kubeconfigs/admin.kubeconfig"
  echo "  $kubectl get nodes -o wide          # from this machine"
  echo "  podman exec -it fsk-lab-1 bash -l   # a shell on node 1: kubectl and etcdctl are set up for root"
  echo "  ansible-playbook -i $LAB/hosts.yml playbooks/smoke.yml   # the seeds' checks"
  echo "  bash lab/lab.sh down                # remove it"
}

case ${1:-} in
  up) shift; up "$@" ;;
  down) down ;;
  *) echo "usage: bash lab/lab.sh up [NODES] | down" >&2; exit 2 ;;
esac
