"""Host state of a node with the `routes` pod network, as the routes role leaves it."""

import json


def own_range(host):
    conflist = json.loads(host.file("/etc/cni/net.d/10-bridge.conflist").content_string)
    bridge = conflist["plugins"][0]
    assert bridge["type"] == "bridge" and bridge["ipMasq"] is False and bridge["hairpinMode"] is True
    return bridge["ipam"]["ranges"][0][0]["subnet"]


def test_bridge_network_uses_this_nodes_range(host):
    subnet = own_range(host)
    assert subnet.startswith("10.200.") and subnet.endswith("/24")


def test_routes_to_the_other_nodes_ranges(host):
    # One route per other node (every scenario that runs `routes` has more than one node), via its
    # address on the test-bed network.
    routes = host.check_output("ip -4 route show proto 147").splitlines()
    assert routes, "no routes to the other nodes' ranges"
    assert own_range(host) not in " ".join(routes)
    for route in routes:
        assert route.startswith("10.200.") and " via 10.89." in route, route


def test_pod_routes_unit_enabled_at_boot(host):
    unit = host.service("pod-routes")
    assert unit.is_enabled
    assert host.file("/usr/local/sbin/pod-routes").mode == 0o755


def test_pod_routes_is_in_sync(host):
    assert host.check_output("/usr/local/sbin/pod-routes --dry-run") == ""


def test_masquerade_for_traffic_leaving_the_pod_network(host):
    chain = host.check_output("iptables -t nat -S FROMSCRATCH-POD-MASQ").splitlines()
    assert chain == ["-N FROMSCRATCH-POD-MASQ",
                     "-A FROMSCRATCH-POD-MASQ -d 10.200.0.0/16 -j RETURN",
                     "-A FROMSCRATCH-POD-MASQ -d 224.0.0.0/4 -j RETURN",
                     "-A FROMSCRATCH-POD-MASQ -j MASQUERADE"]
    postrouting = host.check_output("iptables -t nat -S POSTROUTING")
    assert "-A POSTROUTING -s 10.200.0.0/16" in postrouting and "-j FROMSCRATCH-POD-MASQ" in postrouting
