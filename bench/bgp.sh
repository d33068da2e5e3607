#!/usr/bin/env bash
# BGP convergence, Landbridge beside GoBGP in one run: BIRD announces 10,000 prefixes over
# two sessions; the time until the API shows all of them, and from a session's loss to
# the failover, against GoBGP receiving the same announcement. See bench/bgp.py.
#
#   bench/bgp.sh                          release build, 10,000 prefixes, 3 rounds
#   PREFIXES=1000 ROUNDS=1 bench/bgp.sh   a quick run
#   LANDBRIDGE_BIN=/path/to/bin bench/bgp.sh
#
# Needs root (BIRD and GoBGP are installed from Debian, sessions use port 179). Missed
# targets are printed, never fatal.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source bench/lib.sh

case "${1:-}" in
    -h | --help)
        sed -n '2,/^set -euo/p' bench/bgp.sh | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    "") ;;
    *)
        echo "unknown argument: $1 (try --help)" >&2
        exit 2
        ;;
esac

bin="$(landbridge_binary)"
ensure_bench_venv
exec "$VENV/bin/python" bench/bgp.py --landbridge "$bin" --prefixes "${PREFIXES:-10000}" --rounds "${ROUNDS:-3}"
