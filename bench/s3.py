"""S3 throughput and latency, Landbridge and moto_server side by side, with the disk's
own sequential write as the physical bound.

One run measures, with the same clients against both servers (boto3, path-style, for
the large object; wrk for the small PUTs):

- large: one SIZE_MIB object (default 1 GiB) uploaded with `upload_file` (multipart,
  PART_MIB parts, THREADS threads) and downloaded with `download_file` (ranged GETs,
  same part size and threads); MiB/s each way; the download's SHA-256 must equal the
  source's;
- small: SMALL_COUNT (default 10,000) PUTs of 4 KiB, each to a new key, from wrk with
  WRK_THREADS threads (default 2) over CONCURRENCY keep-alive connections (default 16),
  scripted by bench/s3_put.lua: path-style PUT Object with an UNSIGNED-PAYLOAD SigV4
  header (credential scope service s3, dummy signature) and one random 4 KiB body, the
  same for every request and both servers. The count is exact: the script sends each
  thread's share and no more, stops the thread on its last answer, and this script then
  ends wrk with SIGINT. Requests/s = answers / time from the first request sent to the
  last answer (the script's CLOCK_MONOTONIC), p50/p99 from wrk's latency histogram,
  non-2xx answers counted. Then the listing's KeyCount must equal the 2xx answers and a
  random listed object must read back as the body. (boto3 was the client here before:
  under the GIL it saturated a core near 1,000 PUTs/s and so bounded the measurement.)
- disk: `dd if=<the source file> of=<workdir>/dd.out bs=8M conv=fsync`, timed: the
  same bytes written sequentially and fsynced, as MiB/s.

Each phase gets a freshly started server. The source file is written once (os.urandom
in 8 MiB chunks) in a fresh temporary directory on the disk under test, which also holds
the servers' data (TMPDIR points there: Landbridge's --ephemeral data dir, moto's spooled
temporary files), the downloads and dd's output; it is removed at the end.

The large-object client: boto3 with `payload_signing_enabled=False` and checksums only
where the API requires them, so it does not hash request or response bodies (botocore
otherwise SHA-256s every body sent over plain HTTP and adds CRC32s); the integrity check
is the SHA-256 of the download. Both servers accept any signature. Only 127.0.0.1 is
contacted.

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
import re
import resource
import shutil
import signal
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
SMALL_TIMEOUT_S = 600  # wrk's -d: the bound on the small PUTs (moto needs ~30 s for 10,000)
WRK_TIMEOUT_S = 10  # wrk's --timeout: slower answers count as timeouts

TARGET_DISK_FRACTION = 0.70
TARGET_SMALL_RATIO = 10.0
BUSY_FRACTION = 0.85  # CPU used / CPU available above which the pace is the machine's, not the server's


# ---- measurements ---------------------------------------------------------------------


def cpu_split(pid: int) -> tuple[float, float]:
    """(utime, stime) of a process, all its threads, in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tck = os.sysconf("SC_CLK_TCK")
        return int(fields[11]) / tck, int(fields[12]) / tck
    except (OSError, IndexError, ValueError):
        return float("nan"), float("nan")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, all its threads, in seconds."""
    return sum(cpu_split(pid))


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
    small_wall_s: float | None = None
    small_sent: int = 0
    small_answered: int = 0
    small_ok: int = 0
    small_non2xx: int = 0
    small_socket_errors: int = 0
    small_listed: int | None = None
    small_server_user_sys: tuple[float, float] = (0.0, 0.0)
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


def small_phase(res: Results, server: Server, args, body_file: str, workdir: str) -> None:
    """args.small_count PUTs of the body in body_file, sent by wrk (bench/s3_put.lua) with
    args.wrk_threads threads over args.concurrency keep-alive connections; the script stops
    each thread after its share, and wrk gets SIGINT once every thread has said so."""
    count, threads = args.small_count, args.wrk_threads
    s3 = make_client(new_session(), server.port, pool=1)
    bucket = "bench-small"
    s3.create_bucket(Bucket=bucket)
    with open(body_file, "rb") as f:
        body = f.read()

    env = dict(os.environ, BENCH_BUCKET=bucket, BENCH_BODY_FILE=body_file, BENCH_COUNT=str(count),
               BENCH_THREADS=str(threads), BENCH_REGION=REGION,
               BENCH_ACCESS_KEY=ACCESS_KEY)
    cmd = [args.wrk, f"-t{threads}", f"-c{args.concurrency}", f"-d{SMALL_TIMEOUT_S}s",
           "--timeout", f"{WRK_TIMEOUT_S}s", "--latency", "-s", args.lua, f"http://127.0.0.1:{server.port}/"]
    out_path = os.path.join(workdir, f"wrk-{res.name}-small.txt")
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    server0 = cpu_split(server.proc.pid)
    t0 = time.perf_counter()
    with open(out_path + ".stderr", "w") as err:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, text=True)
    # wrk only ends by itself after -d; this bounds a wrk that would not even then.
    watchdog = threading.Timer(SMALL_TIMEOUT_S + 60, proc.kill)
    watchdog.start()
    lines, finished = [], set()
    try:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("WRKTHREADDONE "):
                finished.add(line.split()[1])
                if len(finished) == threads:
                    # Every thread is done: end wrk's sleep. Sent again each second, in case
                    # the first landed before wrk began to sleep (it would then sleep all of -d).
                    interrupt = threading.Thread(target=interrupt_until_exit, args=(proc,), daemon=True)
                    interrupt.start()
        proc.wait()
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    wall = time.perf_counter() - t0
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (children1.ru_utime - children0.ru_utime) + (children1.ru_stime - children0.ru_stime)
    server1 = cpu_split(server.proc.pid)
    res.small_server_user_sys = (server1[0] - server0[0], server1[1] - server0[1])
    res.cpu["small PUTs"] = (wrk_cpu, sum(res.small_server_user_sys), wall)
    stdout = "".join(lines)
    with open(out_path, "w") as f:
        f.write(stdout)

    m = re.search(r"^WRKRESULT (.*)$", stdout, re.M)
    if not m:
        res.small_status = "failed"
        with open(out_path + ".stderr") as f:
            stderr = f.read()
        res.failures.append(f"{res.name}: wrk failed (exit {proc.returncode}): {(stderr or stdout)[-800:]}")
        return
    kv = {k: int(v) for k, v in (item.split("=", 1) for item in m.group(1).split())}
    res.small_sent, res.small_answered, res.small_ok = kv["sent"], kv["answered"], kv["ok"]
    res.small_non2xx = kv["non2xx"]
    res.small_socket_errors = sum(kv[k] for k in ("connect", "read", "write", "timeout"))
    codes = dict((c, int(n)) for c, n in re.findall(r"^WRKERRCODE (\S+) (\d+)$", stdout, re.M))
    if kv["threads_finished"] < threads:
        res.small_status = "timeout"
        res.failures.append(f"{res.name}: small PUTs: {kv['answered']} of {count} answered after "
                            f"{SMALL_TIMEOUT_S} s (socket errors {res.small_socket_errors})")
        return
    wall_s = kv["wall_us"] / 1e6
    res.small_status = "ok"
    res.small_rps = kv["answered"] / wall_s if wall_s > 0 else None
    res.small_wall_s = wall_s
    res.small_p50_ms = kv["p50_us"] / 1000
    res.small_p99_ms = kv["p99_us"] / 1000
    if res.small_non2xx or res.small_socket_errors:
        detail = ", ".join(f"{c} x{n}" for c, n in sorted(codes.items(), key=lambda kv: -kv[1])) or "no code"
        res.failures.append(f"{res.name}: small PUTs: {res.small_non2xx} non-2xx answers ({detail}), "
                            f"{res.small_socket_errors} socket errors")

    # Verify: the listing counts exactly the 2xx PUTs, and one listed object reads back intact.
    keys: list[str] = []
    listed = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        listed += page.get("KeyCount", 0)
        keys.extend(o["Key"] for o in page.get("Contents", []))
    res.small_listed = listed
    if listed != res.small_ok:
        res.failures.append(f"{res.name}: listing shows {listed} small objects, {res.small_ok} PUTs answered 2xx")
    if keys:
        probe = random.choice(keys)
        if s3.get_object(Bucket=bucket, Key=probe)["Body"].read() != body:
            res.failures.append(f"{res.name}: {probe} does not read back as written")


def interrupt_until_exit(proc: subprocess.Popen) -> None:
    while proc.poll() is None:
        try:
            proc.send_signal(signal.SIGINT)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            pass


def bench_server(name: str, start, binary: str, workdir: str, args, src: str, src_sha: str, size: int,
                 large: str, body_file: str) -> Results:
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
        small_phase(res, server, args, body_file, workdir)
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
        f"{args.threads} threads); {args.small_count} x 4 KiB PUTs by wrk -t{args.wrk_threads} -c{args.concurrency}"
        " (all of them; req/s = answers / time from the first request sent to the last answer)"
    )
    print(f"{'':<22}" + "".join(f"{c:>{w}}" for c in cols))
    rows = [
        ("large PUT   MiB/s", lambda r: fmt(r.put_mibs, r.put_status, ".1f"), f"{disk_mibs:.1f}" if disk_mibs else "-"),
        ("large GET   MiB/s", lambda r: fmt(r.get_mibs, r.get_status, ".1f"), ""),
        ("small PUTs  req/s", lambda r: fmt(r.small_rps, r.small_status, ".1f"), ""),
        ("small PUT   p50 ms", lambda r: fmt(r.small_p50_ms, r.small_status, ".2f"), ""),
        ("small PUT   p99 ms", lambda r: fmt(r.small_p99_ms, r.small_status, ".2f"), ""),
        ("small PUT   non-2xx", lambda r: str(r.small_non2xx) if r.small_status in ("ok", "timeout") else "-", ""),
        ("small PUT   2xx", lambda r: str(r.small_ok) if r.small_status in ("ok", "timeout") else "-", ""),
        ("small objs  listed", lambda r: "-" if r.small_listed is None else str(r.small_listed), ""),
    ]
    for label, get, disk in rows:
        print(f"{label:<22}" + "".join(f"{get(r):>{w}}" for r in results) + f"{disk:>{w}}")
    print(f"disk bound: {dd_cmd}")
    print("small PUT latency: wrk's percentiles (as bench/api.sh's: wrk corrects them for coordinated omission)")
    print(f"CPU seconds, client / server, over each phase's wall time (client: this process's boto3 for the large "
          f"phases, wrk for the small PUTs, whose wall is wrk's whole run); {os.cpu_count()} CPUs:")
    for r in results:
        parts = [f"{phase} {c:.2f}/{s:.2f} in {wall:.2f} s" for phase, (c, s, wall) in r.cpu.items()]
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
    cpus = os.cpu_count() or 1
    for r in results:
        c, s, wall = r.cpu.get("small PUTs", (0.0, 0.0, 0.0))
        if r.small_status == "ok" and wall > 0:
            if c >= BUSY_FRACTION * wall * min(args.wrk_threads, cpus):
                print(f"note: {r.name} small PUTs: wrk used {c:.1f} s of CPU in {wall:.1f} s with {args.wrk_threads} "
                      "threads: the client, not the server, set this pace")
            elif c + s >= BUSY_FRACTION * wall * cpus:
                user, sys_ = r.small_server_user_sys
                print(f"note: {r.name} small PUTs: the server ({s:.1f} s: user {user:.1f}, system {sys_:.1f}) and "
                      f"wrk ({c:.1f} s) used {(c + s) / (wall * cpus):.0%} of the {cpus} CPUs over {wall:.1f} s: "
                      f"the CPUs bound this rate, and wrk's share of them is {c / (c + s):.0%}")
        for note in r.notes:
            print(f"note: {note}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--landbridge", help="Landbridge binary (omit to skip Landbridge)")
    ap.add_argument("--moto", help="moto_server executable (omit to skip moto)")
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--small-count", type=int, default=10_000)
    ap.add_argument("--concurrency", type=int, default=16, help="wrk's connections (-c) for the small PUTs")
    ap.add_argument("--wrk-threads", type=int, default=2, help="wrk's threads (-t) for the small PUTs")
    ap.add_argument("--wrk", default="wrk")
    ap.add_argument("--lua", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "s3_put.lua"))
    ap.add_argument("--part-mib", type=int, default=64)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--skip-moto-large", action="store_true")
    ap.add_argument("--moto-large-timeout", type=float, default=300.0)
    ap.add_argument("--tmp-parent", default=os.environ.get("BENCH_TMPDIR") or "/var/tmp",
                    help="where the fresh temporary directory goes: the disk under test")
    args = ap.parse_args()
    if not args.landbridge and not args.moto:
        ap.error("nothing to run: give --landbridge and/or --moto")
    if args.size_mib < 1 or args.small_count < 1 or args.concurrency < 1 or args.wrk_threads < 1:
        ap.error("--size-mib, --small-count, --concurrency and --wrk-threads must be positive")
    if args.concurrency < args.wrk_threads or args.small_count < args.wrk_threads:
        ap.error("--concurrency and --small-count must be at least --wrk-threads")
    if not shutil.which(args.wrk):
        ap.error(f"{args.wrk} not found: apt-get install wrk")

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
        body_file = os.path.join(workdir, "small-body.bin")
        with open(body_file, "wb") as f:
            f.write(os.urandom(SMALL_SIZE))  # the small PUTs' body, the same bytes for both servers
        disk_mibs, dd_cmd = None, "dd not run"
        try:
            disk_mibs, dd_cmd = dd_bound(src, workdir, size)
            print(f"disk: {dd_cmd}: {disk_mibs:.1f} MiB/s")
        except (BenchError, subprocess.TimeoutExpired) as exc:
            failures.append(f"disk bound: {exc}")

        results = []
        if args.landbridge:
            print("landbridge: large PUT/GET, then small PUTs ...")
            results.append(bench_server("landbridge", start_landbridge, args.landbridge, workdir, args, src, src_sha, size, "run",
                                         body_file))
        if args.moto:
            print("moto_server: large PUT/GET, then small PUTs ...")
            large = "skip" if args.skip_moto_large else "bounded"
            results.append(bench_server("moto_server", start_moto, args.moto, workdir, args, src, src_sha, size, large,
                                         body_file))
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
