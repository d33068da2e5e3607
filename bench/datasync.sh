#!/usr/bin/env bash
# DataSync against rclone: 10,000 x 4 KiB files and one 2 GiB file, from a local
# directory to Landbridge's S3, by a DataSync task and by `rclone sync`, in one run;
# then a tree of WIDE tiny files copied file to file, for the engine's peak memory.
#
#   bench/datasync.sh                          the issue's trees
#   SMALL=2000 BIG_MIB=256 WIDE=20000 bench/datasync.sh   a quick run
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source bench/lib.sh

LANDBRIDGE="$(landbridge_binary)"
ensure_bench_venv
ensure_tool rclone rclone

exec "$VENV/bin/python" bench/datasync.py \
    --landbridge "$LANDBRIDGE" \
    --small "${SMALL:-10000}" \
    --big-mib "${BIG_MIB:-2048}" \
    --wide "${WIDE:-200000}"
