"""Every artifact a role asks the download role for is in its catalogue (download_artifacts, the
one list of artifacts: the argument spec no longer repeats it as choices, which had fallen behind
and refused flannel and its CNI plugin, so the default pod network could not install)."""

import os

import yaml

ROLE = os.path.join(os.path.dirname(__file__), "..", "..", "roles", "download")


def load(*parts):
    with open(os.path.join(ROLE, *parts), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_every_role_that_downloads_asks_for_a_catalogued_artifact():
    catalogue = set(load("defaults", "main.yml")["download_artifacts"])
    roles = os.path.join(ROLE, "..")
    asked = {}
    for role in sorted(os.listdir(roles)):
        tasks = os.path.join(roles, role, "tasks", "main.yml")
        if not os.path.exists(tasks):
            continue
        with open(tasks, encoding="utf-8") as handle:
            for task in yaml.safe_load(handle) or []:
                artifact = (task.get("vars") or {}).get("download_artifact")
                if artifact and "{{" not in artifact:
                    asked.setdefault(role, set()).add(artifact)
    assert asked, "no role asks the download role for an artifact"
    assert {role: names - catalogue for role, names in asked.items() if names - catalogue} == {}
