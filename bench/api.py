"""EC2 API throughput, latency and memory, Landbridge and moto_server side by side.

Both servers get the same EC2 query-protocol call mix (bench/api_mix.lua: CreateVpc,
CreateSubnet, CreateTags, DescribeVpcs with filters, DescribeSubnets, DescribeRouteTables)
from wrk, for a bounded time at concurrency 1 (-t1 -c1) and 16 (-t2 -c16), each run on a
freshly started server. Before each run a plain HTTP client creates the VPCs the mix needs.

Memory is VmRSS from /proc: once idle (one second after the first answer), and once more
after a plain keep-alive client has created N resources (default 10,000: VPCs with four
subnets each, every one tagged), on a fresh server of its own.

Neither server verifies signatures; the Authorization header only carries the credential
scope, from which moto picks the service. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field

VERSION = "2016-11-15"
REGION = "us-east-1"
HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded",
    "Authorization": f"AWS4-HMAC-SHA256 Credential=test/20260101/{REGION}/ec2/aws4_request, "
    "SignedHeaders=host, Signature=0",
}
READY = re.compile(r"landbridge listening on http://127\.0\.0\.1:(\d+)")
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
# (label, wrk threads, wrk connections)
CONFIGS = [("1", 1, 1), ("16", 2, 16)]
MIX = "CreateVpc, CreateSubnet, CreateTags, DescribeVpcs (filters), DescribeSubnets, DescribeRouteTables"

TARGET_RATIO = 20.0
TARGET_P99_MS = 2.0
TARGET_RSS_BYTES = 100 * 1000 * 1000  # 100 MB


class BenchError(Exception):
    """A server that did not start, or a call the benchmark depends on that failed."""


# ---- processes --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def tail(path: str, lines: int = 15) -> str:
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:]).rstrip()
    except OSError:
        return ""


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    port: int
    log: str

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT_S)
        if self.proc.stdout:
            self.proc.stdout.close()

    def rss_kib(self) -> int:
        return rss_kib(self.proc.pid)


def start_landbridge(binary: str, workdir: str, extra: tuple[str, ...] = ()) -> Server:
    """Spawn Landbridge on a free port and wait for its stdout ready line."""
    log = os.path.join(workdir, f"landbridge-{time.monotonic_ns()}.log")
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--ephemeral", "--log-level", "warn", *extra],
            stdout=subprocess.PIPE,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
    server = Server("landbridge", proc, 0, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    buf = b""
    fd = proc.stdout.fileno()
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                break  # stdout closed: the process is gone or going
            buf += chunk
            m = READY.search(buf.decode(errors="replace"))
            if m:
                server.port = int(m.group(1))
                return server
        elif proc.poll() is not None:
            break
    server.stop()
    raise BenchError(
        f"landbridge did not print its ready line within {START_TIMEOUT_S:.0f} s "
        f"(exit code {proc.returncode}); stdout {buf[-300:]!r}; stderr:\n{tail(log)}"
    )


def start_moto(binary: str, workdir: str) -> Server:
    """Spawn moto_server on a free port and poll the port until it accepts."""
    port = free_port()
    log = os.path.join(workdir, f"moto-{time.monotonic_ns()}.log")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [binary, "-p", str(port)], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    server = Server("moto_server", proc, port, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise BenchError(
        f"moto_server did not accept connections on port {port} within {START_TIMEOUT_S:.0f} s "
        f"(exit code {proc.returncode}); log:\n{tail(log)}"
    )


# ---- a plain EC2 query-protocol client ----------------------------------------


class Ec2:
    """Keep-alive HTTP/1.1 client; reconnects when the server closes (moto does)."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, action: str, params: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode({"Action": action, "Version": VERSION, **(params or {})})
        for attempt in range(2):
            try:
                self.conn.request("POST", "/", body, HEADERS)
                resp = self.conn.getresponse()
                return resp.status, resp.read().decode(errors="replace")
            except (OSError, http.client.HTTPException):
                self.conn.close()
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def must(self, action: str, params: dict[str, str] | None = None) -> str:
        status, body = self.call(action, params)
        if not 200 <= status <= 299:
            raise BenchError(f"{action} answered HTTP {status}: {error_text(body)}")
        return body

    def close(self) -> None:
        self.conn.close()


