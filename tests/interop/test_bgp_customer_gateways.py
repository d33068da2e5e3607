"""Each routing daemon (GoBGP, BIRD, FRR) as the customer gateway of a VPN, to a virtual
private gateway and to a transit gateway, through the same scenario: both tunnels
establish; the daemon's prefixes reach the VPC route table or the transit gateway route
table; it learns the VPC's CIDR with the Amazon side ASN; a withdrawn prefix goes;
stopping the peer on tunnel 1 marks it DOWN while tunnel 2 keeps the routes; a 101st
prefix brings the session down."""

from __future__ import annotations

import itertools

import pytest

from harness.bgp_peers import GATEWAYS, wait_until
from interop import vpn_setup

pytestmark = pytest.mark.deadline(180)

_cases = itertools.count()


@pytest.mark.parametrize("gateway", ["vgw", "tgw"])
@pytest.mark.parametrize("daemon", sorted(GATEWAYS))
def test_customer_gateway(landbridge, ec2, bgp_daemons, daemon, gateway):
    i = next(_cases)
    customer_asn, amazon_asn = 65100 + i, 64600 + i
    vpc_cidr = f"10.{100 + i}.0.0/16"
    locals_ = [f"127.0.{40 + i}.1", f"127.0.{40 + i}.2"]
    if gateway == "vgw":
        vpn = vpn_setup.vgw_vpn(ec2, vpc_cidr, customer_asn, locals_[0], amazon_asn=amazon_asn)

        def routes() -> set[str]:
            return vpn_setup.propagated_routes(ec2, vpn)
    else:
        vpn = vpn_setup.tgw_vpn(ec2, vpc_cidr, customer_asn, locals_[0], amazon_asn=amazon_asn)

        def routes() -> set[str]:
            return vpn_setup.tgw_routes_via_vpn(ec2, vpn)

    t1, t2 = vpn.tunnels
    cgw = GATEWAYS[daemon](customer_asn, locals_, vpn.tunnels, amazon_asn).start()
    try:
        cgw.set_prefixes(["192.0.2.0/24"])
        wait_until(lambda: cgw.established() == 2, what=f"{daemon}: both sessions Established")
        wait_until(lambda: routes() == {"192.0.2.0/24"}, what="the customer prefix routed")
        tele = vpn_setup.telemetry(ec2, vpn)
        assert [(tele[t]["Status"], tele[t]["AcceptedRouteCount"]) for t in (t1, t2)] == [("UP", 1), ("UP", 1)]

        paths = wait_until(lambda: cgw.received().get(vpc_cidr), what=f"{vpc_cidr} at {daemon}")
        assert set(paths) == {str(amazon_asn)}, paths
        assert len(paths) == 2  # one path per tunnel

        cgw.set_prefixes(["192.0.2.0/24", "198.51.100.0/24"])
        wait_until(lambda: routes() == {"192.0.2.0/24", "198.51.100.0/24"}, what="a second prefix")
        cgw.set_prefixes(["192.0.2.0/24"])
        wait_until(lambda: routes() == {"192.0.2.0/24"}, what="the second prefix withdrawn")

        cgw.stop_tunnel(0)
        wait_until(lambda: vpn_setup.telemetry(ec2, vpn)[t1]["Status"] == "DOWN", what="tunnel 1 DOWN")
        assert vpn_setup.telemetry(ec2, vpn)[t2]["Status"] == "UP"
        assert routes() == {"192.0.2.0/24"}

        cgw.set_prefixes([f"172.16.{n}.0/24" for n in range(101)])

        def brought_down():
            t = vpn_setup.telemetry(ec2, vpn)[t2]
            return t["Status"] == "DOWN" and t["StatusMessage"]

        message = wait_until(brought_down, what="tunnel 2 brought down by the prefix limit")
        assert "more than 100 prefixes" in message, message
        wait_until(lambda: not routes(), what="no routes left")
    finally:
        cgw.stop()
