"""BIRD as the customer gateway of a VPN attached to a transit gateway: its prefixes
reach the transit gateway route table, it learns the attached VPC's CIDR, and a 101st
prefix brings the session down as AWS's limit does."""

from __future__ import annotations

import pytest

from harness.bgp_peers import Bird, wait_until
from interop import vpn_setup

pytestmark = pytest.mark.deadline(180)

CUSTOMER_ASN = 65002


def test_transit_gateway_routes_and_the_prefix_limit(landbridge, ec2, bgp_daemons):
    vpn = vpn_setup.tgw_vpn(ec2, "10.62.0.0/16", CUSTOMER_ASN, "127.0.0.71")
    t1, t2 = vpn.tunnels
    bird = Bird(CUSTOMER_ASN, "127.0.0.71", [t1, t2], 64513, prefixes=["203.0.113.0/24"]).start()
    try:
        wait_until(lambda: bird.states() == {"tunnel1": "Established", "tunnel2": "Established"}, what="both sessions Established")
        wait_until(lambda: vpn_setup.tgw_routes_via_vpn(ec2, vpn) == {"203.0.113.0/24"}, what="203.0.113.0/24 in the TGW table")
        tele = vpn_setup.telemetry(ec2, vpn)
        assert [tele[t]["Status"] for t in (t1, t2)] == ["UP", "UP"]
        assert [tele[t]["AcceptedRouteCount"] for t in (t1, t2)] == [1, 1]

        # BIRD learned the VPC's CIDR from the transit gateway route table, not its own prefix back.
        wait_until(lambda: bird.received("tunnel1") == ["10.62.0.0/16"], what="the VPC CIDR at BIRD")
        route = bird.birdc("show", "route", "10.62.0.0/16", "all")
        assert "BGP.as_path: 64513" in route, route

        # Withdrawn at BIRD, gone from the transit gateway.
        bird.set_prefixes(["198.51.100.0/24"])
        wait_until(lambda: vpn_setup.tgw_routes_via_vpn(ec2, vpn) == {"198.51.100.0/24"}, what="the replaced prefix")

        # 101 prefixes: over AWS's limit of 100, the session is brought down.
        bird.set_prefixes([f"172.16.{i}.0/24" for i in range(101)])
        wait_until(lambda: vpn_setup.telemetry(ec2, vpn)[t1]["Status"] == "DOWN", what="tunnel 1 DOWN")
        message = vpn_setup.telemetry(ec2, vpn)[t1]["StatusMessage"]
        assert "more than 100 prefixes" in message, message
        assert not vpn_setup.tgw_routes_via_vpn(ec2, vpn)
        info = bird.info("tunnel1")
        assert "Received: Maximum number of prefixes reached" in info, info
    finally:
        bird.stop()
