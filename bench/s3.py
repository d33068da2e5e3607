"""S3 throughput and latency, Landbridge and moto_server side by side, with the disk's
own sequential write as the physical bound.

One run measures, with the same client (boto3, path-style) against both servers:

- large: one SIZE_MIB object (default 1 GiB) uploaded with `upload_file` (multipart,
  PART_MIB parts, THREADS threads) and downloaded with `download_file` (ranged GETs,
  same part size and threads); MiB/s each way; the download's SHA-256 must equal the
  source's;
- small: SMALL_COUNT (default 10,000) PUTs of 4 KiB at concurrency CONCURRENCY
  (default 16): a thread pool with one boto3 client (one keep-alive connection) per
  thread; requests/s over the whole batch, p50/p99 of the per-request latency; then
  the listing must count every key and one object must read back intact;
- disk: `dd if=<the source file> of=<workdir>/dd.out bs=8M conv=fsync`, timed: the
  same bytes written sequentially and fsynced, as MiB/s.

Each phase gets a freshly started server. The source file is written once (os.urandom
in 8 MiB chunks) in a fresh temporary directory on the disk under test, which also holds
the servers' data (TMPDIR points there: Landbridge's --ephemeral data dir, moto's spooled
temporary files), the downloads and dd's output; it is removed at the end.

The client: boto3 with `payload_signing_enabled=False` and checksums only where the API
requires them, so it does not hash request or response bodies (botocore otherwise
SHA-256s every body sent over plain HTTP and adds CRC32s); the integrity check is the
SHA-256 of the download. Both servers accept any signature. Only 127.0.0.1 is contacted.

moto_server is slow with large objects: its large PUT is bounded (--moto-large-timeout,
default 300 s; past it the result is "timeout" and that moto is stopped), or skipped
with --skip-moto-large.

Targets (printed as met/MISSED, never fatal): large PUT >= 70% of the dd bound; small
PUTs >= 10x moto's rate. The exit code is non-zero only when a server failed (did not
start, an error answer, a timeout of Landbridge) or data did not verify.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

from api import BenchError, Server, start_landbridge, start_moto, tail

MIB = 1024 * 1024
GEN_CHUNK = 8 * MIB
SMALL_SIZE = 4096
REGION = "us-east-1"
ACCESS_KEY = "111122223333"
LANDBRIDGE_LARGE_TIMEOUT_S = 1800.0  # a bound on Landbridge's transfers, far above any sane time
SMALL_TIMEOUT_S = 1800.0

TARGET_DISK_FRACTION = 0.70
TARGET_SMALL_RATIO = 10.0
CLIENT_BOUND_FRACTION = 0.85  # client CPU / wall above which the client, not the server, sets the pace


# ---- measurements ---------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, all its threads, in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


class Cpu:
    """CPU seconds spent by this process (the client) and by the server over a phase."""

    def __init__(self, server_pid: int):
        self.pid = server_pid
        self.client0 = time.process_time()
        self.server0 = cpu_seconds(server_pid)

    def done(self) -> tuple[float, float]:
        return time.process_time() - self.client0, cpu_seconds(self.pid) - self.server0


def run_bounded(fn, timeout: float):
    """Run fn() on a daemon thread; return ("ok", value, seconds), ("error", exc, seconds)
    or ("timeout", None, timeout)."""
    out: dict = {}

    def body():
        t0 = time.perf_counter()
        try:
            out["value"] = fn()
            out["status"] = "ok"
        except BaseException as exc:  # noqa: BLE001 - reported to the caller
            out["value"] = exc
            out["status"] = "error"
        out["seconds"] = time.perf_counter() - t0

    t = threading.Thread(target=body, daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        return "timeout", None, timeout
    return out["status"], out["value"], out["seconds"]


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    idx = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[idx]


# ---- clients ------------------------------------------------------------------------------


def make_client(session: boto3.session.Session, port: int, pool: int):
    config = Config(
        s3={"addressing_style": "path", "payload_signing_enabled": False},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"total_max_attempts": 1, "mode": "standard"},
        max_pool_connections=pool,
        connect_timeout=10,
        read_timeout=300,
    )
    return session.client("s3", endpoint_url=f"http://127.0.0.1:{port}", config=config)


def new_session() -> boto3.session.Session:
    return boto3.session.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key="x", region_name=REGION)


# ---- results ------------------------------------------------------------------------------


@dataclass
class Results:
    name: str
    put_mibs: float | None = None
    put_status: str = "not run"  # ok / timeout / skipped / failed / not run
    get_mibs: float | None = None
    get_status: str = "not run"
    small_rps: float | None = None
    small_p50_ms: float | None = None
    small_p99_ms: float | None = None
    small_status: str = "not run"
    cpu: dict = field(default_factory=dict)  # phase -> (client s, server s, wall s)
    failures: list = field(default_factory=list)
    notes: list = field(default_factory=list)


# ---- phases -------------------------------------------------------------------------------


def large_phase(res: Results, server: Server, src: str, src_sha: str, size: int, workdir: str, args,
                put_timeout: float) -> None:
    session = new_session()
    s3 = make_client(session, server.port, pool=args.threads + 2)
    bucket = "bench-large"
    s3.create_bucket(Bucket=bucket)
    transfer = TransferConfig(
        multipart_threshold=args.part_mib * MIB,
        multipart_chunksize=args.part_mib * MIB,
        max_concurrency=args.threads,
        use_threads=True,
    )

    os.sync()  # no writeback of earlier phases competes with this one
    cpu = Cpu(server.proc.pid)
    status, value, secs = run_bounded(lambda: s3.upload_file(src, bucket, "large.bin", Config=transfer), put_timeout)
    c, s = cpu.done()
    res.cpu["large PUT"] = (c, s, secs)
    if status == "timeout":
        res.put_status = "timeout"
        res.notes.append(f"{res.name}: large PUT still running after {put_timeout:g} s: stopped")
        return
    if status == "error":
        res.put_status = "failed"
        res.failures.append(f"{res.name}: large PUT failed: {value!r}")
        return
    res.put_status, res.put_mibs = "ok", size / MIB / secs
    head = s3.head_object(Bucket=bucket, Key="large.bin")
    if head["ContentLength"] != size:
        res.failures.append(f"{res.name}: large object is {head['ContentLength']} bytes, not {size}")

    dst = os.path.join(workdir, f"download-{res.name}.bin")
    os.sync()
    cpu = Cpu(server.proc.pid)
    status, value, secs = run_bounded(
        lambda: s3.download_file(bucket, "large.bin", dst, Config=transfer), put_timeout
    )
    c, s = cpu.done()
    res.cpu["large GET"] = (c, s, secs)
    try:
        if status != "ok":
            res.get_status = "failed" if status == "error" else "timeout"
            res.failures.append(f"{res.name}: large GET {status}: {value!r}")
            return
        res.get_status, res.get_mibs = "ok", size / MIB / secs
        got = sha256_file(dst)
        if got != src_sha:
            res.get_status = "failed"
            res.failures.append(f"{res.name}: downloaded SHA-256 {got} differs from the source's {src_sha}")
    finally:
        try:
            os.unlink(dst)
        except FileNotFoundError:
            pass


def small_phase(res: Results, server: Server, count: int, concurrency: int) -> None:
    session = new_session()
    # Clients are made here, one per worker, and each opens its connection before the clock starts.
    clients = [make_client(session, server.port, pool=1) for _ in range(concurrency)]
    bucket = "bench-small"
    clients[0].create_bucket(Bucket=bucket)
    for c in clients:
        c.head_bucket(Bucket=bucket)
    body = os.urandom(SMALL_SIZE)
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[str] = []
    barrier = threading.Barrier(concurrency + 1)
    next_index = iter(range(count))
    index_lock = threading.Lock()

    def worker(w: int) -> None:
        s3, lat = clients[w], latencies[w]
        barrier.wait()
        while True:
            with index_lock:
                i = next(next_index, None)
            if i is None or errors:
                return
            t0 = time.perf_counter()
            try:
                s3.put_object(Bucket=bucket, Key=f"small/{i:07d}", Body=body)
            except Exception as exc:  # noqa: BLE001 - reported
                errors.append(f"PUT small/{i:07d}: {exc!r}")
                return
            lat.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(concurrency)]
    for t in threads:
        t.start()
    cpu = Cpu(server.proc.pid)
    barrier.wait()
    t0 = time.perf_counter()
    deadline = t0 + SMALL_TIMEOUT_S
    for t in threads:
        t.join(max(0.0, deadline - time.perf_counter()))
    wall = time.perf_counter() - t0
    c, s = cpu.done()
    res.cpu["small PUTs"] = (c, s, wall)
    if any(t.is_alive() for t in threads):
        res.small_status = "timeout"
        res.failures.append(f"{res.name}: small PUTs not done after {SMALL_TIMEOUT_S:.0f} s")
        return
    if errors:
        res.small_status = "failed"
        res.failures.append(f"{res.name}: {len(errors)} small PUT(s) failed, first: {errors[0]}")
        return
    lat = sorted(x for per in latencies for x in per)
    res.small_status = "ok"
    res.small_rps = len(lat) / wall
    res.small_p50_ms = percentile(lat, 0.50) * 1000
    res.small_p99_ms = percentile(lat, 0.99) * 1000

    # Verify: every key is listed, and one object reads back intact.
    listed = 0
    for page in clients[0].get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="small/"):
        listed += page.get("KeyCount", 0)
    if listed != count:
        res.failures.append(f"{res.name}: listing shows {listed} small objects, {count} were PUT")
    probe = f"small/{random.randrange(count):07d}"
    if clients[0].get_object(Bucket=bucket, Key=probe)["Body"].read() != body:
        res.failures.append(f"{res.name}: {probe} does not read back as written")


def bench_server(name: str, start, binary: str, workdir: str, args, src: str, src_sha: str, size: int,
                 large: str) -> Results:
    """large: "run", "bounded" (moto: a timeout is a result, not a failure) or "skip"."""
    res = Results(name)
    if large == "skip":
        res.put_status = res.get_status = "skipped"
    else:
        server = None
        try:
            server = start(binary, workdir)
            timeout = args.moto_large_timeout if large == "bounded" else LANDBRIDGE_LARGE_TIMEOUT_S
            large_phase(res, server, src, src_sha, size, workdir, args, timeout)
            if res.put_status == "timeout" and large != "bounded":
                res.failures.append(f"{name}: large PUT timed out after {timeout:.0f} s")
        except BenchError as exc:
            res.failures.append(f"{name}: {exc}")
        except Exception as exc:  # noqa: BLE001 - an error answer is a server failure here
            res.failures.append(f"{name}: large phase: {exc!r}")
        finally:
            if server is not None:
                server.stop()
                if res.failures:
                    res.notes.append(f"{name} log tail:\n{tail(server.log)}")
    server = None
    try:
        server = start(binary, workdir)
        small_phase(res, server, args.small_count, args.concurrency)
    except BenchError as exc:
        res.failures.append(f"{name}: {exc}")
    except Exception as exc:  # noqa: BLE001
        res.small_status = "failed"
        res.failures.append(f"{name}: small phase: {exc!r}")
    finally:
        if server is not None:
            server.stop()
    return res


# ---- the source file and the disk bound -----------------------------------------------------


def write_source(path: str, size: int) -> str:
    digest = hashlib.sha256()
    left = size
    with open(path, "wb") as f:
        while left > 0:
            chunk = os.urandom(min(GEN_CHUNK, left))
            digest.update(chunk)
            f.write(chunk)
            left -= len(chunk)
        f.flush()
        os.fsync(f.fileno())
    return digest.hexdigest()


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(GEN_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def dd_bound(src: str, workdir: str, size: int) -> tuple[float, str]:
    out = os.path.join(workdir, "dd.out")
    cmd = ["dd", f"if={src}", f"of={out}", "bs=8M", "conv=fsync", "status=none"]
    os.sync()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    secs = time.perf_counter() - t0
    try:
        os.unlink(out)
    except FileNotFoundError:
        pass
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return size / MIB / secs, " ".join(cmd[:1] + cmd[3:5])


def mount_of(path: str) -> str:
    """'<device> on <mount point> (<fs type>)' for the file system holding `path`."""
    best = ("?", "/", "?")
    real = os.path.realpath(path)
    try:
        with open("/proc/self/mounts") as f:
            for line in f:
                dev, mnt, fstype = line.split()[:3]
                if (real == mnt or real.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best[1]):
                    best = (dev, mnt, fstype)
    except OSError:
        pass
    return f"{best[0]} on {best[1]} ({best[2]})"


# ---- report ---------------------------------------------------------------------------------


def fmt(value: float | None, status: str, spec: str) -> str:
    if status == "ok" and value is not None:
        return format(value, spec)
    return {"not run": "-", "ok": "-"}.get(status, status)


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def report(results: list[Results], disk_mibs: float | None, dd_cmd: str, args, size: int) -> None:
    lb = next((r for r in results if r.name == "landbridge"), None)
    moto = next((r for r in results if r.name == "moto_server"), None)
    cols = [r.name for r in results] + ["disk (dd)"]
    w = 14
    print()
    print(
        f"S3, boto3 {boto3.__version__} path-style: {size // MIB} MiB object ({args.part_mib} MiB parts, "
        f"{args.threads} threads); {args.small_count} x 4 KiB PUTs at concurrency {args.concurrency}"
    )
    print(f"{'':<22}" + "".join(f"{c:>{w}}" for c in cols))
    rows = [
        ("large PUT   MiB/s", lambda r: fmt(r.put_mibs, r.put_status, ".1f"), f"{disk_mibs:.1f}" if disk_mibs else "-"),
        ("large GET   MiB/s", lambda r: fmt(r.get_mibs, r.get_status, ".1f"), ""),
        ("small PUTs  req/s", lambda r: fmt(r.small_rps, r.small_status, ".1f"), ""),
        ("small PUT   p50 ms", lambda r: fmt(r.small_p50_ms, r.small_status, ".2f"), ""),
        ("small PUT   p99 ms", lambda r: fmt(r.small_p99_ms, r.small_status, ".2f"), ""),
    ]
    for label, get, disk in rows:
        print(f"{label:<22}" + "".join(f"{get(r):>{w}}" for r in results) + f"{disk:>{w}}")
    print(f"disk bound: {dd_cmd}")
    print("CPU seconds, client (this process) / server, over each phase's wall time:")
    for r in results:
        parts = [f"{phase} {c:.1f}/{s:.1f} in {wall:.1f} s" for phase, (c, s, wall) in r.cpu.items()]
        print(f"  {r.name}: " + ("; ".join(parts) if parts else "-"))

    ratios = []
    disk_frac = ratio(lb.put_mibs if lb and lb.put_status == "ok" else None, disk_mibs)
    if disk_frac is not None:
        ratios.append(f"landbridge large PUT / disk {disk_frac:.0%}")
    if lb and moto:
        for label, a, b in (
            ("large PUT", lb.put_mibs if lb.put_status == "ok" else None, moto.put_mibs if moto.put_status == "ok" else None),
            ("large GET", lb.get_mibs if lb.get_status == "ok" else None, moto.get_mibs if moto.get_status == "ok" else None),
            ("small PUTs", lb.small_rps, moto.small_rps),
        ):
            x = ratio(a, b)
            if x is not None:
                ratios.append(f"{label} landbridge/moto {x:.1f}x")
    print("ratios: " + ("; ".join(ratios) if ratios else "-"))

    if disk_frac is None:
        t1 = "n/a"
    else:
        t1 = f"{'met' if disk_frac >= TARGET_DISK_FRACTION else 'MISSED'} ({disk_frac:.0%})"
    small = ratio(lb.small_rps if lb else None, moto.small_rps if moto else None)
    t2 = "n/a" if small is None else f"{'met' if small >= TARGET_SMALL_RATIO else 'MISSED'} ({small:.1f}x)"
    print(f"targets: large PUT >= {TARGET_DISK_FRACTION:.0%} of the disk bound: {t1}; "
          f"small PUTs >= {TARGET_SMALL_RATIO:.0f}x moto: {t2}")
    for r in results:
        c, _, wall = r.cpu.get("small PUTs", (0.0, 0.0, 0.0))
        if r.small_status == "ok" and wall > 0 and c >= CLIENT_BOUND_FRACTION * wall:
            print(f"note: {r.name} small PUTs: the client used {c:.1f} s of CPU in {wall:.1f} s; boto3 runs under "
                  "one GIL, so this rate is the client's ceiling as much as the server's")
        for note in r.notes:
            print(f"note: {note}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--landbridge", help="Landbridge binary (omit to skip Landbridge)")
    ap.add_argument("--moto", help="moto_server executable (omit to skip moto)")
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--small-count", type=int, default=10_000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--part-mib", type=int, default=64)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--skip-moto-large", action="store_true")
    ap.add_argument("--moto-large-timeout", type=float, default=300.0)
    ap.add_argument("--tmp-parent", default=os.environ.get("BENCH_TMPDIR") or "/var/tmp",
                    help="where the fresh temporary directory goes: the disk under test")
    args = ap.parse_args()
    if not args.landbridge and not args.moto:
        ap.error("nothing to run: give --landbridge and/or --moto")
    if args.size_mib < 1 or args.small_count < 1 or args.concurrency < 1:
        ap.error("--size-mib, --small-count and --concurrency must be positive")

    size = args.size_mib * MIB
    workdir = tempfile.mkdtemp(prefix="landbridge-bench-s3-", dir=args.tmp_parent)
    # Servers inherit this: Landbridge's ephemeral data dir and moto's spooled files land here.
    os.environ["TMPDIR"] = workdir
    failures: list[str] = []
    try:
        print(f"work dir {workdir} on {mount_of(workdir)}")
        src = os.path.join(workdir, "source.bin")
        t0 = time.perf_counter()
        src_sha = write_source(src, size)
        print(f"source: {size // MIB} MiB of os.urandom written and fsynced in {time.perf_counter() - t0:.1f} s, "
              f"sha256 {src_sha[:16]}...")
        disk_mibs, dd_cmd = None, "dd not run"
        try:
            disk_mibs, dd_cmd = dd_bound(src, workdir, size)
            print(f"disk: {dd_cmd}: {disk_mibs:.1f} MiB/s")
        except (BenchError, subprocess.TimeoutExpired) as exc:
            failures.append(f"disk bound: {exc}")

        results = []
        if args.landbridge:
            print("landbridge: large PUT/GET, then small PUTs ...")
            results.append(bench_server("landbridge", start_landbridge, args.landbridge, workdir, args, src, src_sha, size, "run"))
        if args.moto:
            print("moto_server: large PUT/GET, then small PUTs ...")
            large = "skip" if args.skip_moto_large else "bounded"
            results.append(bench_server("moto_server", start_moto, args.moto, workdir, args, src, src_sha, size, large))
        for r in results:
            failures.extend(r.failures)
        report(results, disk_mibs, dd_cmd, args, size)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    if failures:
        print("\nFAILED:", file=sys.stderr)
        for f in failures:
            print(f"  {f}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
