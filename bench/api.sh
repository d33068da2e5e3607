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
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/landbridge-target}"
VENV="${LANDBRIDGE_BENCH_VENV:-/var/tmp/landbridge-bench-venv}"

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

if ! command -v wrk >/dev/null 2>&1; then
    if [[ "$(id -u)" != 0 ]]; then
        echo "wrk is missing: apt-get install wrk (as root)" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

py_args=(--duration "${DURATION:-10}" --resources "${RESOURCES:-10000}"
    --max-rps "${BENCH_MAX_RPS:-200000}" --subnets-per-vpc "${SUBNETS_PER_VPC:-4096}")
if ((run_lb)); then
    if [[ -n "${LANDBRIDGE_BIN:-}" ]]; then
        py_args+=(--landbridge "$LANDBRIDGE_BIN")
    else
        cargo build --release --quiet -p landbridge
        py_args+=(--landbridge "$CARGO_TARGET_DIR/release/landbridge")
    fi
fi
if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r bench/requirements.txt
if ((run_moto)); then
    py_args+=(--moto "$VENV/bin/moto_server")
fi

exec "$VENV/bin/python" bench/api.py "${py_args[@]}"
