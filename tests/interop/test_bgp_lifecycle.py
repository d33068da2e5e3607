"""Speakers follow the stored state: they come back after a restart (and the customer
gateway's session with them), and deleting the VPN connection stops them."""

from __future__ import annotations

import json

import pytest

from harness.bgp_peers import Bird, wait_until
from harness.landbridge import LandbridgeServer, landbridge_binary
from interop import vpn_setup
from interop.conftest import ec2_client

pytestmark = pytest.mark.deadline(180)


def bgp_endpoints(server: LandbridgeServer) -> set[tuple[str, str, int]]:
    _, _, body = server.raw_request("GET", "/_landbridge/endpoints")
    return {(e["resource_id"], e["address"], e["port"]) for e in json.loads(body)["endpoints"] if e["protocol"] == "bgp"}


def test_speakers_survive_a_restart_and_stop_with_their_connection(tmp_path, bgp_daemons):
    args = ("--fabric-pool", "127.120.0.0/16")
    server = LandbridgeServer(landbridge_binary(), extra_args=args, data_dir=tmp_path).start()
    bird = None
    try:
        ec2 = ec2_client(server)
        vpn = vpn_setup.vgw_vpn(ec2, "10.65.0.0/16", 65006, "127.0.0.101")
        expected = {(vpn.vpn_id, t, 179) for t in vpn.tunnels}
        wait_until(lambda: bgp_endpoints(server) == expected, what="both speakers listening")
        server.stop()

        server = LandbridgeServer(landbridge_binary(), extra_args=args, data_dir=tmp_path).start()
        ec2 = ec2_client(server)
        wait_until(lambda: bgp_endpoints(server) == expected, what="both speakers back after the restart")
        # Nothing is up until a session is.
        assert {t["Status"] for t in vpn_setup.telemetry(ec2, vpn).values()} == {"DOWN"}

        bird = Bird(65006, "127.0.0.101", vpn.tunnels, 64512, prefixes=["192.0.2.0/24"]).start()
        wait_until(lambda: vpn_setup.propagated_routes(ec2, vpn) == {"192.0.2.0/24"}, what="the route after the restart")

        ec2.delete_vpn_connection(VpnConnectionId=vpn.vpn_id)
        wait_until(lambda: not bgp_endpoints(server), what="the speakers gone with the connection")
        wait_until(lambda: "Established" not in bird.states().values(), what="BIRD's sessions closed")
        assert not vpn_setup.propagated_routes(ec2, vpn)
    finally:
        if bird:
            bird.stop()
        server.close()
