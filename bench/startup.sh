#!/usr/bin/env bash
# Start-up time and idle memory, Landbridge beside moto_server, in one run.
#
#   bench/startup.sh            20 starts of each
#   RUNS=50 bench/startup.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source bench/lib.sh

LANDBRIDGE="$(landbridge_binary)"
ensure_bench_venv

exec "$VENV/bin/python" bench/startup.py \
    --landbridge "$LANDBRIDGE" \
    --moto "$VENV/bin/moto_server" \
    --runs "${RUNS:-20}"
