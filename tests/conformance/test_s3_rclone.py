"""rclone (Debian's package) syncs a tree to Landbridge's S3 and back, and checks it.

The remote is given on the command line as a connection string, as a user without a
config file would: `:s3,provider=Other,endpoint='http://127.0.0.1:PORT',...,
force_path_style=true:bucket/path` (the endpoint must be quoted, else rclone ends the
parameters at the first colon in it).

What rclone does on the wire, which the server must get right:
- `sync` creates the bucket if needed, lists the destination one directory at a time
  (ListObjects v1 with `delimiter=/`: rclone's default for provider Other), PUTs small
  files with `X-Amz-Meta-Mtime` metadata, and uploads files above `--s3-upload-cutoff`
  as multipart uploads in `--s3-chunk-size` parts (adding `X-Amz-Meta-Md5chksum`, since
  a multipart ETag is not an MD5);
- `check` compares sizes and MD5s: the ETag for single-part objects, the stored
  md5chksum metadata for multipart ones; it exits non-zero on any difference, and the
  test also requires every file reported as matching (no "hashes could not be checked");
- deleting locally then syncing sends DeleteObject(s) for the extra keys.

rclone is installed with apt-get if missing (the test machine is root with access to
Debian's mirror); if that fails, the test fails and says so. Every rclone run is bounded
by a timeout and runs with `--retries 1 --low-level-retries 1`, so a server error is not
papered over by a retry.
"""

from __future__ import annotations

import filecmp
import os
import random
import subprocess
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from harness.peers import ensure_debian_packages

MIB = 1024 * 1024
ACCOUNT = "111122223333"
RCLONE_TIMEOUT = 300  # seconds per rclone command
BIG_FILE = "media/big/video.bin"
BIG_SIZE = 20 * MIB
CHUNK = 5 * MIB  # --s3-upload-cutoff and --s3-chunk-size

pytestmark = pytest.mark.deadline(900)


@pytest.fixture(scope="module")
def rclone() -> str:
    try:
        ensure_debian_packages("rclone")
    except Exception as exc:  # noqa: BLE001 - any failure to install is the message
        pytest.fail(f"could not install Debian's rclone (apt-get install rclone): {exc}", pytrace=False)
    for candidate in ("/usr/bin/rclone", "/usr/local/bin/rclone"):
        if os.access(candidate, os.X_OK):
            return candidate
    pytest.fail("rclone is installed according to dpkg but no rclone binary was found", pytrace=False)


def make_tree(root: Path, seed: int = 20_250_101) -> dict[str, bytes]:
    """~300 files in nested directories: some empty, mostly small, one of 20 MiB."""
    rng = random.Random(seed)
    files: dict[str, bytes] = {}
    dirs = ["", "docs", "docs/a", "docs/a/deep/er/still", "src", "src/lib", "src/lib/x y", "media", "media/big", "empty-files"]
    for i in range(296):
        d = dirs[i % len(dirs)]
        if d == "empty-files" or i % 37 == 0:
            size = 0
        elif i % 11 == 0:
            size = rng.randrange(64 * 1024, 2 * MIB)
        else:
            size = rng.randrange(1, 16 * 1024)
        name = f"{d}/file-{i:03d}.dat" if d else f"top-{i:03d}.txt"
        files[name] = rng.randbytes(size)
    files["names/with space & plus+.txt"] = b"odd names\n"
    files["names/unicode-\u00e9\u00e8\u4e2d.txt"] = b"unicode name\n"
    files["names/.hidden"] = b"dot file\n"
    files[BIG_FILE] = rng.randbytes(BIG_SIZE)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def tree_files(root: Path) -> list[str]:
    out = []
    for dirpath, _, names in os.walk(root):
        for n in names:
            out.append(os.path.relpath(os.path.join(dirpath, n), root))
    return sorted(out)


def assert_same_tree(expected: Path, got: Path) -> None:
    want, have = tree_files(expected), tree_files(got)
    assert have == want, (
        f"file sets differ: missing {sorted(set(want) - set(have))[:20]}, "
        f"extra {sorted(set(have) - set(want))[:20]}"
    )
    differing = [rel for rel in want if not filecmp.cmp(expected / rel, got / rel, shallow=False)]
    assert not differing, f"{len(differing)} files differ byte for byte, e.g. {differing[:10]}"


