"""kube-bench for a host of this collection, from its release tarball (on the Ansible controller).

    kube_bench_profile.py RELEASE.tar.gz SETTINGS.yml KUBERNETES_VERSION OUT.tar.gz

Reads kube-bench's cfg/config.yaml from the release, merges SETTINGS' kube_bench_paths over it
(dicts merged, lists replaced), picks the benchmark kube-bench picks for KUBERNETES_VERSION (its
version_mapping: the release's minor, else the nearest minor below it that is listed), replaces
the fields of SETTINGS' kube_bench_adapted_checks in that benchmark's checks, and writes OUT with
the binary, the merged config.yaml and that benchmark's folder. Prints {"benchmark": ...} as JSON.
"""
import io
import json
import re
import sys
import tarfile

import yaml


class Loader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    """YAML 1.2's booleans, as kube-bench's Go reader has them: `value: no` stays the string "no"."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                             list("tTfF"))


def merge(base, over):
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value
    return base


def benchmark_for(mapping, version):
    major, minor = (int(part) for part in version.split(".")[:2])
    for candidate in range(minor, 14, -1):
        if "%d.%d" % (major, candidate) in mapping:
            return mapping["%d.%d" % (major, candidate)]
    raise SystemExit("kube-bench maps no release at or below %s to a benchmark" % version)


def adapt(controls, adapted):
    found = set()
    for group in controls.get("groups") or []:
        for check in group.get("checks") or []:
            if check["id"] in adapted:
                check.update(adapted[check["id"]])
                found.add(check["id"])
    return found


def add(tar, name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), mode
    tar.addfile(info, io.BytesIO(data))


def main(release, settings_file, version, out):
    with open(settings_file) as handle:
        settings = yaml.safe_load(handle)
    with tarfile.open(release) as tar:
        members = {member.name.lstrip("./"): member for member in tar.getmembers()}
        config = yaml.load(tar.extractfile(members["cfg/config.yaml"]), Loader=Loader)
        benchmark = benchmark_for(config["version_mapping"], version)
        merge(config, settings["kube_bench_paths"])
        adapted = {str(key): value for key, value in settings["kube_bench_adapted_checks"].items()}
        files, found = {}, set()
        for name, member in members.items():
            if member.isfile() and name.startswith("cfg/%s/" % benchmark):
                data = tar.extractfile(member).read()
                if name.endswith(".yaml") and not name.endswith("/config.yaml"):
                    controls = yaml.load(data, Loader=Loader)
                    adapted_here = adapt(controls, adapted)
                    if adapted_here:  # the other files stay kube-bench's bytes
                        data = yaml.safe_dump(controls, sort_keys=False).encode()
                        found |= adapted_here
                files[name] = data
        if set(adapted) - found:
            raise SystemExit("%s has no check %s" % (benchmark, ", ".join(sorted(set(adapted) - found))))
        binary = tar.extractfile(members["kube-bench"]).read()
    with tarfile.open(out, "w:gz") as tar:
        add(tar, "kube-bench", binary, 0o755)
        add(tar, "cfg/config.yaml", yaml.safe_dump(config, sort_keys=False).encode())
        for name, data in sorted(files.items()):
            add(tar, name, data)
    print(json.dumps({"benchmark": benchmark}))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
