"""The files the defaults render (Kubernetes 1.35, etcd 3.6, containerd 2.2, flannel 0.27, CoreDNS 1.13)
hold only flags and configuration fields that exist, undeprecated, at the release they are for.

What exists where is the table upstream_versions.yml, each component naming its upstream source.
The test-bed mirror holds real binaries of the default releases (built from their Go modules): the
files rendered for them are checked against what each binary itself prints, and so is the table's
answer for that release."""

import json
import os
import re
import subprocess
import tarfile
import tomllib

import pytest
import yaml

from conftest import MIRROR, ROOT, render_defaults

with open(os.path.join(ROOT, "tests", "integration", "upstream_versions.yml"), encoding="utf-8") as table_file:
    TABLE = yaml.safe_load(table_file)


def role_default(role, name):
    with open(os.path.join(ROOT, "roles", role, "defaults", "main.yml"), encoding="utf-8") as defaults:
        return yaml.safe_load(defaults)[name]


K8S = role_default("cluster", "cluster_kubernetes_version")
ETCD = role_default("etcd", "etcd_version")
CONTAINERD = role_default("containerd", "containerd_version")
K8S_BIN = os.path.join(MIRROR, "kubernetes", "v" + K8S, "bin", "linux", "amd64")
UNITS = {"kube-apiserver": "kube-apiserver.service", "kube-controller-manager": "kube-controller-manager.service",
         "kube-scheduler": "kube-scheduler.service", "kubelet": "kubelet.service", "kube-proxy": "kube-proxy.service",
         "etcd": "etcd.service", "flannel": "flanneld.service"}


# --- reading the table -------------------------------------------------------------------------

def version_tuple(text):
    return tuple(int(part) for part in re.findall(r"\d+", str(text))[:3])


def problem(entry, version):
    """Why an entry of the table cannot be rendered for version, or None."""
    if entry is None:
        return "not in the table (unknown upstream)"
    if "since" in entry and version_tuple(version) < version_tuple(entry["since"]):
        return "exists only from %s" % entry["since"]
    if "until" in entry and version_tuple(version) >= version_tuple(entry["until"]):
        return "removed in %s" % entry["until"]
    if "deprecated" in entry and version_tuple(version) >= version_tuple(entry["deprecated"]):
        return "deprecated since %s" % entry["deprecated"]
    return None


def exists(entry, version):
    """Whether the release has it at all (deprecated or not)."""
    return problem(dict(entry, deprecated="999"), version) is None


def config_entry(entries, path):
    """The table entry for a dotted path; "*" in the table matches one chosen name."""
    if path in entries:
        return entries[path]
    for key, entry in entries.items():
        if "*" in key and re.fullmatch(re.escape(key).replace(r"\*", r"[^.]+"), path):
            return entry
    return None


# --- reading the rendered files ----------------------------------------------------------------

def exec_start_flags(unit):
    """{flag: value} of a unit's ExecStart, continuation lines joined."""
    command = re.search(r"^ExecStart=(.*?)(?<!\\)$", unit, re.S | re.M).group(1).replace("\\\n", " ")
    flags = {}
    for word in command.split()[1:]:
        assert word.startswith("--"), "not a flag in ExecStart: %r" % word
        name, value = (word[2:] + "=").split("=", 1)
        flags[name] = value[:-1]
    return flags


def leaves(node, prefix=""):
    """Dotted paths of a parsed configuration's leaves (lists are leaves; a key with dots is quoted)."""
    if isinstance(node, dict) and node:
        for key, value in node.items():
            part = '"%s"' % key if "." in key else key
            yield from leaves(value, prefix + "." + part if prefix else part)
    else:
        yield prefix, node


def toml_paths(text):
    paths = {}
    for key, value in tomllib.loads(text).items():
        if key == "plugins":
            for plugin, body in value.items():
                paths['plugins."%s"' % plugin] = None
                paths.update({'plugins."%s".%s' % (plugin, path): leaf for path, leaf in leaves(body)})
        else:
            paths[key] = value
    return paths


