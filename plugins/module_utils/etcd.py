# -*- coding: utf-8 -*-
# Copyright: fromscratch.kubernetes contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""etcd health over the v3 JSON gateway (``/health``, ``/v3/maintenance/status``,
``/v3/cluster/member/list``, ``/v3/maintenance/alarm``).

The gateway encodes 64-bit integers as decimal strings; member IDs are reported here in hex, the
way ``etcdctl`` prints them.
"""

from __future__ import annotations

import time

from ansible_collections.fromscratch.kubernetes.plugins.module_utils.tls_http import TlsHttpError


def to_int(value, default=0):
    """Gateway integers arrive as strings (uint64) or are absent when zero."""
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def member_hex(value):
    """Decimal member ID string from the gateway -> hex string as etcdctl prints it."""
    number = to_int(value, None)
    return None if number is None else "%x" % number


def sentence(text):
    """End a message with a full stop so messages can be joined."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def normalize_endpoint(endpoint):
    endpoint = endpoint.strip().rstrip("/")
    if "://" not in endpoint:
        endpoint = "https://" + endpoint
    return endpoint


def parse_health(data):
    """``/health`` answers ``{"health": "true"}`` (3.4) or adds ``"reason"`` (3.5+)."""
    value = data.get("health")
    healthy = value is True or str(value).lower() == "true"
    return healthy, data.get("reason") or None


def parse_status(data):
    header = data.get("header") or {}
    member_id = member_hex(header.get("member_id"))
    leader_id = member_hex(data.get("leader"))
    return {
        "version": data.get("version"),
        "db_size": to_int(data.get("dbSize")),
        "db_size_in_use": to_int(data.get("dbSizeInUse")),
        "raft_index": to_int(data.get("raftIndex")),
        "raft_term": to_int(data.get("raftTerm")),
        "raft_applied_index": to_int(data.get("raftAppliedIndex")),
        "revision": to_int(header.get("revision")),
        "cluster_id": member_hex(header.get("cluster_id")),
        "member_id": member_id,
        "leader_id": leader_id,
        "is_leader": member_id is not None and member_id == leader_id,
        "is_learner": bool(data.get("isLearner", False)),
        "errors": list(data.get("errors") or []),
    }


def parse_members(data):
    members = []
    for item in data.get("members") or []:
        members.append({
            "id": member_hex(item.get("ID")),
            "name": item.get("name") or "",
            "peer_urls": list(item.get("peerURLs") or []),
            "client_urls": list(item.get("clientURLs") or []),
            "is_learner": bool(item.get("isLearner", False)),
            # A member added but never started has no name and no client URLs.
            "started": bool(item.get("name")),
        })
    return sorted(members, key=lambda m: m["name"] or m["id"] or "")


ALARM_NAMES = {"NOSPACE": "NOSPACE", "CORRUPT": "CORRUPT", "1": "NOSPACE", "2": "CORRUPT"}


def parse_alarms(data):
    alarms = []
    for item in data.get("alarms") or []:
        kind = str(item.get("alarm", "NONE"))
        alarms.append({"member_id": member_hex(item.get("memberID")), "alarm": ALARM_NAMES.get(kind, kind)})
    return alarms


class EtcdEndpoint:
    """One etcd client URL, queried through a ``TlsHttpClient``."""

    def __init__(self, url, http):
        self.url = normalize_endpoint(url)
        self.http = http

    def _post(self, path, payload=None):
        resp = self.http.post_json(self.url + path, payload or {})
        if resp.status != 200:
            raise TlsHttpError(
                "%s%s answered HTTP %s: %s" % (self.url, path, resp.status, resp.text.strip()[:200]),
                url=self.url,
                kind="http",
            )
        return resp.json()

    def probe(self):
        """Query one endpoint; never raises: errors land in the result as a sentence."""
        result = {
            "endpoint": self.url,
            "reachable": False,
            "healthy": False,
            "error": None,
        }
        try:
            resp = self.http.get(self.url + "/health")
            result["reachable"] = True
            health_data = resp.json() if resp.text.strip() else {}
            healthy, reason = parse_health(health_data)
            if resp.status not in (200, 503):
                raise TlsHttpError(
                    "%s/health answered HTTP %s: %s" % (self.url, resp.status, resp.text.strip()[:200]),
                    url=self.url,
                    kind="http",
                )
            result.update(parse_status(self._post("/v3/maintenance/status")))
            result["healthy"] = healthy
            if not healthy:
                result["error"] = "%s reports itself unhealthy%s" % (
                    self.url, (": " + reason) if reason else " (no leader, or an alarm is raised)")
        except TlsHttpError as exc:
            result["error"] = str(exc)
        return result

    def members(self):
        return parse_members(self._post("/v3/cluster/member/list"))

    def alarms(self):
        return parse_alarms(self._post("/v3/maintenance/alarm", {"action": "GET"}))


class EtcdHealth:
    """Health of a cluster seen through a list of endpoints."""

    def __init__(self, endpoints, http, expected_members=None):
        self.endpoints = [EtcdEndpoint(e, http) for e in endpoints]
        self.expected_members = expected_members

    def check(self):
        probes = [ep.probe() for ep in self.endpoints]
        members, alarms = [], []
        problems = [sentence(p["error"]) for p in probes if p["error"]]
        answering = [ep for ep, p in zip(self.endpoints, probes) if p.get("member_id")]
        for ep in answering:
            try:
                members = ep.members()
                alarms = ep.alarms()
                break
            except TlsHttpError as exc:
                problems.append(sentence(str(exc)))
        else:
            if not answering:
                problems.append("No endpoint answered, so the member list and alarms are unknown.")

        names = dict((m["id"], m["name"]) for m in members)
        for probe in probes:
            if probe.get("member_id"):
                probe["name"] = names.get(probe["member_id"], "")
        leader_ids = sorted(set(p["leader_id"] for p in probes if p.get("leader_id") and p.get("leader_id") != "0"))
        leaders = [p for p in probes if p.get("is_leader")]
        leader_id = leader_ids[0] if len(leader_ids) == 1 else None
        if len(leader_ids) > 1:
            problems.append("Endpoints disagree on the leader: %s." % ", ".join(leader_ids))
        elif not leader_ids and answering:
            problems.append("No endpoint knows a leader: the cluster has no quorum.")
        if len(leaders) > 1:
            problems.append("More than one endpoint claims to be the leader: %s."
                            % ", ".join(p["endpoint"] for p in leaders))
        for alarm in alarms:
            problems.append("Alarm %s is raised on member %s." % (alarm["alarm"], alarm["member_id"]))
        unstarted = [m["id"] for m in members if not m["started"]]
        if unstarted:
            problems.append("Members %s were added but never started." % ", ".join(unstarted))
        if self.expected_members is not None and members and len(members) != self.expected_members:
            problems.append("The cluster has %d members, %d were expected."
                            % (len(members), self.expected_members))

        return {
            "healthy": not problems,
            "leader": names.get(leader_id) if leader_id else None,
            "leader_id": leader_id,
            "cluster_id": next((p["cluster_id"] for p in probes if p.get("cluster_id")), None),
            "endpoints": probes,
            "members": members,
            "alarms": alarms,
            "problems": problems,
        }


def wait_for_health(check, timeout, interval=2.0, clock=time.monotonic, sleep=time.sleep):
    """Call ``check()`` until its result is healthy or ``timeout`` seconds pass; return the last
    result and the number of attempts."""
    deadline = clock() + timeout
    attempts = 0
    while True:
        attempts += 1
        result = check()
        if result["healthy"] or clock() + interval > deadline:
            return result, attempts
        sleep(interval)