def error_text(body: str) -> str:
    code = re.search(r"<Code>([^<]+)</Code>", body)
    msg = re.search(r"<Message>([^<]*)</Message>", body)
    if code:
        return f"{code.group(1)}: {msg.group(1) if msg else ''}".strip()
    return body[:300].replace("\n", " ")


def one_id(body: str, tag: str, action: str) -> str:
    m = re.search(rf"<{tag}>([^<]+)</{tag}>", body)
    if not m:
        raise BenchError(f"{action} answer has no <{tag}>: {body[:300]!r}")
    return m.group(1)


# ---- the per-run fixture ---------------------------------------------------------


@dataclass
class Fixture:
    vpc: str
    pool: list[str]
    warnings: list[str] = field(default_factory=list)


def make_fixture(ec2: Ec2, pool_size: int) -> Fixture:
    """The fixture VPC the describes filter on (tagged bench=fixture, two subnets) and
    the pool VPCs CreateSubnet fills. Also checks that the filters narrow the answers,
    so that a server ignoring them is reported rather than benchmarked on huge answers."""
    vpc = one_id(ec2.must("CreateVpc", {"CidrBlock": "10.1.0.0/16"}), "vpcId", "CreateVpc")
    ec2.must("CreateTags", {"ResourceId.1": vpc, "Tag.1.Key": "bench", "Tag.1.Value": "fixture"})
    subnets = [
        one_id(ec2.must("CreateSubnet", {"VpcId": vpc, "CidrBlock": f"10.1.{i}.0/24"}), "subnetId", "CreateSubnet")
        for i in range(2)
    ]
    pool = [
        one_id(ec2.must("CreateVpc", {"CidrBlock": "10.0.0.0/16"}), "vpcId", "CreateVpc") for _ in range(pool_size)
    ]
    fx = Fixture(vpc, pool)

    body = ec2.must(
        "DescribeVpcs",
        {
            "Filter.1.Name": "tag:bench",
            "Filter.1.Value.1": "fixture",
            "Filter.2.Name": "state",
            "Filter.2.Value.1": "available",
        },
    )
    got = set(re.findall(r"<vpcId>([^<]+)</vpcId>", body))
    if got != {vpc}:
        fx.warnings.append(f"DescribeVpcs with filters answered {sorted(got)}, expected only {vpc}")
    body = ec2.must("DescribeSubnets", {"Filter.1.Name": "vpc-id", "Filter.1.Value.1": vpc})
    got = set(re.findall(r"<subnetId>([^<]+)</subnetId>", body))
    if got != set(subnets):
        fx.warnings.append(f"DescribeSubnets vpc-id={vpc} answered {sorted(got)}, expected {sorted(subnets)}")
    body = ec2.must("DescribeRouteTables", {"Filter.1.Name": "vpc-id", "Filter.1.Value.1": vpc})
    got = set(re.findall(r"<vpcId>([^<]+)</vpcId>", body))
    if got != {vpc}:
        fx.warnings.append(f"DescribeRouteTables vpc-id={vpc} answered route tables of {sorted(got) or 'no VPC'}")
    return fx


# ---- wrk ----------------------------------------------------------------------------


@dataclass
class RunResult:
    requests: int = 0
    duration_us: int = 1
    p50_us: int = 0
    p90_us: int = 0
    p99_us: int = 0
    max_us: int = 0
    non2xx: int = 0
    socket_errors: int = 0
    codes: dict[str, int] = field(default_factory=dict)
    pool_exhausted: bool = False
    rss_after_kib: int = 0

    @property
    def rps(self) -> float:
        return self.requests / (self.duration_us / 1e6)

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors

    @property
    def only_errors(self) -> bool:
        return self.requests - self.non2xx <= 0