def corefile_plugins(coredns_yaml):
    configmap = next(doc for doc in yaml.safe_load_all(coredns_yaml) if doc and doc["kind"] == "ConfigMap")
    return [line.split()[0] for line in configmap["data"]["Corefile"].splitlines()
            if line.startswith("    ") and not line.startswith("     ") and line.split()[0] != "}"]


def findings(rendered):
    """Every rendered flag, field and value the table does not allow at its version."""
    versions = rendered["versions"]
    out = []

    def check(component, kind, name, entry, value=None):
        version = versions[TABLE[component]["versioned_by"]]
        why = problem(entry, version)
        if why:
            out.append("%s %s %s at %s: %s" % (component, kind, name, version, why))
        elif entry and "values" in entry and value is not None:
            for item in str(value).split(","):
                why = problem(entry["values"].get(item), version)
                if why:
                    out.append("%s %s %s value %s at %s: %s" % (component, kind, name, item, version, why))

    for component, unit in UNITS.items():
        for flag, value in exec_start_flags(rendered[unit]).items():
            check(component, "flag", "--" + flag, TABLE[component]["flags"].get(flag), value)
    configs = {"kube-scheduler": yaml.safe_load(rendered["kube-scheduler.yaml"])
               if "--config=" in rendered["kube-scheduler.service"] else {},
               "kubelet": yaml.safe_load(rendered["kubelet-config.yaml"]),
               "kube-proxy": yaml.safe_load(rendered["kube-proxy-config.yaml"]),
               "flannel": json.loads(rendered["flannel-net-conf.json"])}
    for component, config in configs.items():
        for path, value in leaves(config):
            check(component, "field", path, config_entry(TABLE[component]["config"], path), value)
    containerd = toml_paths(rendered["containerd-config.toml"])
    for path, value in containerd.items():
        check("containerd", "key", path, config_entry(TABLE["containerd"]["config"], path),
              value if isinstance(value, str) else None)
    wanted = TABLE["containerd"]["versions"][versions["containerd"].split(".")[0]]
    if containerd["version"] != wanted:
        out.append("containerd %s reads configuration version %s, not %s"
                   % (versions["containerd"], wanted, containerd["version"]))
    for plugin in corefile_plugins(rendered["coredns.yaml"]):
        check("coredns", "plugin", plugin, TABLE["coredns"]["plugins"].get(plugin))
    return out


@pytest.fixture(scope="module")
def render(tmp_path_factory):
    """render(**extra_vars) -> {file: text, "versions": {...}}, once per set of variables."""
    cache = {}

    def run(**extra_vars):
        key = json.dumps(extra_vars, sort_keys=True)
        if key not in cache:
            cache[key] = render_defaults(tmp_path_factory.mktemp("render"), extra_vars)
        return cache[key]
    return run


# --- the defaults ------------------------------------------------------------------------------

def test_defaults_are_the_releases_this_table_is_for(render):
    versions = render()["versions"]
    assert version_tuple(versions["kubernetes"])[:2] == (1, 35)
    assert version_tuple(versions["containerd"])[:2] == (2, 2)
    assert version_tuple(versions["etcd"])[:2] == (3, 6)
    assert version_tuple(versions["flannel"])[:2] == (0, 27)
    assert versions["coredns"] == "1.13.1"


def test_defaults_render_only_what_exists_undeprecated(render):
    rendered = render()
    assert findings(rendered) == []
    # What the check saw, so that an empty list above means something.
    assert exec_start_flags(rendered["kube-apiserver.service"])["enable-admission-plugins"] == "NodeRestriction,EventRateLimit,DenyServiceExternalIPs"
    assert "failCgroupV1" in rendered["kubelet-config.yaml"] and "containerRuntimeEndpoint" in rendered["kubelet-config.yaml"]
    assert 'bin_dirs = ["/opt/cni/bin"]' in rendered["containerd-config.toml"]
    assert corefile_plugins(rendered["coredns.yaml"])[:3] == ["errors", "health", "ready"]


