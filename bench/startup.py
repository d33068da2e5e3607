"""Time from process start to the first answered AWS request, and resident memory
when idle, for Landbridge and moto_server side by side.

"First answered request" is an STS GetCallerIdentity POST that gets an HTTP answer;
the client retries its connection every 0.5 ms until the server accepts. RSS is read
from /proc after the first answer and one second of idleness.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import statistics
import subprocess
import time

from api import free_port, rss_kib

BODY = "Action=GetCallerIdentity&Version=2011-06-15"
HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded",
    "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request, "
    "SignedHeaders=host, Signature=0",
}


def first_answer(port: int, deadline: float) -> int:
    while time.perf_counter() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("POST", "/", BODY, HEADERS)
            status = conn.getresponse().status
            conn.close()
            return status
        except OSError:
            time.sleep(0.0005)
    raise TimeoutError("server did not answer")


def measure(cmd_for_port, runs: int) -> tuple[list[float], list[int]]:
    times, rss = [], []
    for _ in range(runs):
        port = free_port()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd_for_port(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            status = first_answer(port, t0 + 30)
            times.append((time.perf_counter() - t0) * 1000)
            assert status == 200, f"first answer was HTTP {status}"
            time.sleep(1.0)  # idle before reading memory
            rss.append(rss_kib(proc.pid))
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return times, rss


def summary(name: str, times: list[float], rss: list[int]) -> dict:
    times = sorted(times)
    row = {
        "name": name,
        "median_ms": statistics.median(times),
        "p90_ms": times[int(0.9 * (len(times) - 1))],
        "max_ms": times[-1],
        "rss_mib": statistics.median(rss) / 1024,
    }
    print(
        f"{name:<12} start->first answer: median {row['median_ms']:7.1f} ms  p90 {row['p90_ms']:7.1f} ms"
        f"  max {row['max_ms']:7.1f} ms   idle RSS {row['rss_mib']:6.1f} MiB"
    )
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--landbridge", required=True)
    ap.add_argument("--moto", required=True)
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()

    lb = summary(
        "landbridge",
        *measure(lambda p: [args.landbridge, "--listen", f"127.0.0.1:{p}", "--ephemeral", "--log-level", "warn"], args.runs),
    )
    moto = summary("moto_server", *measure(lambda p: [args.moto, "-p", str(p)], max(3, args.runs // 4)))
    print(
        f"ratio (moto / landbridge): start-up {moto['median_ms'] / lb['median_ms']:.1f}x,"
        f" idle RSS {moto['rss_mib'] / lb['rss_mib']:.1f}x"
    )
    print(f"targets: start-up <= 50 ms: {'met' if lb['p90_ms'] <= 50 else 'MISSED'};"
          f" idle RSS <= 20 MiB: {'met' if lb['rss_mib'] <= 20 else 'MISSED'}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