def run_wrk(wrk: str, lua: str, port: int, threads: int, conns: int, duration: int, fx: Fixture,
            per_vpc: int, out_path: str) -> RunResult:
    env = dict(
        os.environ,
        BENCH_FIXTURE_VPC=fx.vpc,
        BENCH_POOL_VPCS=",".join(fx.pool),
        BENCH_THREADS=str(threads),
        BENCH_SUBNETS_PER_VPC=str(per_vpc),
        BENCH_REGION=REGION,
    )
    cmd = [wrk, f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--timeout", "5s", "--latency",
           "-s", lua, f"http://127.0.0.1:{port}/"]
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=duration + 60)
    except subprocess.TimeoutExpired as e:
        raise BenchError(f"wrk did not finish within {duration + 60} s") from e
    with open(out_path, "w") as f:
        f.write(proc.stdout)
        f.write(proc.stderr)
    r = RunResult()
    m = re.search(r"^WRKRESULT (.*)$", proc.stdout, re.M)
    if proc.returncode != 0 or not m:
        raise BenchError(f"wrk failed (exit {proc.returncode}): {(proc.stderr or proc.stdout)[-800:]}")
    kv = dict(item.split("=", 1) for item in m.group(1).split())
    r.requests = int(kv["requests"])
    r.duration_us = max(1, int(kv["duration_us"]))
    r.p50_us, r.p90_us, r.p99_us, r.max_us = (int(kv[k]) for k in ("p50_us", "p90_us", "p99_us", "max_us"))
    r.non2xx = int(kv["non2xx"])
    r.socket_errors = sum(int(kv[k]) for k in ("connect", "read", "write", "timeout"))
    for code, n in re.findall(r"^WRKERRCODE (\S+) (\d+)$", proc.stdout, re.M):
        r.codes[code] = int(n)
    r.pool_exhausted = "WRKPOOL exhausted" in proc.stdout
    return r


# ---- memory ----------------------------------------------------------------------------


@dataclass
class MemResult:
    idle_kib: int = 0
    loaded_kib: int = 0
    resources: int = 0
    calls: int = 0
    errors: int = 0
    seconds: float = 0.0


def populate(ec2: Ec2, resources: int) -> MemResult:
    """Creates `resources` resources: groups of one VPC and four /24 subnets, each group
    tagged with one CreateTags call. Gives up when the first calls fail, or after
    100 failed calls."""
    res = MemResult()
    t0 = time.perf_counter()
    groups = math.ceil(resources / 5)
    first_error = ""
    for g in range(groups):
        if res.errors >= 100 or (res.errors and res.resources == 0):
            raise BenchError(f"populate: {res.errors} calls failed, first: {first_error}")
        res.calls += 1
        status, body = ec2.call("CreateVpc", {"CidrBlock": "10.0.0.0/16"})
        if status != 200:
            res.errors += 1
            first_error = first_error or f"CreateVpc HTTP {status} {error_text(body)}"
            continue
        ids = [one_id(body, "vpcId", "CreateVpc")]
        res.resources += 1
        for i in range(min(4, resources - res.resources)):
            res.calls += 1
            status, body = ec2.call("CreateSubnet", {"VpcId": ids[0], "CidrBlock": f"10.0.{i}.0/24"})
            if status != 200:
                res.errors += 1
                first_error = first_error or f"CreateSubnet HTTP {status} {error_text(body)}"
                continue
            ids.append(one_id(body, "subnetId", "CreateSubnet"))
            res.resources += 1
        params = {f"ResourceId.{i + 1}": rid for i, rid in enumerate(ids)}
        params.update({"Tag.1.Key": "group", "Tag.1.Value": str(g)})
        res.calls += 1
        status, body = ec2.call("CreateTags", params)
        if status != 200:
            res.errors += 1
            first_error = first_error or f"CreateTags HTTP {status} {error_text(body)}"
    res.seconds = time.perf_counter() - t0
    return res


# ---- one server ------------------------------------------------------------------------


@dataclass
class ServerResults:
    name: str
    runs: dict[str, RunResult] = field(default_factory=dict)
    mem: MemResult | None = None
    idle_kib: int = 0
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def mib(kib: int) -> float:
    return kib / 1024


