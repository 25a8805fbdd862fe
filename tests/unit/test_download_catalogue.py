"""The download role's catalogue and its argument spec agree: every artifact the catalogue lists can
be asked for. (flannel and its CNI plugin were listed but refused by the spec's choices, so the
default pod network could not install; found by installing the flannel built from its module.)"""

import os

import yaml

ROLE = os.path.join(os.path.dirname(__file__), "..", "..", "roles", "download")


def load(*parts):
    with open(os.path.join(ROLE, *parts), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_every_catalogued_artifact_is_a_choice_of_the_argument_spec():
    catalogue = set(load("defaults", "main.yml")["download_artifacts"])
    choices = set(load("meta", "argument_specs.yml")["argument_specs"]["main"]["options"]["download_artifact"]["choices"])
    assert catalogue == choices


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
