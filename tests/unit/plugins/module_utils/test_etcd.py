"""Parsing and verdicts of module_utils/etcd.py, against recorded gateway answers (no network)."""

import pytest

from ansible_collections.fromscratch.kubernetes.plugins.module_utils import etcd
from ansible_collections.fromscratch.kubernetes.plugins.module_utils.tls_http import TlsHttpError

from fakes import EPS, IDS, FakeHttp, healthy_cluster, member_list


def test_member_ids_are_hex_like_etcdctl():
    assert etcd.member_hex("10276657743932975437") == "8e9e05c52164694d"
    assert etcd.member_hex(None) is None
    assert etcd.member_hex("not a number") is None


@pytest.mark.parametrize("raw,expected", [
    ("10.0.0.1:2379", "https://10.0.0.1:2379"),
    ("https://10.0.0.1:2379/", "https://10.0.0.1:2379"),
    (" http://127.0.0.1:2379 ", "http://127.0.0.1:2379"),
])
def test_endpoints_are_normalized(raw, expected):
    assert etcd.normalize_endpoint(raw) == expected


@pytest.mark.parametrize("data,healthy,reason", [
    ({"health": "true"}, True, None),
    ({"health": "false"}, False, None),
    ({"health": "false", "reason": "RAFT NO LEADER"}, False, "RAFT NO LEADER"),
    ({}, False, None),
])
def test_health_answers_of_34_and_35(data, healthy, reason):
    assert etcd.parse_health(data) == (healthy, reason)


def test_status_turns_gateway_strings_into_numbers():
    status = etcd.parse_status({
        "header": {"cluster_id": "14841639068965178418", "member_id": "10276657743932975437", "revision": "7"},
        "version": "3.4.23", "dbSize": "24576", "leader": "10276657743932975437",
        "raftIndex": "9", "raftTerm": "3",
    })
    assert status["db_size"] == 24576
    assert status["raft_index"] == 9
    assert status["raft_term"] == 3
    assert status["raft_applied_index"] == 0  # absent in 3.4 answers
    assert status["is_leader"] is True
    assert status["member_id"] == "8e9e05c52164694d"
    assert status["cluster_id"] == "cdf818194e3a8c32"


def test_members_sorted_with_urls_and_unstarted_flagged():
    members = etcd.parse_members({"members": [
        {"ID": "2", "name": "b", "peerURLs": ["https://b:2380"], "clientURLs": ["https://b:2379"]},
        {"ID": "1", "name": "a", "peerURLs": ["https://a:2380"], "clientURLs": ["https://a:2379"]},
        {"ID": "3", "peerURLs": ["https://c:2380"]},
    ]})
    assert [m["id"] for m in members] == ["3", "1", "2"]
    assert members[1] == {"id": "1", "name": "a", "peer_urls": ["https://a:2380"],
                          "client_urls": ["https://a:2379"], "is_learner": False, "started": True}
    assert members[0]["started"] is False


def test_alarms_by_name_or_number():
    assert etcd.parse_alarms({"alarms": [{"memberID": "255", "alarm": "NOSPACE"}, {"memberID": "1", "alarm": 2}]}) == [
        {"member_id": "ff", "alarm": "NOSPACE"}, {"member_id": "1", "alarm": "CORRUPT"}]
    assert etcd.parse_alarms({"header": {}}) == []


def check(routes, expected=None):
    return etcd.EtcdHealth(list(EPS.values()), FakeHttp(routes), expected_members=expected).check()


def test_healthy_cluster_has_one_leader_and_names():
    result = check(healthy_cluster(leader="etcd2"), expected=3)
    assert result["healthy"], result["problems"]
    assert result["leader"] == "etcd2"
    assert result["leader_id"] == "%x" % IDS["etcd2"]
    assert [e["is_leader"] for e in result["endpoints"]] == [False, True, False]
    assert [e["name"] for e in result["endpoints"]] == ["etcd1", "etcd2", "etcd3"]
    assert len(result["members"]) == 3
    assert result["alarms"] == []


def test_refused_member_is_reported_and_cluster_unhealthy():
    routes = healthy_cluster()
    routes[EPS["etcd3"] + "/health"] = TlsHttpError("Connection refused by https://10.0.0.13:2379: nothing listens there")
    result = check(routes)
    assert not result["healthy"]
    assert result["leader"] == "etcd2"  # the other two still agree
    bad = result["endpoints"][2]
    assert bad["reachable"] is False and bad["healthy"] is False
    assert bad["error"].startswith("Connection refused by https://10.0.0.13:2379")
    assert any("Connection refused" in p for p in result["problems"])


def test_disagreeing_leaders_are_a_problem():
    routes = healthy_cluster(leader="etcd1")
    key = EPS["etcd3"] + "/v3/maintenance/status"
    routes[key] = healthy_cluster(leader="etcd3")[key]
    result = check(routes)
    assert not result["healthy"]
    assert result["leader"] is None
    assert any("disagree on the leader" in p for p in result["problems"])
    assert any("More than one endpoint claims to be the leader" in p for p in result["problems"])


def test_no_leader_means_no_quorum():
    routes = healthy_cluster()
    for ep in EPS.values():
        status = routes[ep + "/v3/maintenance/status"][1]
        status["leader"] = "0"
        routes[ep + "/health"] = (503, {"health": "false"})
    result = check(routes)
    assert not result["healthy"]
    assert any("no quorum" in p for p in result["problems"])
    assert all("reports itself unhealthy" in e["error"] for e in result["endpoints"])


def test_alarm_makes_cluster_unhealthy():
    routes = healthy_cluster()
    routes[EPS["etcd1"] + "/v3/maintenance/alarm"] = (200, {"alarms": [{"memberID": str(IDS["etcd1"]), "alarm": "NOSPACE"}]})
    result = check(routes)
    assert not result["healthy"]
    assert result["alarms"] == [{"member_id": "%x" % IDS["etcd1"], "alarm": "NOSPACE"}]
    assert any("NOSPACE" in p for p in result["problems"])


def test_member_count_must_match_when_expected():
    routes = healthy_cluster()
    routes[EPS["etcd1"] + "/v3/cluster/member/list"] = member_list(("etcd1", "etcd2"))
    result = check(routes, expected=3)
    assert any("2 members, 3 were expected" in p for p in result["problems"])


def test_nothing_answers():
    routes = {ep + "/health": TlsHttpError("Timed out after 5s talking to " + ep) for ep in EPS.values()}
    result = check(routes)
    assert not result["healthy"]
    assert result["members"] == [] and result["leader"] is None
    assert any("No endpoint answered" in p for p in result["problems"])


def test_http_error_from_gateway_becomes_a_sentence():
    routes = healthy_cluster()
    routes[EPS["etcd1"] + "/v3/maintenance/status"] = (404, {"error": "Not Found"})
    result = check(routes)
    assert "answered HTTP 404" in result["endpoints"][0]["error"]


def test_wait_retries_until_healthy():
    answers = iter([{"healthy": False}, {"healthy": False}, {"healthy": True}])
    now = [0.0]
    result, attempts = etcd.wait_for_health(lambda: next(answers), timeout=10, interval=2,
                                            clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    assert result["healthy"] and attempts == 3


def test_wait_gives_up_at_the_deadline():
    now = [0.0]
    result, attempts = etcd.wait_for_health(lambda: {"healthy": False}, timeout=5, interval=2,
                                            clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    assert not result["healthy"] and attempts == 3


def test_no_wait_checks_once():
    result, attempts = etcd.wait_for_health(lambda: {"healthy": False}, timeout=0)
    assert attempts == 1