def bench_server(name: str, start, args, workdir: str) -> ServerResults:
    out = ServerResults(name)
    # Memory, on a server of its own.
    print(f"[{name}] memory: idle, then {args.resources:,} resources", flush=True)
    try:
        server = start()
        try:
            time.sleep(1.0)
            idle = out.idle_kib = server.rss_kib()
            ec2 = Ec2(server.port)
            mem = populate(ec2, args.resources)
            ec2.close()
            time.sleep(1.0)
            mem.idle_kib, mem.loaded_kib = idle, server.rss_kib()
            out.mem = mem
            print(f"[{name}]   {mem.calls:,} calls in {mem.seconds:.1f} s, {mem.errors} failed", flush=True)
        finally:
            server.stop()
    except BenchError as e:
        out.failures.append(f"memory: {e}")
        print(f"[{name}]   FAILED: {e}", flush=True)

    for label, threads, conns in CONFIGS:
        print(f"[{name}] concurrency {label}: wrk -t{threads} -c{conns} -d{args.duration}s", flush=True)
        pool_size = math.ceil(args.duration * args.max_rps / 6 / args.subnets_per_vpc)
        pool_size = max(threads, math.ceil(pool_size / threads) * threads)
        try:
            server = start()
            try:
                ec2 = Ec2(server.port)
                t0 = time.perf_counter()
                fx = make_fixture(ec2, pool_size)
                ec2.close()
                for w in fx.warnings:
                    if w not in out.warnings:
                        out.warnings.append(w)
                    print(f"[{name}]   WARNING: {w}", flush=True)
                print(f"[{name}]   fixture and {pool_size} pool VPCs in {time.perf_counter() - t0:.1f} s", flush=True)
                r = run_wrk(args.wrk, args.lua, server.port, threads, conns, args.duration, fx,
                            args.subnets_per_vpc, os.path.join(workdir, f"wrk-{name}-c{label}.txt"))
                r.rss_after_kib = server.rss_kib()
                out.runs[label] = r
                print(f"[{name}]   {r.requests:,} requests, {r.rps:,.1f} req/s, {r.errors:,} errors", flush=True)
                if r.only_errors:
                    out.failures.append(f"concurrency {label}: no call succeeded")
            finally:
                server.stop()
        except BenchError as e:
            out.failures.append(f"concurrency {label}: {e}")
            print(f"[{name}]   FAILED: {e}", flush=True)
    return out


# ---- report ----------------------------------------------------------------------------


def report(results: list[ServerResults], args) -> None:
    by = {r.name: r for r in results}
    lb, moto = by.get("landbridge"), by.get("moto_server")
    print()
    for label, threads, conns in CONFIGS:
        print(f"concurrency {label} (wrk -t{threads} -c{conns}, {args.duration} s)")
        print(f"  {'server':<12} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'errors':>8}")
        for r in results:
            run = r.runs.get(label)
            if run is None:
                print(f"  {r.name:<12} {'failed':>10}")
                continue
            print(f"  {r.name:<12} {run.rps:>10.1f} {run.p50_us / 1000:>9.3f} {run.p99_us / 1000:>9.3f} {run.errors:>8}")
        for r in results:
            run = r.runs.get(label)
            if run and run.errors:
                codes = ", ".join(f"{c} x{n}" for c, n in sorted(run.codes.items(), key=lambda kv: -kv[1]))
                sock = f"; socket errors {run.socket_errors}" if run.socket_errors else ""
                print(f"  ERRORS {r.name}: {run.errors} of {run.requests} calls failed ({codes or 'no code'}{sock})")
            if run and run.pool_exhausted:
                print(f"  NOTE {r.name}: the pool VPCs ran out of /28 slots; raise BENCH_MAX_RPS")
        ratio = throughput_ratio(lb, moto, label)
        if ratio is not None:
            print(f"  landbridge / moto throughput: {ratio:.1f}x")
        print()

    print(f"memory (VmRSS; {args.resources:,} resources = VPCs with 4 subnets each, all tagged)")
    for r in results:
        if r.mem is None:
            idle = f"idle {mib(r.idle_kib):7.1f} MiB   " if r.idle_kib else ""
            print(f"  {r.name:<12} {idle}with resources: failed")
            continue
        errs = f", {r.mem.errors} failed calls" if r.mem.errors else ""
        print(
            f"  {r.name:<12} idle {mib(r.mem.idle_kib):7.1f} MiB   with {r.mem.resources:,} resources"
            f" {mib(r.mem.loaded_kib):7.1f} MiB{errs}"
        )
    for r in results:
        last = r.runs.get(CONFIGS[-1][0])
        if last:
            created = last.requests * 2 // 6
            print(f"  {r.name:<12} after the concurrency-{CONFIGS[-1][0]} run (~{created:,} creates):"
                  f" {mib(last.rss_after_kib):7.1f} MiB")
    if lb and moto and lb.mem and moto.mem and lb.mem.loaded_kib:
        print(f"  moto / landbridge RSS with resources: {moto.mem.loaded_kib / lb.mem.loaded_kib:.1f}x")
    print()

    for r in results:
        for w in r.warnings:
            print(f"WARNING {r.name}: {w}")
    if any(run.errors for r in results for run in r.runs.values()):
        print("WARNING: some runs had failed calls (see ERRORS above); their numbers include them")

    print(targets_line(lb, moto, args.resources))


