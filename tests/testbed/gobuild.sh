#!/usr/bin/env bash
# Release binaries built from their Go modules (the ordinary Go client and the module proxy the
# machine is configured for), written into the test-bed mirror in upstream's release layout:
#   <mirror>/kubernetes/v<ver>/bin/linux/amd64/<binary>  (+ <binary>.sha256, a bare digest, as dl.k8s.io)
#     kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy, kubectl, kubelet
#   <mirror>/etcd/v<ver>/etcd-v<ver>-linux-amd64.tar.gz  (+ SHA256SUMS)  etcd, etcdctl, etcdutl
#     (etcd-server@<ver>: the same tarball with the etcd binary alone, for a release whose etcdctl and
#     etcdutl modules the proxy does not serve)
#   <mirror>/containerd/v<ver>/containerd-<ver>-linux-amd64.tar.gz  (+ .sha256sum)  bin/containerd, ctr,
#     containerd-shim-runc-v2, containerd-stress
#   <mirror>/runc/v<ver>/runc.amd64  (+ runc.sha256sum)  cgo, seccomp with Debian's libseccomp
#   <mirror>/cni-plugins/v<ver>/cni-plugins-linux-amd64-v<ver>.tgz  (+ .sha256)  the 18 plugins
#   <mirror>/coredns/v<ver>/coredns_<ver>_linux_amd64.tgz  (+ .sha256)
#   <mirror>/flannel/v<ver>/flanneld-amd64  (flannel publishes no checksum file)
#   <mirror>/crictl/v<ver>/crictl-v<ver>-linux-amd64.tar.gz  (+ .sha256, a bare digest)
#
#   bash tests/testbed/gobuild.sh kubernetes@1.35.1 etcd@3.6.6 containerd@2.2.1 ...
#
# Each release is built only when its files are absent (keyed by version); the Go module and build
# caches (go env GOMODCACHE, GOCACHE) and the throwaway modules in $GOBUILD stay outside git, so a
# second run takes seconds. Progress: one line per binary with the time since the release began.
# Build flags follow each project's release scripts; where those stamp a git commit the module does
# not carry (etcd, containerd, runc, CoreDNS), the commit is left out and the version stays.
set -euo pipefail

MIRROR=${FROMSCRATCH_MIRROR:-/var/cache/fromscratch-kubernetes/mirror}
GOBUILD=${FROMSCRATCH_GOBUILD:-/var/cache/fromscratch-kubernetes/gobuild}
ARCH=amd64
# The minimum Go the modules ask for is checked by the go command itself (go.mod's go line).
GO=${GO:-go}

log() { printf 'gobuild: %s\n' "$*"; }

# A throwaway module in $GOBUILD/NAME that requires the modules of the packages it builds, each at
# the release: one `go get` of them all, so that none is resolved to its latest version (no tidy,
# which would add other modules at their latest and move shared dependencies).
# GOMOD_EXTRA: lines for its go.mod (the replace lines of Kubernetes).
gomod() {  # gomod NAME PACKAGE@VERSION...
  local dir="$GOBUILD/$1"
  shift
  rm -rf "$dir" && mkdir -p "$dir"
  printf 'module fromscratch.local/build/%s\n\ngo 1.24\n\n%s\n' "${dir##*/}" "${GOMOD_EXTRA:-}" > "$dir/go.mod"
  (cd "$dir" && "$GO" get "$@" 2>&1 | sed '/^go: \(downloading\|added\|upgraded\|finding\) /d')
}

# gobuild NAME OUTPUT ENV... -- GO-BUILD-ARGS...: go build in the throwaway module NAME (-mod=mod
# adds the sums of what a build tag brings in).
gobuild() {
  local dir="$GOBUILD/$1" out=$2 env=()
  shift 2
  while [ "$1" != -- ]; do env+=("$1"); shift; done
  shift
  (cd "$dir" && env "${env[@]}" GOFLAGS="-mod=mod -buildvcs=false" "$GO" build -o "$out" "$@")
}

