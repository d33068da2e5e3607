"""FRR's bgpd as the customer gateway of a VPN: what the common scenario
(test_bgp_customer_gateways.py) does not cover: a 4-byte Amazon side ASN, route refresh."""

from __future__ import annotations

import json

import pytest

from harness.bgp_peers import Frr, wait_until
from interop import vpn_setup

pytestmark = pytest.mark.deadline(180)

CUSTOMER_ASN = 65003


def test_frr_peers_learns_the_vpc_and_propagates_its_networks(landbridge, ec2, bgp_daemons):
    vpn = vpn_setup.vgw_vpn(ec2, "10.63.0.0/16", CUSTOMER_ASN, "127.0.0.81", amazon_asn=4200000001)
    t1, _ = vpn.tunnels
    frr = Frr(CUSTOMER_ASN, "127.0.0.81", [t1], 4200000001, ["203.0.113.0/24"]).start()
    try:
        wait_until(lambda: frr.state() == "Established", what="FRR Established")
        wait_until(lambda: vpn_setup.propagated_routes(ec2, vpn) == {"203.0.113.0/24"}, what="203.0.113.0/24 propagated")
        assert vpn_setup.telemetry(ec2, vpn)[t1]["StatusMessage"] == "1 BGP ROUTES"

        # A 4-byte Amazon side ASN reaches FRR intact.
        paths = wait_until(lambda: frr.received().get("10.63.0.0/16"), what="the VPC CIDR at FRR")
        assert paths[0]["path"] == "4200000001", paths

        # A route refresh (RFC 2918) from FRR makes Landbridge send its routes again.
        def stats():
            return json.loads(frr.vtysh(f"show bgp neighbors {t1} json"))[t1]["messageStats"]

        before = stats()
        frr.vtysh(f"clear bgp ipv4 unicast {t1} soft in")
        after = wait_until(lambda: (s := stats())["updatesRecv"] > before["updatesRecv"] and s, what="UPDATEs after the refresh")
        assert after["routeRefreshSent"] > before["routeRefreshSent"]
        assert "10.63.0.0/16" in frr.received()

        frr.set_network("198.51.100.0/24", True)
        wait_until(
            lambda: vpn_setup.propagated_routes(ec2, vpn) == {"203.0.113.0/24", "198.51.100.0/24"},
            what="a network added at FRR",
        )
        frr.set_network("203.0.113.0/24", False)
        wait_until(lambda: vpn_setup.propagated_routes(ec2, vpn) == {"198.51.100.0/24"}, what="a network removed at FRR")
    finally:
        frr.stop()
