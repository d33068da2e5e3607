"""BGP convergence, Landbridge beside GoBGP in one run (see bench/bgp.sh).

The same BIRD announces the same prefixes to both over two sessions (two tunnels of a
VPN for Landbridge; two neighbors for GoBGP), with the prefix limit raised:

- announce: from `birdc configure` adding N prefixes to both sessions having accepted
  all N, read through each side's own API (Landbridge: DescribeVpnConnections'
  AcceptedRouteCount, then the VPC route table listing all N; GoBGP: `gobgp neighbor`);
- failover: from `birdc disable tunnel1` to the first session seen down while the other
  still carries all N (Landbridge: telemetry, then the route table is checked to list all
  N; GoBGP: the neighbor's state and `gobgp global rib summary`).

Each side is polled the same way, so the times include one poll's latency.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

from api import BenchError, start_landbridge  # noqa: E402
from harness.bgp_peers import Bird, GoBgp, install  # noqa: E402
from harness.peers import Netns  # noqa: E402
from interop import vpn_setup  # noqa: E402

BIRD_ASN = 65002
TIMEOUT_S = 300.0


def prefixes(n: int) -> list[str]:
    return [f"{100 + i // 65536}.{(i // 256) % 256}.{i % 256}.0/24" for i in range(n)]


def poll(check, what: str):
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.002)
    raise BenchError(f"timed out waiting for {what}")


def route_count(ec2, vpn) -> int:
    return len(vpn_setup.propagated_routes(ec2, vpn))


def landbridge_round(binary: str, n: int, workdir: str) -> dict[str, float]:
    server = start_landbridge(binary, workdir, ("--bgp-max-prefixes", str(n * 2), "--fabric-pool", "127.150.0.0/16"))
    try:
        url = f"http://127.0.0.1:{server.port}"
        ec2 = boto3.client(
            "ec2", endpoint_url=url, region_name="us-east-1", aws_access_key_id="bench", aws_secret_access_key="bench",
            config=Config(retries={"total_max_attempts": 1}, read_timeout=120),
        )
        vpn = vpn_setup.vgw_vpn(ec2, "10.200.0.0/16", BIRD_ASN, "127.0.0.151")
        bird = Bird(BIRD_ASN, "127.0.0.151", vpn.tunnels, 64512).start()
        try:
            poll(lambda: all(t["Status"] == "UP" for t in vpn_setup.telemetry(ec2, vpn).values()), "both tunnels UP")
            t0 = time.monotonic()
            bird.set_prefixes(prefixes(n))
            poll(
                lambda: all(t["AcceptedRouteCount"] == n for t in vpn_setup.telemetry(ec2, vpn).values()),
                "all prefixes accepted",
            )
            accepted = time.monotonic() - t0
            poll(lambda: route_count(ec2, vpn) == n, "all prefixes in the route table")
            in_table = time.monotonic() - t0

            t0 = time.monotonic()
            bird.birdc("disable", "tunnel1")
            t1, t2 = vpn.tunnels

            def failed_over() -> bool:
                tele = vpn_setup.telemetry(ec2, vpn)
                return tele[t1]["Status"] == "DOWN" and tele[t2]["AcceptedRouteCount"] == n

            poll(failed_over, "tunnel 1 DOWN, tunnel 2 carrying every prefix")
            failover = time.monotonic() - t0
            # Checked after the clock stops: listing 10,000 routes costs the client
            # more than the failover itself.
            if route_count(ec2, vpn) != n:
                raise BenchError("routes were lost in the failover")
        finally:
            bird.stop()
        return {"accepted": accepted, "in_table": in_table, "failover": failover}
    finally:
        server.stop()


def gobgp_round(n: int) -> dict[str, float]:
    # GoBGP refuses next hops in 127/8, so the pair runs in a namespace of its own
    # with addresses of 10/8 on its loopback: two sessions between distinct address
    # pairs, as two tunnels are.
    with Netns() as ns:
        return gobgp_in(ns, n)


def gobgp_in(ns: Netns, n: int) -> dict[str, float]:
    locals_ = ["10.255.0.161", "10.255.0.162"]
    routers = ["10.255.0.170", "10.255.0.171"]
    for a in locals_ + routers:
        ns.run(["ip", "addr", "add", f"{a}/32", "dev", "lo"])
    gobgp = GoBgp(64512, routers, locals_, BIRD_ASN, listen=True, netns=ns).start()
    try:
        bird = Bird(BIRD_ASN, locals_, routers, 64512, netns=ns).start()
        try:

            def accepted_counts() -> list[int]:
                # `gobgp neighbor`: "ADDR AS UP/DOWN STATE | RECEIVED ACCEPTED" (its JSON
                # has no counts).
                rows = gobgp.cli("neighbor").splitlines()[1:]
                return [int(r.split("|")[1].split()[1]) for r in rows if "|" in r]

            poll(lambda: set(gobgp.states().values()) == {"established"}, "both sessions established")
            t0 = time.monotonic()
            bird.set_prefixes(prefixes(n))
            poll(lambda: accepted_counts() == [n, n], "all prefixes accepted")
            accepted = time.monotonic() - t0

            t0 = time.monotonic()
            bird.birdc("disable", "tunnel1")
            poll(lambda: gobgp.states()[locals_[0]] != "established", "neighbor 1 down")
            summary = gobgp.cli("global", "rib", "summary", "-a", "ipv4")
            if f"Destination: {n}," not in summary:
                raise BenchError(f"GoBGP lost routes in the failover: {summary}")
            failover = time.monotonic() - t0
        finally:
            bird.stop()
    finally:
        gobgp.stop()
    return {"accepted": accepted, "failover": failover}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--landbridge", required=True)
    p.add_argument("--prefixes", type=int, default=10_000)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    install()
    lb: list[dict[str, float]] = []
    gb: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="lb-bench-bgp-") as workdir:
        for _ in range(args.rounds):
            lb.append(landbridge_round(args.landbridge, args.prefixes, workdir))
            gb.append(gobgp_round(args.prefixes))

    def med(rows, key):
        return statistics.median(r[key] for r in rows)

    n = args.prefixes
    print(f"{n} prefixes from BIRD over 2 sessions, median of {args.rounds} rounds")
    print(f"{'':34}{'Landbridge':>12}{'GoBGP':>10}{'ratio':>8}")
    rows = [
        ("announce -> all accepted (s)", med(lb, "accepted"), med(gb, "accepted")),
        ("announce -> in the route table (s)", med(lb, "in_table"), None),
        ("session loss -> failover (s)", med(lb, "failover"), med(gb, "failover")),
    ]
    missed = []
    for label, a, b in rows:
        ratio = f"{a / b:.2f}" if b else "-"
        print(f"{label:34}{a:12.3f}{(f'{b:.3f}' if b else '-'):>10}{ratio:>8}")
        if b and a / b > 2.0:
            missed.append(label)
    for label in missed:
        print(f"TARGET MISSED: {label}: Landbridge is more than 2x GoBGP")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"bench failed: {e}", file=sys.stderr)
        sys.exit(1)
