#!/usr/bin/env bash
# Runs every cargo-fuzz target for a bounded time (default 300 s each) and
# stops at the first crash. Installs cargo-fuzz when it is missing.
#
#   bench/fuzz.sh              all targets, 300 s each
#   FUZZ_SECONDS=30 bench/fuzz.sh json_decode
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/fuzz"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-300}"
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-/var/tmp/landbridge-fuzz-target}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz
fi

targets=("$@")
if ((${#targets[@]} == 0)); then
    mapfile -t targets < <(cargo fuzz list)
fi

# cargo fuzz wants nightly flags; this toolchain is stable.
export RUSTC_BOOTSTRAP=1
for t in "${targets[@]}"; do
    echo "==> $t for ${SECONDS_PER_TARGET}s"
    mkdir -p "corpus/$t"
    if [[ -d "seeds/$t" ]]; then
        cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
    fi
    cargo fuzz run "$t" "corpus/$t" -- -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 2>&1 | tail -n 5
    echo "$t: no crash in ${SECONDS_PER_TARGET}s"
done
