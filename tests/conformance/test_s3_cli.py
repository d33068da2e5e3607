"""S3 through the AWS CLI's high-level `aws s3` commands, as a user drives them.

Path-style requests to the shared server (the CLI uses path style for an IP endpoint).
Each test runs as its own random 12-digit account, so `aws s3 ls` of buckets is exact,
and uses its own uuid-named bucket.

What the CLI itself does on the wire (so what the server must get right):
- `s3 cp` of a file above 8 MiB is a multipart upload in 8 MiB parts, and its download
  is a HeadObject plus ranged GetObjects;
- `s3 sync` lists the destination (ListObjectsV2, `encoding-type=url`) and compares
  size and LastModified; `s3 rm --recursive` lists, then deletes each key;
- `s3 ls` of an empty prefix prints nothing and exits 1 (CLI behaviour, awscli v1).
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from harness.awscli import run_aws_text
from harness.peers import ensure_debian_packages

MIB = 1024 * 1024
CLI_PART_SIZE = 8 * MIB  # awscli's default multipart_threshold and multipart_chunksize


# --------------------------------------------------------------------------- helpers


def _account() -> str:
    return str(random.SystemRandom().randrange(100_000_000_000, 999_999_999_999))


def _bucket_name(tag: str) -> str:
    return f"lb-cli-{tag}-{uuid.uuid4().hex[:16]}"


@pytest.fixture
def account_env():
    """A fresh account per test: the CLI signs with a 12-digit access key id."""
    return {"AWS_ACCESS_KEY_ID": _account()}


@pytest.fixture
def s3cli(landbridge, account_env):
    """Run `aws --endpoint-url URL ARGS...` and return the CompletedProcess (text output).

    `aws s3 ...` prints text, not JSON, so the suite's `aws` fixture cannot parse it.
    `check=True` raises AwsCliError on a non-zero exit.
    """

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        return run_aws_text(*args, endpoint_url=landbridge.url, env=account_env, check=check)

    return run


@pytest.fixture
def s3api(aws, account_env):
    """`aws s3api ...` as the same account, parsed JSON."""

    def run(*args: str):
        return aws("s3api", *args, env=account_env)

    return run


def _listed_buckets(stdout: str) -> list[str]:
    """`aws s3 ls` prints `YYYY-MM-DD HH:MM:SS name` per bucket."""
    names = []
    for line in stdout.splitlines():
        if line.strip():
            parts = line.split()
            assert len(parts) == 3, f"unexpected `aws s3 ls` line: {line!r}"
            names.append(parts[2])
    return names


def _listed_objects(stdout: str) -> dict[str, int]:
    """`aws s3 ls --recursive` prints `YYYY-MM-DD HH:MM:SS <size> <key>` per object."""
    objects = {}
    for line in stdout.splitlines():
        if not line.strip():
            continue
        date, clock, size, key = line.split(maxsplit=3)
        time.strptime(f"{date} {clock}", "%Y-%m-%d %H:%M:%S")  # a real timestamp
        assert key not in objects, f"key listed twice: {key!r}"
        objects[key] = int(size)
    return objects


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(MIB), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tree(root: Path) -> dict[str, bytes]:
    """Relative path (posix) -> contents, for every file under root."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _make_tree(root: Path, rng: random.Random) -> dict[str, bytes]:
    """2,000 small files in nested directories (4 x 5 x 100), a few awkward names, one empty
    file; mtimes set an hour back so a second `sync` has nothing newer to upload."""
    files: dict[str, bytes] = {}
    for top in range(4):
        for sub in range(5):
            for i in range(100):
                rel = f"dir{top}/sub{sub}/file{i:03d}.bin"
                files[rel] = rng.randbytes(rng.randrange(1, 4096))
    files["dir0/with space.txt"] = b"a file whose name has a space\n"
    files["dir1/plus+sign.txt"] = b"a file whose name has a plus\n"
    files["dir2/empty.dat"] = b""
    past = time.time() - 3600
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, (past, past))
    return files


# --------------------------------------------------------------------------- buckets


def test_mb_ls_rb(s3cli):
    bucket = _bucket_name("mb")
    out = s3cli("s3", "mb", f"s3://{bucket}")
    assert f"make_bucket: {bucket}" in out.stdout

    listed = _listed_buckets(s3cli("s3", "ls").stdout)
    assert listed == [bucket], "a fresh account lists exactly the bucket it made"

    out = s3cli("s3", "rb", f"s3://{bucket}")
    assert f"remove_bucket: {bucket}" in out.stdout
    assert _listed_buckets(s3cli("s3", "ls").stdout) == []


# --------------------------------------------------------------------------- cp


