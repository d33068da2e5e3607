# Shared by the bench/*.sh scripts (sourced, not run): the benchmark venv,
# wrk, and the Landbridge binary to measure.

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/landbridge-target}"
VENV="${LANDBRIDGE_BENCH_VENV:-/var/tmp/landbridge-bench-venv}"

# The venv with the pinned peers (moto[server], which brings boto3).
ensure_bench_venv() {
    if [[ ! -x "$VENV/bin/python" ]]; then
        python3 -m venv "$VENV"
    fi
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r bench/requirements.txt
}

# Installs Debian package $2 when command $1 is missing (root only).
ensure_tool() {
    local cmd="$1" package="$2"
    if ! command -v "$cmd" >/dev/null 2>&1; then
        if [[ "$(id -u)" != 0 ]]; then
            echo "$cmd is missing: apt-get install $package (as root)" >&2
            exit 1
        fi
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
    fi
}

ensure_wrk() {
    ensure_tool wrk wrk
}

# Prints the binary to measure: $LANDBRIDGE_BIN, else the release build
# (built first unless $1 is 0).
landbridge_binary() {
    local build="${1:-1}"
    if [[ -n "${LANDBRIDGE_BIN:-}" ]]; then
        echo "$LANDBRIDGE_BIN"
        return
    fi
    if ((build)); then
        cargo build --release --quiet -p landbridge >&2
    elif [[ ! -x "$CARGO_TARGET_DIR/release/landbridge" ]]; then
        echo "--no-build: there is no $CARGO_TARGET_DIR/release/landbridge" >&2
        exit 1
    fi
    echo "$CARGO_TARGET_DIR/release/landbridge"
}
