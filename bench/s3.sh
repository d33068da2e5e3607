#!/usr/bin/env bash
# S3 throughput and latency, Landbridge beside moto_server, in one run, with the same
# clients (boto3 path-style for the large object, wrk for the small PUTs) against both,
# plus the disk's own bound. See bench/s3.py.
#
#   (a) a SIZE_MIB object (default 1024: 1 GiB) PUT with boto3 upload_file (multipart,
#       64 MiB parts, 4 threads) and GET with download_file; MiB/s each way; the
#       download's SHA-256 must match;
#   (b) SMALL_COUNT (default 10,000) x 4 KiB PUTs, each to a new key, from wrk -t2 -c16
#       (bench/s3_put.lua), exactly that many; requests/s, p50 and p99 latency, non-2xx
#       answers; the listing must count every 2xx PUT;
#   (c) dd of the same file with conv=fsync to the same disk: the physical bound.
#
#   bench/s3.sh                       release build of Landbridge, then everything
#   SIZE_MIB=64 SMALL_COUNT=500 bench/s3.sh     a quick run
#   bench/s3.sh --skip-moto-large     moto only does the small PUTs (its 1 GiB PUT is slow;
#                                     by default it runs, bounded by MOTO_LARGE_TIMEOUT=300 s,
#                                     and reports "timeout" past that)
#   bench/s3.sh --landbridge-only | --moto-only
#   LANDBRIDGE_BIN=/path/to/bin bench/s3.sh
#                                     another Landbridge binary (no cargo build)
#   bench/s3.sh --no-build            the release binary as it is in CARGO_TARGET_DIR
#                                     (no cargo build)
#   BENCH_TMPDIR=/var/tmp (default)   where the fresh temporary directory goes: the disk
#                                     under test; it is removed at the end
#   CONCURRENCY=16 WRK_THREADS=2      wrk's -c and -t for the small PUTs (defaults)
#   PART_MIB=64 THREADS=4             boto3's part size and threads for the large object
#
# Missed targets (large PUT >= 70% of the disk bound; small PUTs >= 10x moto) are printed,
# never fatal; the exit code is non-zero only when a server failed or data did not verify.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source bench/lib.sh

run_lb=1
run_moto=1
skip_moto_large=0
build=1
for arg in "$@"; do
    case "$arg" in
        --moto-only) run_lb=0 ;;
        --landbridge-only) run_moto=0 ;;
        --skip-moto-large) skip_moto_large=1 ;;
        --no-build) build=0 ;;
        -h | --help)
            sed -n '2,/^set -euo/p' bench/s3.sh | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "unknown argument: $arg (try --help)" >&2
            exit 2
            ;;
    esac
done
if ((!run_lb && !run_moto)); then
    echo "--moto-only and --landbridge-only together leave nothing to run" >&2
    exit 2
fi

ensure_wrk

py_args=(--size-mib "${SIZE_MIB:-1024}" --small-count "${SMALL_COUNT:-10000}"
    --concurrency "${CONCURRENCY:-16}" --wrk-threads "${WRK_THREADS:-2}"
    --part-mib "${PART_MIB:-64}" --threads "${THREADS:-4}"
    --moto-large-timeout "${MOTO_LARGE_TIMEOUT:-300}" --tmp-parent "${BENCH_TMPDIR:-/var/tmp}")
if ((run_lb)); then
    py_args+=(--landbridge "$(landbridge_binary "$build")")
fi
# moto[server] brings boto3, the client used against both servers.
ensure_bench_venv
if ((run_moto)); then
    py_args+=(--moto "$VENV/bin/moto_server")
    if ((skip_moto_large)); then
        py_args+=(--skip-moto-large)
    fi
fi

exec "$VENV/bin/python" bench/s3.py "${py_args[@]}"
