"""The day-2 playbooks refuse bad requests with one sentence, before any host is changed. Hosts are
the controller itself (local connection); none of these runs gets past its first check."""

import hashlib
import os

import yaml

from conftest import ROOT

PLAYBOOKS = os.path.join(ROOT, "playbooks")


def inventory(tmp_path, etcd=("cp1",), control_plane=("cp1",), workers=("w1",)):
    hosts = sorted(set(etcd) | set(control_plane) | set(workers))
    data = {"all": {"hosts": {name: {"ansible_connection": "local", "node_ip": "10.0.0.%d" % (index + 1)}
                              for index, name in enumerate(hosts)},
                    "children": {"etcd": {"hosts": {name: None for name in etcd}},
                                 "kube_control_plane": {"hosts": {name: None for name in control_plane}},
                                 "kube_node": {"hosts": {name: None for name in workers}}}}}
    folder = tmp_path / "inventory"
    folder.mkdir()
    (folder / "hosts.yml").write_text(yaml.safe_dump(data))
    return str(folder)


def flat(text):
    return " ".join(text.split())


def refused(run_playbook, playbook, extra, inv):
    rc, out = run_playbook(os.path.join(PLAYBOOKS, playbook), extra, inventory=inv)
    assert rc != 0, out
    return flat(out)


def test_remove_node_needs_names(tmp_path, run_playbook):
    out = refused(run_playbook, "remove-node.yml", {}, inventory(tmp_path))
    assert "Name the hosts to remove: -e remove_nodes=host1[,host2]." in out, out
    assert "Read the members and their health" not in out


def test_remove_node_refuses_unknown_host(tmp_path, run_playbook):
    out = refused(run_playbook, "remove-node.yml", {"remove_nodes": "w1,w9"}, inventory(tmp_path))
    assert "remove_nodes names hosts not in the inventory: w9." in out, out


def test_remove_node_needs_its_confirmation(tmp_path, run_playbook):
    out = refused(run_playbook, "remove-node.yml", {"remove_nodes": "w1"}, inventory(tmp_path))
    assert ("The removal of w1 was not confirmed; nothing was changed. Type the names when asked, or run with "
            "-e remove_confirm=true.") in out, out
    assert "Read the members and their health" not in out and "Cordon and drain" not in out


def test_remove_node_refuses_the_last_control_plane(tmp_path, run_playbook):
    out = refused(run_playbook, "remove-node.yml", {"remove_nodes": "cp1"}, inventory(tmp_path))
    assert "Removing cp1 would leave the cluster with no control-plane host; refused." in out, out
    assert "Cordon and drain" not in out


def test_remove_node_refuses_the_last_etcd_members(tmp_path, run_playbook):
    inv = inventory(tmp_path, etcd=("e1", "e2"), control_plane=("cp1",))
    out = refused(run_playbook, "remove-node.yml", {"remove_nodes": ["e1", "e2"]}, inv)
    assert "Removing e1, e2 would leave no etcd member; refused." in out, out


def test_reset_needs_its_confirmation(tmp_path, run_playbook):
    out = refused(run_playbook, "reset.yml", {}, inventory(tmp_path, workers=()))
    assert "Run it with -e reset_confirm=true to go ahead." in out, out
    assert "Stop, disable and remove the collection's units" not in out


def test_restore_needs_a_snapshot_named(tmp_path, run_playbook):
    out = refused(run_playbook, "etcd-restore.yml", {}, inventory(tmp_path))
    assert "Name the snapshot to restore: etcd_restore_snapshot=<file on the controller>, or latest" in out, out
    assert "Stop kube-apiserver" not in out


def test_restore_refuses_a_snapshot_that_does_not_match_its_sum(tmp_path, run_playbook):
    snapshot = tmp_path / "etcd-snapshot-20261123T000000Z.db"
    snapshot.write_bytes(b"not the saved snapshot")
    (tmp_path / (snapshot.name + ".sha256")).write_text(
        hashlib.sha256(b"the saved snapshot").hexdigest() + "  " + snapshot.name + "\n")
    out = refused(run_playbook, "etcd-restore.yml", {"etcd_restore_snapshot": str(snapshot)}, inventory(tmp_path))
    assert "does not match the sha256 in %s.sha256; nothing was changed." % snapshot in out, out
    assert "Stop kube-apiserver" not in out


def test_restore_latest_with_no_snapshot_is_named(tmp_path, run_playbook):
    out = refused(run_playbook, "etcd-restore.yml", {"etcd_restore_snapshot": "latest"}, inventory(tmp_path))
    assert "No snapshot to restore:" in out and "etcd-backups/etcd-snapshot-*.db or its .sha256 file does not exist." in out, out