def test_defaults_with_the_package_method_versions(render):
    # containerd 1.7 (a distribution's package) and etcd 3.5.
    rendered = render(containerd_version="1.7.28", etcd_version="3.5.35")
    assert findings(rendered) == []
    assert "--kube-subnet-mgr" in rendered["flanneld.service"]
    assert 'plugins."io.containerd.grpc.v1.cri"' in rendered["containerd-config.toml"]


@pytest.mark.parametrize("version", ["1.33.7", "1.34.12"])
def test_every_release_gets_a_scheduler_configuration_api_it_reads_undeprecated(render, version):
    rendered = render(cluster_kubernetes_version=version)
    assert "--config=" in rendered["kube-scheduler.service"]
    assert [line for line in findings(rendered) if "apiVersion" in line] == []


@pytest.mark.parametrize("extra_vars, expected", [
    ({"apiserver_extra_args": {"insecure-port": "0"}}, "kube-apiserver flag --insecure-port at 1.35.1: removed in 1.24"),
    ({"apiserver_admission_plugins": ["NodeRestriction", "PodSecurityPolicy"]},
     "kube-apiserver flag --enable-admission-plugins value PodSecurityPolicy at 1.35.1: removed in 1.25"),
    ({"cluster_kubernetes_version": "1.26.5", "kube_proxy_mode": "nftables"},
     "kube-proxy field mode value nftables at 1.26.5: exists only from 1.29"),
    ({"cluster_kubernetes_version": "1.29.4", "scheduler_config_api_version": "kubescheduler.config.k8s.io/v1beta3"},
     "kube-scheduler field apiVersion value kubescheduler.config.k8s.io/v1beta3 at 1.29.4: removed in 1.29"),
    ({"flannel_backend": "udp"}, "flannel field Backend.Type value udp at 0.27.4: not in the table"),
    ({"scheduler_extra_args": {"no-such-flag": "1"}}, "kube-scheduler flag --no-such-flag at 1.35.1: not in the table"),
])
def test_a_flag_or_field_that_does_not_exist_there_is_found(render, extra_vars, expected):
    # The check can fail: a removed flag, a removed or too new value, and an unknown flag are named.
    found = findings(render(**extra_vars))
    assert any(line.startswith(expected) for line in found), found


# --- the table against real binaries -----------------------------------------------------------

def flag_status(binary, flag, value, help_text):
    """"missing", "deprecated" or "ok": a flag given to the binary with --version, which parses
    every flag (hidden deprecated ones too) before it prints its version."""
    proc = subprocess.run([binary, "--%s=%s" % (flag, value), "--version"], capture_output=True, text=True,
                          timeout=60, check=False)
    if "unknown flag: --" + flag in proc.stdout + proc.stderr:
        return "missing"
    described = re.search(r"^\s+(?:-\w, )?--%s[ =]\S*(.*?)(?=^\s+(?:-\w, )?--|\Z)" % re.escape(flag), help_text,
                          re.M | re.S)
    if "has been deprecated" in proc.stdout + proc.stderr or (described and "DEPRECATED" in described.group(1)):
        return "deprecated"
    return "ok"


def need(path):
    if not os.path.exists(path):
        pytest.fail("%s is missing: run `make mirror` first" % path)
    return path


@pytest.mark.parametrize("component", ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet",
                                       "kube-proxy"])
