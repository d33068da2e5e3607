#!/usr/bin/env bash
# Runs every test Landbridge has, on a fresh machine or an old one:
# installs what the tests need (Debian packages, a Python venv with the
# pinned AWS CLI and boto3), checks formatting, lints and generated code,
# runs the Rust unit tests, builds the binary and runs the conformance
# suite against it.
#
#   scripts/test.sh            everything
#   scripts/test.sh -k sts     extra arguments go to pytest
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Builds are incremental across runs when the target dir survives, but
# nothing depends on it existing.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/landbridge-target}"
VENV="${LANDBRIDGE_VENV:-/var/tmp/landbridge-venv}"

step() { printf '\n==> %s\n' "$*"; }

step "disk space"
# The suite writes a few 1 GiB files (multipart S3, SFTP) and the debug build
# needs room too; say so up front rather than failing half-way with ENOSPC.
mkdir -p "$CARGO_TARGET_DIR"
df -h "${TMPDIR:-/tmp}" "$CARGO_TARGET_DIR"
free_kib=$(df -Pk "${TMPDIR:-/tmp}" | awk 'NR == 2 { print $4 }')
if ((free_kib < 6 * 1024 * 1024)); then
    echo "warning: less than 6 GiB free under ${TMPDIR:-/tmp}; the large-file tests may fail" >&2
fi
# Incremental caches grow with every build (14 GiB in a day of them); they
# only save time, so they go first when the disk runs short.
target_free_kib=$(df -Pk "$CARGO_TARGET_DIR" | awk 'NR == 2 { print $4 }')
if ((target_free_kib < 10 * 1024 * 1024)) && [[ -d "$CARGO_TARGET_DIR/debug/incremental" ]]; then
    echo "under 10 GiB free: removing $CARGO_TARGET_DIR/debug/incremental (rebuilt as needed)"
    rm -rf "$CARGO_TARGET_DIR/debug/incremental"
fi

step "Debian packages"
missing=()
while read -r pkg; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done < tests/debian-packages.txt
if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    else
        echo "missing Debian packages (run as root to install): ${missing[*]}" >&2
    fi
else
    echo "all present"
fi

step "Python venv ($VENV)"
if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r tests/conformance/requirements.txt; then
    echo "pip install failed" >&2
    exit 1
fi

step "rustfmt"
cargo fmt --all -- --check

step "generated code is current"
cargo xtask codegen --check

step "clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "Rust unit tests"
cargo test --workspace --quiet

step "build landbridge"
cargo build --quiet -p landbridge
export LANDBRIDGE_BIN="$CARGO_TARGET_DIR/debug/landbridge"

step "conformance, interop and tidy tests"
exec "$VENV/bin/python" -m pytest tests "$@"
