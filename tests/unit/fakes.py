"""A scripted stand-in for TlsHttpClient: answers by URL, or raises."""

import json

from ansible_collections.fromscratch.kubernetes.plugins.module_utils.tls_http import HttpResponse


class FakeHttp:
    def __init__(self, routes):
        # routes: {url: (status, payload) or Exception}
        self.routes = routes
        self.calls = []

    def _answer(self, method, url, payload=None):
        self.calls.append((method, url, payload))
        answer = self.routes[url]
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        return HttpResponse(url, status, json.dumps(body).encode())

    def get(self, url):
        return self._answer("GET", url)

    def post_json(self, url, payload):
        return self._answer("POST", url, payload)


def member(ep, member_id, leader_id, name, raft_term=2, version="3.4.23"):
    """Routes for one healthy member at endpoint ep."""
    return {
        ep + "/health": (200, {"health": "true"}),
        ep + "/v3/maintenance/status": (200, {
            "header": {"cluster_id": "14841639068965178418", "member_id": str(member_id),
                       "revision": "5", "raft_term": str(raft_term)},
            "version": version, "dbSize": "20480", "leader": str(leader_id),
            "raftIndex": "12", "raftTerm": str(raft_term), "raftAppliedIndex": "12",
        }),
    }


IDS = {"etcd1": 10276657743932975437, "etcd2": 10501334649042878790, "etcd3": 18249187646912138824}
EPS = {"etcd1": "https://10.0.0.11:2379", "etcd2": "https://10.0.0.12:2379", "etcd3": "https://10.0.0.13:2379"}


def member_list(names=("etcd1", "etcd2", "etcd3")):
    return (200, {"header": {}, "members": [
        {"ID": str(IDS[n]), "name": n, "peerURLs": [EPS[n].replace("2379", "2380")], "clientURLs": [EPS[n]]}
        for n in names]})


def healthy_cluster(leader="etcd2"):
    routes = {}
    for name, ep in EPS.items():
        routes.update(member(ep, IDS[name], IDS[leader], name))
        routes[ep + "/v3/cluster/member/list"] = member_list()
        routes[ep + "/v3/maintenance/alarm"] = (200, {"header": {}})
    return routes


def run_module_file(module_file, args, tmp_path, collections):
    """Run a module file as Ansible would, with its arguments in a file; returns (result, process)."""
    import os
    import subprocess
    import sys

    args_file = tmp_path / "args.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    env = dict(os.environ, PYTHONPATH=collections)
    proc = subprocess.run([sys.executable, module_file, str(args_file)], capture_output=True,
                          text=True, env=env, timeout=60, check=False)
    return json.loads(proc.stdout), proc