# The folder of a module in the module cache (for the README and LICENSE files a release ships).
moddir() {  # moddir NAME MODULE
  (cd "$GOBUILD/$1" && "$GO" list -m -f '{{.Dir}}' "$2")
}

# says RELEASE EXPECTED COMMAND...: the command's output (stdout and stderr, read whole: a grep -q
# in a pipe could end it with SIGPIPE) holds EXPECTED, or the build stops saying what it printed.
says() {
  local release=$1 expected=$2 output
  shift 2
  output=$("$@" 2>&1 </dev/null) || { log "$release: '$*' failed: $output"; exit 1; }
  case $output in *"$expected"*) ;; *) log "$release: '$*' says '${output%%$'\n'*}', not '$expected'"; exit 1 ;; esac
}

# publish RELEASE OUT START TMP FILE...: move the release's FILEs from TMP into the mirror folder OUT
# (last, so that a build that stopped leaves nothing that looks complete) and drop TMP.
publish() {
  local release=$1 out=$2 start=$3 tmp=$4 file
  shift 4
  mkdir -p "$out"
  for file in "$@"; do mv -f "$tmp/$file" "$out/"; done
  rm -rf "$tmp"
  log "$release: done in $((SECONDS - start)) s"
}

sha256_line() {  # sha256_line FILE: '<hex>  <file name>', as sha256sum prints it
  (cd "$(dirname "$1")" && sha256sum "$(basename "$1")")
}

# Upstream's build flags (hack/lib/golang.sh of the release): no symbols, trimmed paths, these tags.
K8S_TAGS=selinux,notest,grpcnotrace
# The binaries upstream builds with CGO_ENABLED=0 (its KUBE_STATIC_BINARIES); the kubelet is not in
# that list and is built with cgo, as upstream does.
K8S_STATIC=(kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubectl)
K8S_CGO=(kubelet)

