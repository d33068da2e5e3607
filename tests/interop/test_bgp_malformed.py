"""Malformed BGP messages get a NOTIFICATION and a closed session, never a crash;
an UPDATE whose attributes are malformed in a way RFC 7606 contains is treated as a
withdrawal and the session stays up."""

from __future__ import annotations

import socket
import struct

import pytest

from harness.bgp_peers import wait_until
from interop import vpn_setup

pytestmark = pytest.mark.deadline(120)

CUSTOMER_ASN = 65004
AMAZON_ASN = 64512
LOCAL = "127.0.0.91"


def message(kind: int, body: bytes = b"", marker: bytes = b"\xff" * 16) -> bytes:
    return marker + struct.pack("!HB", 19 + len(body), kind) + body


def open_message(asn: int = CUSTOMER_ASN, version: int = 4, hold: int = 90, router_id: str = "10.9.9.9") -> bytes:
    caps = b"\x41\x04" + struct.pack("!I", asn)  # 4-octet AS number
    params = b"\x02" + bytes([len(caps)]) + caps
    body = struct.pack("!BHH4sB", version, min(asn, 23456), hold, socket.inet_aton(router_id), len(params)) + params
    return message(1, body)


def attribute(flags: int, code: int, value: bytes) -> bytes:
    return bytes([flags, code, len(value)]) + value


