"""TCP-MD5 (RFC 2385) between Landbridge's speaker (`landbridge bgp`, the speaker every
tunnel runs, on its own) and GoBGP: the right key establishes, a wrong one never does."""

from __future__ import annotations

import json
import time

import pytest

from harness.bgp_peers import GoBgp, wait_until
from harness.landbridge import landbridge_binary
from harness.peers import Process

pytestmark = pytest.mark.deadline(120)

SPEAKER = "127.0.0.95"


def speaker(key: str) -> Process:
    proc = Process(
        [
            str(landbridge_binary()), "bgp", "--listen", f"{SPEAKER}:179",
            "--local-as", "64512", "--peer-as", "65005", "--md5-key", key, "--advertise", "10.99.0.0/16",
        ]
    ).start()
    proc.wait_for_line(r'"event":"started"', timeout=30)
    return proc


def events(proc: Process) -> list[dict]:
    return [json.loads(line) for line in proc.lines if line.startswith("{")]


def test_the_right_key_establishes_and_a_wrong_one_never_does(bgp_daemons):
    lb = speaker("s3cret")
    try:
        router = GoBgp(65005, "127.0.0.96", [SPEAKER], 64512, md5="s3cret").start()
        try:
            router.announce("192.0.2.0/24")
            wait_until(lambda: router.received().get("10.99.0.0/16"), what="10.99.0.0/16 at GoBGP")
            routes = wait_until(lambda: [e for e in events(lb) if e["event"] == "routes"], what="routes at Landbridge")
            assert routes[0]["announced"][0]["prefix"] == "192.0.2.0/24"
            assert routes[0]["announced"][0]["asPath"] == [65005]
        finally:
            router.stop()

        wrong = GoBgp(65005, "127.0.0.97", [SPEAKER], 64512, md5="wrong").start()
        try:
            # GoBGP retries every second; give it several tries.
            deadline = time.monotonic() + 6
            while time.monotonic() < deadline:
                assert wrong.states()[SPEAKER] != "established"
                time.sleep(0.5)
            established = [e for e in events(lb) if e["event"] == "established"]
            assert [e["remote"].split(":")[0] for e in established] == ["127.0.0.96"], established
        finally:
            wrong.stop()
    finally:
        lb.stop()