def test_cp_small_file_round_trip(s3cli, s3api, tmp_path):
    bucket = _bucket_name("cp")
    s3cli("s3", "mb", f"s3://{bucket}")
    data = b"hello landbridge\n\x00\xff binary too\n" * 37
    src = tmp_path / "small.bin"
    src.write_bytes(data)

    s3cli("s3", "cp", src, f"s3://{bucket}/docs/small.bin", "--no-progress")
    head = s3api("head-object", "--bucket", bucket, "--key", "docs/small.bin")
    assert head["ContentLength"] == len(data)
    assert head["ETag"] == '"' + hashlib.md5(data).hexdigest() + '"', "a single PUT's ETag is the MD5"

    back = tmp_path / "back.bin"
    s3cli("s3", "cp", f"s3://{bucket}/docs/small.bin", back, "--no-progress")
    assert back.read_bytes() == data


@pytest.mark.deadline(300)
def test_cp_large_file_is_multipart_and_round_trips(s3cli, s3api, tmp_path):
    bucket = _bucket_name("big")
    s3cli("s3", "mb", f"s3://{bucket}")
    size = 1024 * MIB + 12_345  # 1 GiB and a short last part
    src = tmp_path / "big.bin"
    with open(src, "wb") as f:
        remaining = size
        while remaining:
            n = min(remaining, 4 * MIB)
            f.write(os.urandom(n))
            remaining -= n
    expected_sha = _sha256(src)

    s3cli("s3", "cp", src, f"s3://{bucket}/big.bin", "--no-progress")
    src.unlink()  # the suite runs on machines with a few GiB free

    head = s3api("head-object", "--bucket", bucket, "--key", "big.bin")
    assert head["ContentLength"] == size
    parts = math.ceil(size / CLI_PART_SIZE)
    etag = head["ETag"].strip('"')
    assert etag.endswith(f"-{parts}"), f"multipart ETag should end with -{parts}: {head['ETag']}"
    assert len(etag.split("-")[0]) == 32

    back = tmp_path / "big.back"
    s3cli("s3", "cp", f"s3://{bucket}/big.bin", back, "--no-progress")
    assert back.stat().st_size == size
    assert _sha256(back) == expected_sha
    back.unlink()
    s3api("delete-object", "--bucket", bucket, "--key", "big.bin")


def test_presigned_url_from_the_cli_is_fetched_with_curl(s3cli, tmp_path):
    ensure_debian_packages("curl")
    bucket = _bucket_name("presign")
    s3cli("s3", "mb", f"s3://{bucket}")
    data = os.urandom(100_000)
    src = tmp_path / "shared.bin"
    src.write_bytes(data)
    s3cli("s3", "cp", src, f"s3://{bucket}/shared/file.bin", "--no-progress")
    url = s3cli("s3", "presign", f"s3://{bucket}/shared/file.bin", "--expires-in", "300").stdout.strip()
    assert url.startswith("http://127.0.0.1:") and "Signature" in url, url
    back = tmp_path / "fetched.bin"
    fetched = subprocess.run(
        ["curl", "--silent", "--show-error", "--fail", "--max-time", "60", "--output", str(back), url],
        capture_output=True, text=True, timeout=90,
    )
    assert fetched.returncode == 0, fetched.stderr
    assert back.read_bytes() == data


# --------------------------------------------------------------------------- sync, ls, rm


@pytest.mark.deadline(300)
def test_sync_tree_both_ways_then_ls_and_rm_recursive(s3cli, tmp_path):
    bucket = _bucket_name("sync")
    s3cli("s3", "mb", f"s3://{bucket}")
    up = tmp_path / "up"
    down = tmp_path / "down"
    down.mkdir()
    files = _make_tree(up, random.Random(4))
    assert len(files) >= 2000

    out = s3cli("s3", "sync", up, f"s3://{bucket}/prefix/", "--no-progress")
    uploads = [line for line in out.stdout.splitlines() if line.startswith("upload:")]
    assert len(uploads) == len(files), out.stdout[-2000:]

    # Nothing changed locally and every object is newer than its file: nothing to do.
    again = s3cli("s3", "sync", up, f"s3://{bucket}/prefix/", "--no-progress")
    assert "upload:" not in again.stdout, f"second sync re-uploaded:\n{again.stdout[-2000:]}"

    listed = _listed_objects(s3cli("s3", "ls", "--recursive", f"s3://{bucket}/prefix/").stdout)
    assert listed == {f"prefix/{rel}": len(data) for rel, data in files.items()}

    s3cli("s3", "sync", f"s3://{bucket}/prefix/", down, "--no-progress")
    assert _tree(down) == files, "the tree synced down differs from the tree synced up"

    s3cli("s3", "rm", "--recursive", f"s3://{bucket}/prefix/", "--only-show-errors")
    empty = s3cli("s3", "ls", "--recursive", f"s3://{bucket}/prefix/", check=False)
    assert empty.stdout.strip() == "", empty.stdout[-2000:]
    assert empty.returncode == 1, f"`aws s3 ls` of an empty prefix exits 1; got {empty.returncode}: {empty.stderr}"

    s3cli("s3", "rb", f"s3://{bucket}")
    assert bucket not in _listed_buckets(s3cli("s3", "ls").stdout)
