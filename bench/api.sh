#!/usr/bin/env bash
# EC2 API throughput, latency and memory, Landbridge beside moto_server, in one run:
# the same query-protocol call mix (bench/api_mix.lua) from wrk at concurrency 1 and 16,
# and VmRSS idle and with 10,000 resources. See bench/api.py for the details.
#
#   bench/api.sh                  10 s per wrk run
#   DURATION=30 bench/api.sh
#   bench/api.sh --moto-only      moto_server alone (no cargo build)
#   bench/api.sh --landbridge-only
#   LANDBRIDGE_BIN=/path/to/bin bench/api.sh
#                                 another Landbridge binary (no cargo build); anything that
#                                 takes --listen/--ephemeral/--log-level, prints the ready
#                                 line and speaks the EC2 query protocol will do
#   RESOURCES=10000 BENCH_MAX_RPS=200000 SUBNETS_PER_VPC=4096   (defaults)
#
# Missed targets are printed, never fatal; the exit code is non-zero only when a server
# failed to start or a run had no successful call.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source bench/lib.sh

run_lb=1
run_moto=1
for arg in "$@"; do
    case "$arg" in
        --moto-only) run_lb=0 ;;
        --landbridge-only) run_moto=0 ;;
        -h | --help)
            sed -n '2,/^set -euo/p' bench/api.sh | sed '$d; s/^# \{0,1\}//'
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

py_args=(--duration "${DURATION:-10}" --resources "${RESOURCES:-10000}"
    --max-rps "${BENCH_MAX_RPS:-200000}" --subnets-per-vpc "${SUBNETS_PER_VPC:-4096}")
if ((run_lb)); then
    py_args+=(--landbridge "$(landbridge_binary)")
fi
ensure_bench_venv
if ((run_moto)); then
    py_args+=(--moto "$VENV/bin/moto_server")
fi

exec "$VENV/bin/python" bench/api.py "${py_args[@]}"