def update(nlri: str, origin: int = 0, as_path: list[int] = (CUSTOMER_ASN,)) -> bytes:
    net, length = nlri.split("/")
    prefix = bytes([int(length)]) + socket.inet_aton(net)[: (int(length) + 7) // 8]
    segment = bytes([2, len(as_path)]) + b"".join(struct.pack("!I", a) for a in as_path)
    attrs = (
        attribute(0x40, 1, bytes([origin]))
        + attribute(0x40, 2, segment)
        + attribute(0x40, 3, socket.inet_aton(LOCAL))
    )
    return message(2, struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + prefix)


def withdraw(nlri: str) -> bytes:
    net, length = nlri.split("/")
    prefix = bytes([int(length)]) + socket.inet_aton(net)[: (int(length) + 7) // 8]
    return message(2, struct.pack("!H", len(prefix)) + prefix + struct.pack("!H", 0))


class Peer:
    """A hand-driven BGP peer on a raw socket."""

    def __init__(self, tunnel: str):
        self.sock = socket.create_connection((tunnel, 179), timeout=10, source_address=(LOCAL, 0))
        self.buf = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read(self) -> tuple[int, bytes] | None:
        """The next message (type, body), or None once the connection is closed."""
        while True:
            if len(self.buf) >= 19:
                length = struct.unpack("!H", self.buf[16:18])[0]
                if len(self.buf) >= length:
                    kind, body = self.buf[18], self.buf[19:length]
                    self.buf = self.buf[length:]
                    return kind, body
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk

    def notification(self) -> tuple[int, int]:
        """Reads until a NOTIFICATION: its (code, subcode); the connection then closes."""
        while (m := self.read()) is not None:
            if m[0] == 3:
                assert self.read() is None, "the session must close after a NOTIFICATION"
                return m[1][0], m[1][1]
        raise AssertionError("closed without a NOTIFICATION")

    def establish(self) -> None:
        self.send(open_message())
        kinds = []
        while 4 not in kinds:
            m = self.read()
            assert m is not None, "closed before Established"
            kinds.append(m[0])
        assert kinds[0] == 1, kinds  # Landbridge's OPEN, then its KEEPALIVE
        self.send(message(4))

    def close(self) -> None:
        self.sock.close()


def closed(peer: Peer, ec2, vpn) -> None:
    """Closes the peer and waits until Landbridge has seen the session go, so that the
    next test's connection is not refused for this one."""
    peer.close()
    wait_until(lambda: vpn_setup.telemetry(ec2, vpn)[vpn.tunnels[0]]["Status"] == "DOWN", what="the session gone")


@pytest.fixture(scope="module")
def vpn(ec2):
    return vpn_setup.vgw_vpn(ec2, "10.64.0.0/16", CUSTOMER_ASN, LOCAL)


@pytest.mark.parametrize(
    "data, expected",
    [
        (message(4, marker=b"\x00" * 16), (1, 1)),  # connection not synchronized
        (b"\xff" * 16 + struct.pack("!HB", 5000, 4), (1, 2)),  # bad message length
        (message(9), (1, 3)),  # bad message type
        (open_message(version=3), (2, 1)),  # unsupported version
        (open_message(asn=65099), (2, 2)),  # bad peer AS
        (open_message(hold=2), (2, 6)),  # unacceptable hold time
        (update("192.0.2.0/24"), (5, 1)),  # UPDATE in OpenSent
    ],
    ids=["marker", "length", "type", "version", "peer-as", "hold-time", "fsm"],
)
def test_malformed_messages_get_a_notification(vpn, ec2, data, expected):
    peer = Peer(vpn.tunnels[0])
    try:
        peer.send(data)
        assert peer.notification() == expected
    finally:
        peer.close()
    assert vpn_setup.telemetry(ec2, vpn)[vpn.tunnels[0]]["Status"] == "DOWN"


def test_a_malformed_attribute_list_resets_the_session(vpn, ec2):
    peer = Peer(vpn.tunnels[0])
    try:
        peer.establish()
        wait_until(lambda: vpn_setup.telemetry(ec2, vpn)[vpn.tunnels[0]]["Status"] == "UP", what="tunnel UP")
        # The path attribute length runs past the end of the message.
        peer.send(message(2, struct.pack("!HH", 0, 200) + b"\x40\x01\x01\x00"))
        assert peer.notification()[0] == 3
        wait_until(lambda: vpn_setup.telemetry(ec2, vpn)[vpn.tunnels[0]]["Status"] == "DOWN", what="tunnel DOWN")
    finally:
        closed(peer, ec2, vpn)


def test_an_invalid_origin_is_treated_as_withdraw(vpn, ec2):
    peer = Peer(vpn.tunnels[0])
    try:
        peer.establish()
        peer.send(update("192.0.2.0/24"))
        wait_until(lambda: vpn_setup.propagated_routes(ec2, vpn) == {"192.0.2.0/24"}, what="192.0.2.0/24 accepted")
        # ORIGIN 7 does not exist: the route is withdrawn, the session stays up.
        peer.send(update("192.0.2.0/24", origin=7))
        wait_until(lambda: not vpn_setup.propagated_routes(ec2, vpn), what="192.0.2.0/24 withdrawn")
        # A path that holds the Amazon side ASN would loop: not accepted either.
        peer.send(update("198.51.100.0/24", as_path=[CUSTOMER_ASN, AMAZON_ASN]))
        peer.send(update("203.0.113.0/24"))
        wait_until(lambda: vpn_setup.propagated_routes(ec2, vpn) == {"203.0.113.0/24"}, what="only 203.0.113.0/24")
        tele = vpn_setup.telemetry(ec2, vpn)[vpn.tunnels[0]]
        assert (tele["Status"], tele["AcceptedRouteCount"]) == ("UP", 1)
    finally:
        closed(peer, ec2, vpn)


def test_the_last_word_on_a_prefix_wins_within_a_burst(vpn, ec2):
    """Announce, withdraw and announce another prefix in one write: what Landbridge keeps
    is the end state, whatever batches it reads them in."""
    peer = Peer(vpn.tunnels[0])
    try:
        peer.establish()
        for _ in range(20):
            peer.send(update("192.0.2.0/24") + withdraw("192.0.2.0/24"))
        peer.send(update("203.0.113.0/24"))
        wait_until(lambda: "203.0.113.0/24" in vpn_setup.propagated_routes(ec2, vpn), what="the last prefix")
        assert vpn_setup.propagated_routes(ec2, vpn) == {"203.0.113.0/24"}
    finally:
        closed(peer, ec2, vpn)


def test_bits_past_the_prefix_length_do_not_matter(vpn, ec2):
    """RFC 4271 §4.3: trailing bits are irrelevant; 10.0.15.0/20 is 10.0.0.0/20."""
    peer = Peer(vpn.tunnels[0])
    try:
        peer.establish()
        peer.send(update("10.0.15.0/20"))
        wait_until(lambda: vpn_setup.propagated_routes(ec2, vpn) == {"10.0.0.0/20"}, what="10.0.0.0/20")
        peer.send(withdraw("10.0.0.0/20"))
        wait_until(lambda: not vpn_setup.propagated_routes(ec2, vpn), what="10.0.0.0/20 withdrawn")
    finally:
        closed(peer, ec2, vpn)