# The version stamp of hack/lib/version.sh: the same -X values into client-go and component-base,
# so --version, /version and each Node's kubeletVersion say the release. buildDate is the release
# commit's time (the module proxy's), so a rebuild stamps the same date.
k8s_ldflags() {  # k8s_ldflags VERSION DATE
  local version=$1 date=$2 minor flags="" pair
  minor=${version#*.}; minor=${minor%%.*}
  for pair in "gitVersion=v$version" "gitMajor=1" "gitMinor=$minor" "gitTreeState=clean" "buildDate=$date"; do
    flags="$flags -X 'k8s.io/client-go/pkg/version.${pair%%=*}=${pair#*=}' -X 'k8s.io/component-base/version.${pair%%=*}=${pair#*=}'"
  done
  echo "all=$flags -s -w"
}

# The replace lines of a throwaway module for k8s.io/kubernetes: its k8s.io/* staging modules at the
# matching v0 version. The release's own go.mod points them at ./staging folders, a replace that does
# not apply to a dependency (and requires them at v0.0.0).
k8s_replaces() {  # k8s_replaces VERSION
  local version=$1 gomod
  gomod=$("$GO" mod download -json "k8s.io/kubernetes@v$version" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')
  [ -f "$gomod" ] || { log "the module proxy did not give k8s.io/kubernetes@v$version"; exit 1; }
  awk -v v="v0.${version#1.}" '$2 == "=>" && $3 ~ /^\.\/staging\// {print "replace " $1 " => " $1 " " v}' "$gomod"
}

build_kubernetes() {  # build_kubernetes VERSION
  local version=$1 out="$MIRROR/kubernetes/v$1/bin/linux/$ARCH" binary missing=0
  for binary in "${K8S_STATIC[@]}" "${K8S_CGO[@]}"; do
    [ -s "$out/$binary" ] && [ -s "$out/$binary.sha256" ] || missing=1
  done
  if [ "$missing" = 0 ]; then log "kubernetes $version: in the mirror"; return; fi
  local start=$SECONDS name="kubernetes-$version" date ldflags tmp files=()
  log "kubernetes $version: building from k8s.io/kubernetes@v$version (the first build takes minutes)"
  local packages=("${K8S_STATIC[@]/#/k8s.io/kubernetes/cmd/}" "${K8S_CGO[@]/#/k8s.io/kubernetes/cmd/}")
  GOMOD_EXTRA=$(k8s_replaces "$version") gomod "$name" "${packages[@]/%/@v$version}"
  date=$(cd "$GOBUILD/$name" && "$GO" list -m -f '{{.Time.Format "2006-01-02T15:04:05Z"}}' k8s.io/kubernetes)
  ldflags=$(k8s_ldflags "$version" "$date")
  tmp=$(mktemp -d)
  for binary in "${K8S_STATIC[@]}"; do
    gobuild "$name" "$tmp/$binary" CGO_ENABLED=0 -- -trimpath -installsuffix=static -tags="$K8S_TAGS" -ldflags="$ldflags" \
      "k8s.io/kubernetes/cmd/$binary"
    log "kubernetes $version: $binary built ($((SECONDS - start)) s)"
  done
  for binary in "${K8S_CGO[@]}"; do
    gobuild "$name" "$tmp/$binary" CGO_ENABLED=1 -- -trimpath -tags="$K8S_TAGS" -ldflags="$ldflags" "k8s.io/kubernetes/cmd/$binary"
    log "kubernetes $version: $binary built ($((SECONDS - start)) s)"
  done
  for binary in "${K8S_STATIC[@]}" "${K8S_CGO[@]}"; do
    if [ "$binary" = kubectl ]; then
      says "kubernetes $version" "Client Version: v$version" "$tmp/$binary" version --client
    else
      says "kubernetes $version" "Kubernetes v$version" "$tmp/$binary" --version
    fi
    # dl.k8s.io's <binary>.sha256: the bare digest.
    sha256sum "$tmp/$binary" | cut -d' ' -f1 > "$tmp/$binary.sha256"
    files+=("$binary" "$binary.sha256")
  done
  publish "kubernetes $version" "$out" "$start" "$tmp" "${files[@]}"
}

build_etcd() {  # build_etcd VERSION [BINARY...]: etcd, etcdctl and etcdutl unless BINARYs are named
  local version=$1 out="$MIRROR/etcd/v$1" name="etcd-v$1-linux-$ARCH" start=$SECONDS tmp binary module
  shift
  local binaries=(etcd etcdctl etcdutl) modules=()
  [ $# -eq 0 ] || binaries=("$@")
  if [ -s "$out/$name.tar.gz" ] && [ -s "$out/SHA256SUMS" ]; then log "etcd $version: in the mirror"; return; fi
  for binary in "${binaries[@]}"; do
    module=go.etcd.io/etcd/server/v3
    [ "$binary" = etcd ] || module=go.etcd.io/etcd/$binary/v3
    modules+=("$module@v$version")
  done
  log "etcd $version: building ${binaries[*]} from ${modules[*]}"
  gomod "etcd-$version" "${modules[@]}"
  tmp=$(mktemp -d) && mkdir "$tmp/$name"
  for binary in "${binaries[@]}"; do
    module=go.etcd.io/etcd/server/v3
    [ "$binary" = etcd ] || module=go.etcd.io/etcd/$binary/v3
    # scripts/build_lib.sh: static, trimmed, no symbols.
    gobuild "etcd-$version" "$tmp/$name/$binary" CGO_ENABLED=0 -- -trimpath -installsuffix=cgo -ldflags="-s -w" "$module"
    log "etcd $version: $binary built ($((SECONDS - start)) s)"
    if [ "$binary" != etcd ]; then
      install -m 0644 "$(moddir "etcd-$version" "$module")/README.md" "$tmp/$name/README-$binary.md"
    fi
  done
  says "etcd $version" "etcd Version: $version" "$tmp/$name/etcd" --version
  tar -C "$tmp" -czf "$tmp/$name.tar.gz" "$name"
  sha256_line "$tmp/$name.tar.gz" > "$tmp/SHA256SUMS"
  publish "etcd $version" "$out" "$start" "$tmp" "$name.tar.gz" SHA256SUMS
}

build_containerd() {  # build_containerd VERSION
  local version=$1 out="$MIRROR/containerd/v$1" name="containerd-$1-linux-$ARCH.tar.gz" start=$SECONDS tmp binary
  local module=github.com/containerd/containerd/v2 ldflags
  if [ -s "$out/$name" ] && [ -s "$out/$name.sha256sum" ]; then log "containerd $version: in the mirror"; return; fi
  log "containerd $version: building from $module@v$version"
  gomod "containerd-$version" "$module/cmd/containerd@v$version" "$module/cmd/ctr@v$version" \
    "$module/cmd/containerd-shim-runc-v2@v$version" "$module/cmd/containerd-stress@v$version"
  ldflags="-s -w -X $module/version.Version=v$version -X $module/version.Package=$module"
  tmp=$(mktemp -d) && mkdir "$tmp/bin"
  # The Makefile's release build: cgo and PIE for the daemon and the clients, a static shim.
  for binary in containerd ctr containerd-stress; do
    gobuild "containerd-$version" "$tmp/bin/$binary" CGO_ENABLED=1 -- -trimpath -buildmode=pie -tags=urfave_cli_no_docs \
      -ldflags="$ldflags" "$module/cmd/$binary"
    log "containerd $version: $binary built ($((SECONDS - start)) s)"
  done
  gobuild "containerd-$version" "$tmp/bin/containerd-shim-runc-v2" CGO_ENABLED=0 -- -trimpath -tags="urfave_cli_no_docs no_grpc" \
    -ldflags="$ldflags -extldflags -static" "$module/cmd/containerd-shim-runc-v2"
  log "containerd $version: containerd-shim-runc-v2 built ($((SECONDS - start)) s)"
  says "containerd $version" " v$version " "$tmp/bin/containerd" --version
  tar -C "$tmp" -czf "$tmp/$name" bin
  sha256_line "$tmp/$name" > "$tmp/$name.sha256sum"
  publish "containerd $version" "$out" "$start" "$tmp" "$name" "$name.sha256sum"
}

build_runc() {  # build_runc VERSION
  local version=$1 out="$MIRROR/runc/v$1" start=$SECONDS tmp
  if [ -s "$out/runc.$ARCH" ] && [ -s "$out/runc.sha256sum" ]; then log "runc $version: in the mirror"; return; fi
  # runc's seccomp support links libseccomp (cgo): Debian's, static.
  dpkg -s libseccomp-dev >/dev/null 2>&1 || { apt-get update -q >/dev/null; apt-get install -y -q libseccomp-dev pkg-config >/dev/null; }
  log "runc $version: building from github.com/opencontainers/runc@v$version (cgo, libseccomp $(pkg-config --modversion libseccomp))"
  gomod "runc-$version" "github.com/opencontainers/runc@v$version"
  tmp=$(mktemp -d)
  # script/release_build.sh (make static): a static PIE with seccomp.
  gobuild "runc-$version" "$tmp/runc.$ARCH" CGO_ENABLED=1 -- -trimpath -buildmode=pie -tags="seccomp urfave_cli_no_docs netgo osusergo" \
    -ldflags="-X main.gitCommit=v$version -linkmode external -extldflags -static-pie -w -s -buildid=" github.com/opencontainers/runc
  says "runc $version" "runc version $version" "$tmp/runc.$ARCH" --version
  sha256_line "$tmp/runc.$ARCH" > "$tmp/runc.sha256sum"
  publish "runc $version" "$out" "$start" "$tmp" "runc.$ARCH" runc.sha256sum
}

CNI_PLUGINS=(ipam/dhcp ipam/host-local ipam/static main/bridge main/dummy main/host-device main/ipvlan main/loopback
  main/macvlan main/ptp main/tap main/vlan meta/bandwidth meta/firewall meta/portmap meta/sbr meta/tuning meta/vrf)

build_cni() {  # build_cni VERSION
  local version=$1 out="$MIRROR/cni-plugins/v$1" name="cni-plugins-linux-$ARCH-v$1.tgz" start=$SECONDS tmp plugin
  local module=github.com/containernetworking/plugins
  local packages=("${CNI_PLUGINS[@]/#/$module/plugins/}")
  if [ -s "$out/$name" ] && [ -s "$out/$name.sha256" ]; then log "CNI plugins $version: in the mirror"; return; fi
  log "CNI plugins $version: building from $module@v$version"
  gomod "cni-plugins-$version" "${packages[@]/%/@v$version}"
  tmp=$(mktemp -d) && mkdir "$tmp/bin"
  # The release workflow: static, the version in buildversion.
  for plugin in "${CNI_PLUGINS[@]}"; do
    gobuild "cni-plugins-$version" "$tmp/bin/${plugin#*/}" CGO_ENABLED=0 -- \
      -ldflags="-extldflags -static -X $module/pkg/utils/buildversion.BuildVersion=v$version" "$module/plugins/$plugin"
  done
  log "CNI plugins $version: ${#CNI_PLUGINS[@]} plugins built ($((SECONDS - start)) s)"
  says "CNI plugins $version" "CNI bridge plugin v$version" "$tmp/bin/bridge"
  install -m 0644 "$(moddir "cni-plugins-$version" "$module")/README.md" "$(moddir "cni-plugins-$version" "$module")/LICENSE" "$tmp/bin/"
  (cd "$tmp/bin" && tar --owner=0 --group=0 -czpf "../$name" .)
  sha256_line "$tmp/$name" > "$tmp/$name.sha256"
  publish "CNI plugins $version" "$out" "$start" "$tmp" "$name" "$name.sha256"
}

build_coredns() {  # build_coredns VERSION
  local version=$1 out="$MIRROR/coredns/v$1" name="coredns_$1_linux_$ARCH.tgz" start=$SECONDS tmp
  if [ -s "$out/$name" ] && [ -s "$out/$name.sha256" ]; then log "CoreDNS $version: in the mirror"; return; fi
  log "CoreDNS $version: building from github.com/coredns/coredns@v$version"
  gomod "coredns-$version" "github.com/coredns/coredns@v$version"
  tmp=$(mktemp -d)
  gobuild "coredns-$version" "$tmp/coredns" CGO_ENABLED=0 -- -trimpath -ldflags="-s -w" github.com/coredns/coredns
  says "CoreDNS $version" "CoreDNS-$version" "$tmp/coredns" -version
  tar -C "$tmp" --owner=0 --group=0 -czf "$tmp/$name" coredns
  sha256_line "$tmp/$name" > "$tmp/$name.sha256"
  publish "CoreDNS $version" "$out" "$start" "$tmp" "$name" "$name.sha256"
}

build_flannel() {  # build_flannel VERSION
  local version=$1 out="$MIRROR/flannel/v$1" start=$SECONDS tmp
  if [ -s "$out/flanneld-$ARCH" ]; then log "flannel $version: in the mirror"; return; fi
  log "flannel $version: building from github.com/flannel-io/flannel@v$version (cgo: its UDP backend has C code)"
  gomod "flannel-$version" "github.com/flannel-io/flannel@v$version"
  tmp=$(mktemp -d)
  gobuild "flannel-$version" "$tmp/flanneld-$ARCH" CGO_ENABLED=1 -- -trimpath \
    -ldflags="-s -w -X github.com/flannel-io/flannel/pkg/version.Version=v$version -extldflags -static" github.com/flannel-io/flannel
  says "flannel $version" "v$version" "$tmp/flanneld-$ARCH" --version
  publish "flannel $version" "$out" "$start" "$tmp" "flanneld-$ARCH"
}

build_crictl() {  # build_crictl VERSION
  local version=$1 out="$MIRROR/crictl/v$1" name="crictl-v$1-linux-$ARCH.tar.gz" start=$SECONDS tmp
  if [ -s "$out/$name" ] && [ -s "$out/$name.sha256" ]; then log "crictl $version: in the mirror"; return; fi
  log "crictl $version: building from sigs.k8s.io/cri-tools@v$version"
  gomod "crictl-$version" "sigs.k8s.io/cri-tools/cmd/crictl@v$version"
  tmp=$(mktemp -d)
  # hack/release.sh: static, the version (with its v) in pkg/version.
  gobuild "crictl-$version" "$tmp/crictl" CGO_ENABLED=0 -- -ldflags="-X sigs.k8s.io/cri-tools/pkg/version.Version=v$version" \
    sigs.k8s.io/cri-tools/cmd/crictl
  says "crictl $version" "v$version" "$tmp/crictl" --version
  tar -C "$tmp" --owner=0 --group=0 -czf "$tmp/$name" crictl
  # The release's .sha256: the bare digest.
  sha256sum "$tmp/$name" | cut -d' ' -f1 > "$tmp/$name.sha256"
  publish "crictl $version" "$out" "$start" "$tmp" "$name" "$name.sha256"
}

build_kube_bench() {  # build_kube_bench VERSION (a test tool: the CIS verify runs it on a host)
  local version=$1 out="$MIRROR/kube-bench/v$1" name="kube-bench_$1_linux_$ARCH.tar.gz" start=$SECONDS tmp dir
  if [ -s "$out/$name" ] && [ -s "$out/$name.sha256" ]; then log "kube-bench $version: in the mirror"; return; fi
  log "kube-bench $version: building from github.com/aquasecurity/kube-bench@v$version"
  gomod "kube-bench-$version" "github.com/aquasecurity/kube-bench@v$version"
  tmp=$(mktemp -d)
  # makefile: static, the version in cmd.KubeBenchVersion; the release tarball holds the binary and
  # the benchmarks' cfg/ folder (.goreleaser.yml).
  gobuild "kube-bench-$version" "$tmp/kube-bench" CGO_ENABLED=0 -- \
    -ldflags="-X github.com/aquasecurity/kube-bench/cmd.KubeBenchVersion=v$version" github.com/aquasecurity/kube-bench
  says "kube-bench $version" "v$version" "$tmp/kube-bench" version
  dir=$(moddir "kube-bench-$version" github.com/aquasecurity/kube-bench)
  cp -r "$dir/cfg" "$tmp/cfg" && chmod -R u+w "$tmp/cfg"
  tar -C "$tmp" --owner=0 --group=0 -czf "$tmp/$name" kube-bench cfg
  sha256sum "$tmp/$name" | cut -d' ' -f1 > "$tmp/$name.sha256"
  publish "kube-bench $version" "$out" "$start" "$tmp" "$name" "$name.sha256"
}

[ $# -gt 0 ] || { echo "usage: bash tests/testbed/gobuild.sh COMPONENT@VERSION ... (kubernetes etcd etcd-server containerd runc cni-plugins coredns flannel crictl kube-bench)" >&2; exit 2; }
command -v "$GO" >/dev/null || { log "no go command: GO=\$(bash tests/testbed/go.sh) finds or installs one"; exit 1; }
for release in "$@"; do
  version=${release#*@}
  case $release in
    kubernetes@*) build_kubernetes "$version" ;;
    etcd@*) build_etcd "$version" ;;
    etcd-server@*) build_etcd "$version" etcd ;;
    containerd@*) build_containerd "$version" ;;
    runc@*) build_runc "$version" ;;
    cni-plugins@*) build_cni "$version" ;;
    coredns@*) build_coredns "$version" ;;
    flannel@*) build_flannel "$version" ;;
    crictl@*) build_crictl "$version" ;;
    kube-bench@*) build_kube_bench "$version" ;;
    *) echo "gobuild: unknown release '$release'" >&2; exit 2 ;;
  esac
done