def test_kubernetes_binaries_agree_with_the_table_and_the_rendered_units(render, component):
    binary = need(os.path.join(K8S_BIN, component))
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=60, check=False).stdout
    rendered = exec_start_flags(render()[UNITS[component]])
    assert [flag for flag, value in rendered.items() if flag_status(binary, flag, value, help_text) == "missing"] == []
    disagree = []
    for flag, entry in TABLE[component]["flags"].items():
        status = flag_status(binary, flag, rendered.get(flag, "0"), help_text)
        table = "missing" if not exists(entry, K8S) else "deprecated" if problem(entry, K8S) else "ok"
        if status != table:
            disagree.append("--%s: binary %s, table %s" % (flag, status, table))
    assert disagree == []


@pytest.fixture(scope="module")
def etcd_binary(tmp_path_factory):
    tarball = need(os.path.join(MIRROR, "etcd", "v" + ETCD, "etcd-v%s-linux-amd64.tar.gz" % ETCD))
    target = tmp_path_factory.mktemp("etcd")
    with tarfile.open(tarball) as archive:
        archive.extractall(target, filter="data")
    return str(target / ("etcd-v%s-linux-amd64" % ETCD) / "etcd")


def test_etcd_binary_agrees_with_the_table_and_the_rendered_unit(render, etcd_binary):
    proc = subprocess.run([etcd_binary, "--help"], capture_output=True, text=True, timeout=60, check=False)
    help_flags = {}
    for match in re.finditer(r"^  --([a-z0-9-]+)[^\n]*\n((?:    [^\n]*\n?)*)", proc.stdout + proc.stderr, re.M):
        help_flags[match.group(1)] = "Deprecated" in match.group(2) or "DEPRECATED" in match.group(2)
    assert len(help_flags) > 50
    rendered = exec_start_flags(render()["etcd.service"])
    assert sorted(set(rendered) - set(help_flags)) == []
    for flag, entry in TABLE["etcd"]["flags"].items():
        assert exists(entry, ETCD) == (flag in help_flags), (flag, entry)
        if help_flags.get(flag):
            assert "deprecated" in entry and version_tuple(entry["deprecated"]) <= version_tuple(ETCD), (flag, entry)


@pytest.mark.parametrize("version", [CONTAINERD])
def test_containerd_binaries_know_every_key_the_table_gives_them(render, tmp_path, version):
    tarball = need(os.path.join(MIRROR, "containerd", "v" + version, "containerd-%s-linux-amd64.tar.gz" % version))
    with tarfile.open(tarball) as archive:
        archive.extractall(tmp_path, filter="data")
    proc = subprocess.run([str(tmp_path / "bin" / "containerd"), "config", "default"], capture_output=True,
                          text=True, timeout=60, check=True)
    default = toml_paths(proc.stdout)
    rendered = toml_paths(render(containerd_version=version)["containerd-config.toml"])
    assert rendered["version"] == default["version"]
    assert sorted(set(rendered) - set(default)) == []
    for key, entry in TABLE["containerd"]["config"].items():
        present = any(re.fullmatch(re.escape(key).replace(r"\*", r"[^.]+"), path) for path in default)
        assert exists(entry, version) == present, "%s at %s: table %s, binary %s" % (key, version, entry, present)


def test_coredns_binary_has_every_plugin_of_the_table(render, tmp_path):
    version = render()["versions"]["coredns"]
    with tarfile.open(need(os.path.join(MIRROR, "coredns", "v" + version, "coredns_%s_linux_amd64.tgz" % version))) as release:
        release.extract("coredns", tmp_path, filter="data")
    proc = subprocess.run([str(tmp_path / "coredns"), "-plugins"], capture_output=True, text=True, timeout=60,
                          check=True)
    # One plugin a line (1.13); older releases list them under "Other plugins:" as dns.<name>.
    compiled = set(re.findall(r"^\s*(?:dns\.)?([a-z0-9_]+)$", proc.stdout, re.M))
    assert len(compiled) > 30
    assert sorted(set(TABLE["coredns"]["plugins"]) - compiled) == []
    assert sorted(set(corefile_plugins(render()["coredns.yaml"])) - compiled) == []
