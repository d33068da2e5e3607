"""TCP-MD5 (RFC 2385) between Landbridge's speaker (`landbridge bgp`, the speaker every
tunnel runs, on its own) and each routing daemon: the right key establishes, a wrong one
never does."""

from __future__ import annotations

import itertools
import json
import time

import pytest

from harness.bgp_peers import GATEWAYS, wait_until
from harness.landbridge import landbridge_binary
from harness.peers import Process

pytestmark = pytest.mark.deadline(120)

_cases = itertools.count()


def speaker(address: str, key: str) -> Process:
    proc = Process(
        [
            str(landbridge_binary()), "bgp", "--listen", f"{address}:179",
            "--local-as", "64512", "--peer-as", "65005", "--md5-key", key, "--advertise", "10.99.0.0/16",
        ]
    ).start()
    proc.wait_for_line(r'"event":"started"', timeout=30)
    return proc


def events(proc: Process, kind: str) -> list[dict]:
    return [e for e in (json.loads(line) for line in proc.lines if line.startswith("{")) if e["event"] == kind]


@pytest.mark.parametrize("daemon", sorted(GATEWAYS))
def test_the_right_key_establishes_and_a_wrong_one_never_does(bgp_daemons, daemon):
    i = next(_cases)
    address = f"127.0.{60 + i}.1"
    right, wrong = f"127.0.{60 + i}.2", f"127.0.{60 + i}.3"
    lb = speaker(address, "s3cret")
    try:
        cgw = GATEWAYS[daemon](65005, [right], [address], 64512, md5="s3cret").start()
        try:
            cgw.set_prefixes(["192.0.2.0/24"])
            wait_until(lambda: "10.99.0.0/16" in cgw.received(), what=f"10.99.0.0/16 at {daemon}")
            routes = wait_until(lambda: events(lb, "routes"), what="routes at Landbridge")
            assert routes[0]["announced"][0]["prefix"] == "192.0.2.0/24"
            assert routes[0]["announced"][0]["asPath"] == [65005]
        finally:
            cgw.stop()

        cgw = GATEWAYS[daemon](65005, [wrong], [address], 64512, md5="wrong").start()
        try:
            # Every daemon here retries within a second or two; give it several tries.
            deadline = time.monotonic() + 6
            while time.monotonic() < deadline:
                assert cgw.established() == 0
                time.sleep(0.5)
            remotes = [e["remote"].split(":")[0] for e in events(lb, "established")]
            assert remotes == [right], remotes
        finally:
            cgw.stop()
    finally:
        lb.stop()