def test_rclone_sync_and_check_both_ways(rclone, landbridge, tmp_path):
    bucket = f"lb-rclone-{uuid.uuid4().hex[:16]}"
    remote = (
        f":s3,provider=Other,endpoint='{landbridge.url}',access_key_id={ACCOUNT},"
        f"secret_access_key=x,force_path_style=true:{bucket}/tree"
    )
    env = dict(os.environ, RCLONE_CONFIG=str(tmp_path / "rclone.conf"), HOME=str(tmp_path))
    (tmp_path / "rclone.conf").write_text("")

    def run(*args: str) -> subprocess.CompletedProcess:
        cmd = [
            rclone, *args,
            "--retries", "1", "--low-level-retries", "1",
            "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M",
            "--log-level", "INFO", "--stats", "0",
        ]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=RCLONE_TIMEOUT, env=env, check=False)
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"rclone {args[0]} ran longer than {RCLONE_TIMEOUT}s; stderr tail:\n"
                        f"{(exc.stderr or b'')[-4000:]!r}\nserver stderr:\n{landbridge.stderr_tail()}")
        assert res.returncode == 0, (
            f"{' '.join(cmd)}\nexited {res.returncode}\nstdout:\n{res.stdout[-4000:]}\n"
            f"stderr:\n{res.stderr[-6000:]}\nserver stderr:\n{landbridge.stderr_tail()}"
        )
        return res

    local = tmp_path / "local"
    local.mkdir()
    files = make_tree(local)
    assert len(files) >= 300

    # 1. Upload, then check.
    def check(source: str, *extra: str) -> None:
        """`rclone check` exits 0 (run() asserts that), and compared every file by hash."""
        log = run("check", *extra, source, remote).stderr
        n = len(tree_files(Path(source)))
        assert f"{n} matching files" in log, f"rclone check did not match all {n} files:\n{log[-3000:]}"
        assert "could not be checked" not in log, f"rclone check skipped hashes:\n{log[-3000:]}"

    run("sync", str(local), remote)
    check(str(local))

    # The big file went up as a multipart upload in 5 MiB parts, keeping its MD5 for check.
    s3 = boto3.session.Session(
        aws_access_key_id=ACCOUNT, aws_secret_access_key="x", region_name="us-east-1"
    ).client(
        "s3",
        endpoint_url=landbridge.url,
        config=Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    head = s3.head_object(Bucket=bucket, Key=f"tree/{BIG_FILE}")
    assert head["ContentLength"] == BIG_SIZE
    assert head["ETag"].endswith(f'-{BIG_SIZE // CHUNK}"'), f"not a {BIG_SIZE // CHUNK}-part upload: {head['ETag']}"
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="tree/"):
        keys.extend(o["Key"] for o in page.get("Contents", []))
    assert sorted(keys) == sorted(f"tree/{rel}" for rel in files), "bucket listing differs from the tree"

    # 2. Change the tree: modify (same size and new size), delete, add; sync and check.
    rels = sorted(r for r in files if r != BIG_FILE and files[r])
    for rel in rels[:3]:
        p = local / rel
        data = bytearray(p.read_bytes())
        data[0] ^= 0xFF  # same size, different bytes
        p.write_bytes(bytes(data))
        os.utime(p, (1_700_000_000, 1_700_000_000))  # a modification time rclone cannot miss
    (local / rels[3]).write_bytes(b"shorter now")
    for rel in rels[4:8]:
        (local / rel).unlink()
    (local / "new-dir/nested/added.txt").parent.mkdir(parents=True)
    (local / "new-dir/nested/added.txt").write_bytes(b"added after the first sync\n")
    (local / "new-dir/empty.bin").write_bytes(b"")
    big = bytearray((local / BIG_FILE).read_bytes())
    big[BIG_SIZE // 2] ^= 0x01  # one byte in the middle of the multipart object
    (local / BIG_FILE).write_bytes(bytes(big))
    run("sync", str(local), remote)
    check(str(local))
    check(str(local), "--download")

    # 3. Down into an empty directory: byte for byte the same tree.
    down = tmp_path / "down"
    down.mkdir()
    run("sync", remote, str(down))
    assert_same_tree(local, down)
    check(str(down))
