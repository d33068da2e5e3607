#!/usr/bin/env bash
# Start-up time and idle memory, Landbridge beside moto_server, in one run.
#
#   bench/startup.sh            20 starts of each
#   RUNS=50 bench/startup.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/landbridge-target}"
VENV="${LANDBRIDGE_BENCH_VENV:-/var/tmp/landbridge-bench-venv}"

cargo build --release --quiet -p landbridge
if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r bench/requirements.txt

exec "$VENV/bin/python" bench/startup.py \
    --landbridge "$CARGO_TARGET_DIR/release/landbridge" \
    --moto "$VENV/bin/moto_server" \
    --runs "${RUNS:-20}"
