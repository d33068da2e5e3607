"""Transit gateway routing at AWS's quotas, Landbridge and moto_server side by side.

One transit gateway gets N VPC attachments (default 5,000: one VPC with one subnet each,
every VPC a /24 of 10.0.0.0/8) that propagate into its default route table, plus M
static routes (default 5,000, in 172.16.0.0/12) to those attachments: 10,000 routes in
one table, AWS's quota. Then, on the same server:

  - SearchTransitGatewayRoutes: route-search.exact-match on one static route, and
    route-search.longest-prefix-match on an address inside one VPC's propagated prefix,
    each called R times (default 200); latency p50 / p99 / max, and the answer is checked;
  - a propagation toggle: DisableTransitGatewayRouteTablePropagation of one attachment,
    then a search that must no longer find its prefix; then the Enable and a search that
    must find it again, R/2 times each way; the latency of the toggle call and of the
    toggle plus the confirming search.

A server that does not put propagated routes in the table (moto 5.2.5 does not) gets
the static-route search and the toggle call measured, and is reported as such.

  - a reachability analysis (StartNetworkInsightsAnalysis) from a network interface in
    the first VPC to an address in the last, R/2 times; the path must be found.

Both servers get the same calls from the same plain keep-alive HTTP client (EC2 query
protocol). Only 127.0.0.1 is contacted. Missed targets are printed, never fatal.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from api import BenchError, Ec2, start_landbridge, start_moto  # noqa: E402

TARGET_SEARCH_MS = 10.0
TARGET_TOGGLE_MS = 5.0


def one(body: str, tag: str) -> str:
    m = re.search(f"<{tag}>([^<]+)</{tag}>", body)
    if not m:
        raise BenchError(f"no <{tag}> in answer: {body[:300]}")
    return m.group(1)


def vpc_block(i: int) -> str:
    return f"10.{i // 256}.{i % 256}.0/24"


def static_block(i: int) -> str:
    return f"172.{16 + i // 65536}.{(i // 256) % 256}.{i % 256}/32"


@dataclass
class Timings:
    samples: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.samples.append(seconds * 1000)

    def pct(self, p: float) -> float:
        s = sorted(self.samples)
        return s[min(len(s) - 1, int(p * len(s)))] if s else float("nan")

    def line(self) -> str:
        return f"p50 {self.pct(0.5):7.2f}  p99 {self.pct(0.99):7.2f}  max {max(self.samples):7.2f} ms"


@dataclass
class Result:
    name: str
    setup_s: float = 0.0
    exact: Timings = field(default_factory=Timings)
    longest: Timings = field(default_factory=Timings)
    toggle: Timings = field(default_factory=Timings)
    toggle_seen: Timings = field(default_factory=Timings)
    analysis: Timings = field(default_factory=Timings)
    analyzer: str = ""
    unsupported: list[str] = field(default_factory=list)
    propagates: bool = False
    failures: list[str] = field(default_factory=list)


def build(ec2: Ec2, attachments: int, statics: int) -> tuple[str, list[str], str]:
    """The gateway, its attachments and routes; returns the table, the attachment ids,
    and a network interface in the first VPC whose subnet routes 10.0.0.0/8 to the
    gateway (the source of the reachability analyses)."""
    tgw = ec2.must("CreateTransitGateway")
    tgw_id = one(tgw, "transitGatewayId")
    table = one(tgw, "associationDefaultRouteTableId")
    ids = []
    eni = ""
    for i in range(attachments):
        vpc = one(ec2.must("CreateVpc", {"CidrBlock": vpc_block(i)}), "vpcId")
        subnet = one(ec2.must("CreateSubnet", {"VpcId": vpc, "CidrBlock": vpc_block(i)}), "subnetId")
        if i == 0:
            eni = one(ec2.must("CreateNetworkInterface", {"SubnetId": subnet}), "networkInterfaceId")
            main = one(ec2.must("DescribeRouteTables", {"Filter.1.Name": "vpc-id", "Filter.1.Value.1": vpc}), "routeTableId")
            ec2.must("CreateRoute", {"RouteTableId": main, "DestinationCidrBlock": "10.0.0.0/8", "TransitGatewayId": tgw_id})
        att = ec2.must(
            "CreateTransitGatewayVpcAttachment",
            {"TransitGatewayId": tgw_id, "VpcId": vpc, "SubnetIds.1": subnet},
        )
        ids.append(one(att, "transitGatewayAttachmentId"))
    for i in range(statics):
        ec2.must(
            "CreateTransitGatewayRoute",
            {
                "TransitGatewayRouteTableId": table,
                "DestinationCidrBlock": static_block(i),
                "TransitGatewayAttachmentId": ids[i % len(ids)],
            },
        )
    return table, ids, eni


def search(ec2: Ec2, table: str, name: str, value: str) -> str:
    return ec2.must(
        "SearchTransitGatewayRoutes",
        {"TransitGatewayRouteTableId": table, "Filter.1.Name": name, "Filter.1.Value.1": value},
    )


def bench(name: str, start, args, workdir: str) -> Result:
    r = Result(name)
    server = start()
    ec2 = Ec2(server.port)
    try:
        t0 = time.monotonic()
        table, ids, eni = build(ec2, args.attachments, args.statics)
        r.setup_s = time.monotonic() - t0
        # Warm up, and check what the table holds: every server keeps static routes;
        # propagated VPC routes only where propagation is implemented.
        probe = search(ec2, table, "route-search.exact-match", static_block(args.statics - 1))
        if static_block(args.statics - 1) not in probe:
            r.failures.append(f"the last static route is not in the table: {probe[:300]}")
            return r
        probe = search(ec2, table, "route-search.exact-match", vpc_block(args.attachments - 1))
        r.propagates = vpc_block(args.attachments - 1) in probe
        for k in range(args.rounds):
            i = (k * 7919) % args.statics
            t = time.monotonic()
            body = search(ec2, table, "route-search.exact-match", static_block(i))
            r.exact.add(time.monotonic() - t)
            if static_block(i) not in body:
                r.failures.append(f"exact match of {static_block(i)} found nothing")
                break
            if not r.propagates:
                continue
            j = (k * 7919) % args.attachments
            addr = vpc_block(j).replace(".0/24", ".77/32")
            t = time.monotonic()
            body = search(ec2, table, "route-search.longest-prefix-match", addr)
            r.longest.add(time.monotonic() - t)
            if vpc_block(j) not in body:
                r.failures.append(f"longest-prefix match of {addr} did not give {vpc_block(j)}")
                break
        for k in range(args.rounds // 2):
            if r.unsupported:
                break
            i = (k * 104729) % args.attachments
            for action, present in (("DisableTransitGatewayRouteTablePropagation", False),
                                    ("EnableTransitGatewayRouteTablePropagation", True)):
                t = time.monotonic()
                status, body = ec2.call(action, {"TransitGatewayRouteTableId": table, "TransitGatewayAttachmentId": ids[i]})
                done = time.monotonic()
                if not 200 <= status <= 299:
                    r.unsupported.append(f"{action}: HTTP {status}")
                    break
                r.toggle.add(done - t)
                if not r.propagates:
                    continue
                body = search(ec2, table, "route-search.exact-match", vpc_block(i))
                r.toggle_seen.add(time.monotonic() - t)
                if (vpc_block(i) in body) != present:
                    r.failures.append(f"after {action} the route to {vpc_block(i)} is {'missing' if present else 'still there'}")
                    return r
        # Reachability: from the first VPC's interface to an address in the last VPC.
        target = vpc_block(args.attachments - 1).replace(".0/24", ".9")
        status, body = ec2.call("CreateNetworkInsightsPath", {
            "Source": eni, "DestinationIp": target, "Protocol": "tcp", "ClientToken": "bench"})
        if status != 200:
            r.analyzer = f"no analyzer ({one(body, 'Code') if '<Code>' in body else status})"
        else:
            path = one(body, "networkInsightsPathId")
            for k in range(args.rounds // 2):
                t = time.monotonic()
                body = ec2.must("StartNetworkInsightsAnalysis", {"NetworkInsightsPathId": path, "ClientToken": f"b{k}"})
                r.analysis.add(time.monotonic() - t)
                if "<networkPathFound>true</networkPathFound>" not in body:
                    r.failures.append(f"the analysis to {target} found no path: {body[:400]}")
                    break
            r.analyzer = "path found"
    except BenchError as e:
        r.failures.append(str(e))
    finally:
        ec2.close()
        server.stop()
    return r


def report(results: list[Result], args) -> None:
    print(f"one transit gateway, {args.attachments} VPC attachments propagating, {args.statics} static routes; "
          f"{args.rounds} searches of each kind, {args.rounds // 2} toggles each way")
    for r in results:
        print(f"\n{r.name}: built in {r.setup_s:.1f} s; "
              f"{'propagates VPC routes' if r.propagates else 'does NOT propagate VPC routes into the table'}")
        if r.failures:
            print(f"  FAILED: {r.failures[0]}")
        if r.analyzer:
            print(f"  reachability: {r.analyzer}")
        for u in r.unsupported:
            print(f"  answered an error, not measured: {u}")
        for label, t in (("search exact-match (static)", r.exact), ("search longest-prefix", r.longest),
                         ("propagation toggle", r.toggle), ("toggle + confirming search", r.toggle_seen),
                         ("reachability analysis", r.analysis)):
            if t.samples:
                print(f"  {label:28s} {t.line()}")
    lb = next((r for r in results if r.name == "landbridge" and not r.failures), None)
    moto = next((r for r in results if r.name == "moto_server" and not r.failures), None)
    if lb and moto and lb.exact.samples and moto.exact.samples:
        toggle = (f", toggle {moto.toggle.pct(0.5) / lb.toggle.pct(0.5):.1f}x"
                  if moto.toggle.samples and lb.toggle.samples else "")
        print(f"\nratios (moto p50 / landbridge p50): search {moto.exact.pct(0.5) / lb.exact.pct(0.5):.1f}x{toggle}")
    if lb and lb.exact.samples:
        worst_search = max(lb.exact.pct(0.99), lb.longest.pct(0.99))
        ok_search = "met" if worst_search <= TARGET_SEARCH_MS else "MISSED"
        ok_toggle = "met" if lb.toggle_seen.pct(0.99) <= TARGET_TOGGLE_MS else "MISSED"
        analysis = (f"{'met' if lb.analysis.pct(0.99) <= TARGET_SEARCH_MS else 'MISSED'} ({lb.analysis.pct(0.99):.2f} ms)"
                    if lb.analysis.samples else "not measured")
        print(f"targets (landbridge p99): search <= {TARGET_SEARCH_MS:.0f} ms: {ok_search} ({worst_search:.2f} ms); "
              f"propagation toggle seen by a search <= {TARGET_TOGGLE_MS:.0f} ms: {ok_toggle} "
              f"({lb.toggle_seen.pct(0.99):.2f} ms); reachability analysis <= {TARGET_SEARCH_MS:.0f} ms: {analysis}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--landbridge")
    ap.add_argument("--moto")
    ap.add_argument("--attachments", type=int, default=5000)
    ap.add_argument("--statics", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=200)
    args = ap.parse_args()
    if not args.landbridge and not args.moto:
        ap.error("give --landbridge, --moto or both")
    if not 1 <= args.attachments <= 65536:
        ap.error("--attachments must be 1..65536")
    with tempfile.TemporaryDirectory(prefix="landbridge-bench-routing-") as workdir:
        results = []
        if args.landbridge:
            results.append(bench("landbridge", lambda: start_landbridge(args.landbridge, workdir), args, workdir))
        if args.moto:
            results.append(bench("moto_server", lambda: start_moto(args.moto, workdir), args, workdir))
        report(results, args)
    return 1 if any(r.failures for r in results) else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
