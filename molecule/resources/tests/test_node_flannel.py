"""Host state of a node with the default pod network, flannel (vxlan), as the flannel role leaves it."""

import json


def lease(host):
    env = dict(line.split("=", 1) for line in host.file("/run/flannel/subnet.env").content_string.split() if "=" in line)
    assert env["FLANNEL_NETWORK"] == "10.200.0.0/16"
    return env


def test_flanneld_enabled_and_running(host):
    service = host.service("flanneld")
    assert service.is_enabled
    assert service.is_running


def test_vxlan_device_flannel_1(host):
    link = host.check_output("ip -d link show flannel.1")
    assert "vxlan id 1 " in link and "dstport 8472" in link, link
    # Its address is the first of this node's subnet (the /32 form flanneld gives it).
    subnet = lease(host)["FLANNEL_SUBNET"].split("/")[0]
    network = subnet.rsplit(".", 1)[0] + ".0/32"
    assert network in host.check_output("ip -4 addr show flannel.1")


def test_cni_network_on_the_leased_subnet(host):
    env = lease(host)
    conflist = json.loads(host.file("/etc/cni/net.d/10-flannel.conflist").content_string)
    bridge = conflist["plugins"][0]
    assert bridge["type"] == "bridge" and bridge["ipMasq"] is False and bridge["hairpinMode"] is True
    assert bridge["mtu"] == int(env["FLANNEL_MTU"]) == 1450
    assert bridge["ipam"]["ranges"][0][0]["subnet"] == env["FLANNEL_SUBNET"].rsplit(".", 1)[0] + ".0/24"


def test_routes_to_the_other_nodes_subnets_over_flannel_1(host):
    own = lease(host)["FLANNEL_SUBNET"].rsplit(".", 1)[0] + ".0/24"
    routes = host.check_output("ip -4 route show dev flannel.1").splitlines()
    assert routes, "no routes over flannel.1"
    assert own not in " ".join(routes)
    for route in routes:
        assert route.startswith("10.200.") and "onlink" in route, route
