#!/usr/bin/env bash
# Transit gateway routing at AWS's quotas, Landbridge beside moto_server in one run: one
# transit gateway with 5,000 VPC attachments and 10,000 routes; SearchTransitGatewayRoutes
# latency and the latency of a propagation toggle as a search sees it. See bench/routing.py.
#
#   bench/routing.sh                       release build, both servers
#   bench/routing.sh --landbridge-only | --moto-only
#   ATTACHMENTS=500 STATICS=500 ROUNDS=50 bench/routing.sh     a quick run
#   LANDBRIDGE_BIN=/path/to/bin bench/routing.sh
#
# Missed targets are printed, never fatal; the exit code is non-zero only when a server
# failed or an answer was wrong.
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
            sed -n '2,/^set -euo/p' bench/routing.sh | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "unknown argument: $arg (try --help)" >&2
            exit 2
            ;;
    esac
done

py_args=(--attachments "${ATTACHMENTS:-5000}" --statics "${STATICS:-5000}" --rounds "${ROUNDS:-200}")
if ((run_lb)); then
    py_args+=(--landbridge "$(landbridge_binary)")
fi
ensure_bench_venv
if ((run_moto)); then
    py_args+=(--moto "$VENV/bin/moto_server")
fi
exec "$VENV/bin/python" bench/routing.py "${py_args[@]}"
