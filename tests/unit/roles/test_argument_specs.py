"""Every role's meta/argument_specs.yml documents the defaults its defaults/main.yml really has: an
option's `default` in the spec equals the value in defaults/main.yml (a spec default for a variable
the role does not define is a mismatch too). Templated defaults are left out of the specs."""

import os

import pytest
import yaml

from conftest import ROOT

ROLES = os.path.join(ROOT, "roles")


def load(path):
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


@pytest.mark.parametrize("role", sorted(os.listdir(ROLES)))
def test_argument_spec_defaults_match_the_role_defaults(role):
    specs = load(os.path.join(ROLES, role, "meta", "argument_specs.yml")).get("argument_specs")
    assert specs, "%s has no meta/argument_specs.yml" % role
    defaults = load(os.path.join(ROLES, role, "defaults", "main.yml"))
    mismatches = {}
    for entry_point, spec in specs.items():
        for name, option in (spec.get("options") or {}).items():
            if "default" in option and option["default"] != defaults.get(name, "<not in defaults/main.yml>"):
                mismatches["%s %s" % (entry_point, name)] = (option["default"], defaults.get(name, "<not in defaults/main.yml>"))
    assert mismatches == {}, "argument spec default != defaults/main.yml: %s" % mismatches
