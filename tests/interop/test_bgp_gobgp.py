"""GoBGP as the customer gateway of a VPN to a virtual private gateway: one gobgpd
per tunnel, as two routers would be.  Prefixes propagate into the VPC route table,
GoBGP learns the VPC's CIDR, withdrawals and session loss remove routes, and the
other tunnel keeps them."""

from __future__ import annotations

import json
import random
import subprocess

import pytest

from harness.bgp_peers import GoBgp, wait_until
from interop import vpn_setup

pytestmark = pytest.mark.deadline(180)

CUSTOMER_ASN = 65001


def next_hop(landbridge, table: str, ip: str):
    status, _, body = landbridge.raw_request("GET", f"/_landbridge/next-hop?routeTableId={table}&destination={ip}")
    assert status == 200, body
    return json.loads(body)["nextHop"]


def analyse(ec2, eni: str, ip: str) -> dict:
    """A Reachability Analyzer analysis from `eni` to `ip`."""
    path = ec2.create_network_insights_path(
        Source=eni, DestinationIp=ip, Protocol="tcp", ClientToken=str(random.random())
    )["NetworkInsightsPath"]["NetworkInsightsPathId"]
    return ec2.start_network_insights_analysis(NetworkInsightsPathId=path, ClientToken=str(random.random()))[
        "NetworkInsightsAnalysis"
    ]


def test_routes_propagate_withdraw_and_fail_over(landbridge, ec2, bgp_daemons):
    vpn = vpn_setup.vgw_vpn(ec2, "10.61.0.0/16", CUSTOMER_ASN, "127.0.0.61")
    t1, t2 = vpn.tunnels
    subnet = ec2.create_subnet(VpcId=vpn.vpc_id, CidrBlock="10.61.1.0/24")["Subnet"]["SubnetId"]
    ec2.associate_route_table(RouteTableId=vpn.route_table_id, SubnetId=subnet)
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]

    # Each tunnel's speaker is listed where it listens: its outside address, port 179.
    status, _, body = landbridge.raw_request("GET", "/_landbridge/endpoints")
    listed = {(e["address"], e["port"]) for e in json.loads(body)["endpoints"] if e["resource_id"] == vpn.vpn_id}
    assert listed == {(t1, 179), (t2, 179)}
    routers = [GoBgp(CUSTOMER_ASN, local, [tunnel], 64512) for local, tunnel in (("127.0.0.61", t1), ("127.0.0.62", t2))]
    try:
        for r in routers:
            r.start()
            r.announce("192.0.2.0/24")
        wait_until(lambda: all(s["Status"] == "UP" for s in vpn_setup.telemetry(ec2, vpn).values()), what="both tunnels UP")
        for r, tunnel in zip(routers, vpn.tunnels):
            assert r.states() == {tunnel: "established"}

        # Landbridge learned the prefix on both tunnels and propagates it once.
        def each_accepted_one():
            t = vpn_setup.telemetry(ec2, vpn)
            return t if all(s["AcceptedRouteCount"] == 1 for s in t.values()) else None

        tele = wait_until(each_accepted_one, what="one accepted route per tunnel")
        assert {s["StatusMessage"] for s in tele.values()} == {"1 BGP ROUTES"}
        assert vpn_setup.propagated_routes(ec2, vpn) == {"192.0.2.0/24"}

        # Each router learned the VPC's CIDR from Landbridge, with the Amazon side ASN.
        for r in routers:
            received = wait_until(lambda: r.received().get("10.61.0.0/16"), what="the VPC CIDR at GoBGP")
            assert received[0]["attrs"][1]["as_paths"][0]["asns"] == [64512]

        # The analyzer finds the way through the gateway to the VPN connection.
        found = analyse(ec2, eni, "192.0.2.10")
        assert found["NetworkPathFound"] is True, found.get("Explanations")
        assert [h["Component"]["Id"] for h in found["ForwardPathComponents"]][-2:] == [vpn.vgw_id, vpn.vpn_id]

        # A prefix announced and then withdrawn on tunnel 1 comes and goes.
        routers[0].announce("198.51.100.0/24")
        wait_until(lambda: "198.51.100.0/24" in vpn_setup.propagated_routes(ec2, vpn), what="198.51.100.0/24 propagated")
        routers[0].withdraw("198.51.100.0/24")
        wait_until(lambda: "198.51.100.0/24" not in vpn_setup.propagated_routes(ec2, vpn), what="198.51.100.0/24 withdrawn")

        # The router on tunnel 1 stops: tunnel 1 goes DOWN, tunnel 2 keeps the route.
        routers[0].stop()
        wait_until(lambda: vpn_setup.telemetry(ec2, vpn)[t1]["Status"] == "DOWN", what="tunnel 1 DOWN")
        tele = vpn_setup.telemetry(ec2, vpn)
        assert tele[t1]["AcceptedRouteCount"] == 0
        assert tele[t2]["Status"] == "UP"
        assert vpn_setup.propagated_routes(ec2, vpn) == {"192.0.2.0/24"}
        hop = next_hop(landbridge, vpn.route_table_id, "192.0.2.10")
        assert hop["targets"] == [vpn.vgw_id] and hop["kind"] == "propagated", hop

        # Cutting tunnel 2 too leaves no way to the prefix.
        landbridge_world(landbridge, vpn.vpn_id, t2, "down")
        wait_until(lambda: not vpn_setup.propagated_routes(ec2, vpn), what="no propagated routes")
        assert next_hop(landbridge, vpn.route_table_id, "192.0.2.10") is None
        blocked = analyse(ec2, eni, "192.0.2.10")
        assert blocked["NetworkPathFound"] is False
        assert [e["ExplanationCode"] for e in blocked["Explanations"]] == ["NO_ROUTE_TO_DESTINATION"]
        assert vpn_setup.telemetry(ec2, vpn)[t2]["Status"] == "DOWN"
        wait_until(lambda: routers[1].states()[t2] != "established", what="GoBGP sees tunnel 2 go")

        # Restored, the session comes back by itself and the route with it.
        landbridge_world(landbridge, vpn.vpn_id, t2, "up")
        wait_until(lambda: vpn_setup.propagated_routes(ec2, vpn) == {"192.0.2.0/24"}, what="route back via tunnel 2")
    finally:
        for r in routers:
            if r.proc.returncode is None and r.proc.popen is not None:
                r.stop()


def landbridge_world(landbridge, vpn_id: str, outside_ip: str, state: str) -> None:
    """`landbridge world vpn-tunnel`, as a user runs it against the server."""
    result = subprocess.run(
        [str(landbridge.binary), "world", "vpn-tunnel", vpn_id, outside_ip, state, "--endpoint", landbridge.url],
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["state"] == state