def throughput_ratio(lb: ServerResults | None, moto: ServerResults | None, label: str) -> float | None:
    if not lb or not moto:
        return None
    a, b = lb.runs.get(label), moto.runs.get(label)
    if not a or not b or b.rps == 0:
        return None
    return a.rps / b.rps


def targets_line(lb: ServerResults | None, moto: ServerResults | None, resources: int) -> str:
    if lb is None:
        return "targets: not checked (landbridge was not run)"

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("met" if ok else "MISSED")

    hi = CONFIGS[-1][0]
    ratio = throughput_ratio(lb, moto, hi)
    t1 = (f"throughput >= {TARGET_RATIO:.0f}x moto at concurrency {hi}: "
          f"{verdict(None if ratio is None else ratio >= TARGET_RATIO)}"
          + (f" ({ratio:.1f}x)" if ratio is not None else ""))
    p99s = {label: lb.runs[label].p99_us / 1000 for label, _, _ in CONFIGS if label in lb.runs}
    ok = None if len(p99s) < len(CONFIGS) else all(v <= TARGET_P99_MS for v in p99s.values())
    t2 = f"p99 <= {TARGET_P99_MS:g} ms: {verdict(ok)}"
    if p99s:
        t2 += " (" + ", ".join(f"c{k} {v:.3f} ms" for k, v in p99s.items()) + ")"
    rss = lb.mem.loaded_kib * 1024 if lb.mem else None
    t3 = (f"RSS <= 100 MB with {resources:,} resources: {verdict(None if rss is None else rss <= TARGET_RSS_BYTES)}"
          + (f" ({rss / 1e6:.1f} MB)" if rss is not None else ""))
    return f"targets: {t1}; {t2}; {t3}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--landbridge", help="Landbridge binary (omit to run moto_server alone)")
    ap.add_argument("--moto", help="moto_server executable (omit to run Landbridge alone)")
    ap.add_argument("--wrk", default="wrk")
    ap.add_argument("--lua", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "api_mix.lua"))
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--resources", type=int, default=10_000, help="resources for the memory measurement")
    ap.add_argument("--max-rps", type=int, default=200_000,
                    help="highest req/s to size the pool VPCs for (CreateSubnet is 1/6 of the mix)")
    ap.add_argument("--subnets-per-vpc", type=int, default=4096, help="/28 subnets per pool VPC, at most 4096")
    args = ap.parse_args()
    if not args.landbridge and not args.moto:
        ap.error("give --landbridge, --moto or both")
    if not 1 <= args.subnets_per_vpc <= 4096:
        ap.error("--subnets-per-vpc must be 1..4096")
    if args.duration < 1:
        ap.error("--duration must be at least 1")

    try:
        from importlib.metadata import version

        moto_version = version("moto")
    except Exception:  # moto not importable from this interpreter
        moto_version = "?"
    print(f"EC2 API mix: {MIX}")
    print(f"{args.duration} s per run; {os.cpu_count()} CPUs shared by wrk and the server; moto {moto_version}")
    print()

    with tempfile.TemporaryDirectory(prefix="landbridge-bench-api-") as workdir:
        results = []
        if args.landbridge:
            results.append(bench_server("landbridge", lambda: start_landbridge(args.landbridge, workdir), args, workdir))
        if args.moto:
            results.append(bench_server("moto_server", lambda: start_moto(args.moto, workdir), args, workdir))
        report(results, args)

    failed = [(r.name, f) for r in results for f in r.failures]
    for name, f in failed:
        print(f"FAILED {name}: {f.splitlines()[0]}")
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
