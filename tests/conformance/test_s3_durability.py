"""S3 writes survive `kill -9`: no half-written object is ever visible, nothing is left behind.

Each test runs a server on its own data directory (`fresh_landbridge(data_dir=...)`),
kills it with SIGKILL at a chosen moment, reaps it, starts a new server on the same
directory and checks what a client sees and what is on disk:

- a PUT killed mid-body: the key still holds its previous version (or is absent if it
  had none), the listing agrees, and the partial file the server was writing is gone
  (`objects/tmp/` empty, `objects/blobs/` holds exactly the live objects' files);
- a multipart upload killed between UploadPart calls: the upload and its acknowledged
  parts are still listed, and completing it works;
- a multipart upload killed in the middle of an UploadPart body: only the acknowledged
  parts are listed, and aborting the upload removes their files.

The large body is streamed with http.client in 1 MiB chunks under a SigV4-shaped
Authorization header scoped to s3 (the server accepts any signature), so the test
decides exactly when to kill: once enough has been sent and the server is visibly
writing a temporary file. Every loop is bounded by a chunk count, every socket by a
timeout.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import signal
import time
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

MIB = 1024 * 1024
ACCOUNT = "111122223333"  # access key id: 12 digits, so the requests run as this account
BIG_BODY = 1024 * MIB  # the PUT that gets killed (declared length; killed part-way)
KILL_MIN_SENT = 50 * MIB  # kill no earlier than this many bytes sent ...
KILL_MAX_SENT = 150 * MIB  # ... and no later
PARTIAL_WANTED = 32 * MIB  # kill early once the server's temporary file is this large
SOCKET_TIMEOUT = 30.0


# --------------------------------------------------------------------------- helpers


def make_s3(url: str):
    session = boto3.session.Session(
        aws_access_key_id=ACCOUNT, aws_secret_access_key="test", region_name="us-east-1"
    )
    config = Config(
        s3={"addressing_style": "path"},
        connect_timeout=10,
        read_timeout=60,
        retries={"total_max_attempts": 1, "mode": "standard"},
    )
    return session.client("s3", endpoint_url=url, config=config)


def md5_etag(data: bytes) -> str:
    return '"' + hashlib.md5(data).hexdigest() + '"'


def multipart_etag(parts: list[bytes]) -> str:
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


def files_in(directory: Path) -> dict[str, int]:
    """name -> size of the regular files in `directory` (missing directory: none)."""
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return {}
    out = {}
    for e in entries:
        try:
            if e.is_file(follow_symlinks=False):
                out[e.name] = e.stat(follow_symlinks=False).st_size
        except FileNotFoundError:
            pass  # renamed or removed while we looked
    return out


def s3_headers(length: int) -> dict[str, str]:
    """Headers an SDK would send, with a signature nobody checks."""
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return {
        "Content-Length": str(length),
        "Content-Type": "application/octet-stream",
        "X-Amz-Date": amz_date,
        "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD",
        "Authorization": (
            f"AWS4-HMAC-SHA256 Credential={ACCOUNT}/{amz_date[:8]}/us-east-1/s3/aws4_request, "
            "SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, "
            "Signature=" + "0" * 64
        ),
    }


def put_and_kill(server, path: str, total: int, tmp_dir: Path) -> dict:
    """PUT a `total`-byte body to `path`, 1 MiB at a time, and SIGKILL the server part-way.

    The kill comes once at least KILL_MIN_SENT bytes are sent and the server's temporary
    file under `tmp_dir` has reached PARTIAL_WANTED bytes, or at KILL_MAX_SENT at the
    latest. Returns what was seen: bytes sent, the largest temporary file before the kill.
    """
    chunk = os.urandom(MIB)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=SOCKET_TIMEOUT)
    seen = {"sent": 0, "partial": 0, "killed": False}
    try:
        conn.putrequest("PUT", path, skip_accept_encoding=True)
        for name, value in s3_headers(total).items():
            conn.putheader(name, value)
        conn.endheaders()
        for _ in range(total // MIB):  # bounded: one pass over the body at most
            try:
                conn.send(chunk)
            except OSError as exc:
                # The server stopped reading before we killed it: say what it answered.
                answer = ""
                try:
                    resp = conn.getresponse()
                    answer = f"HTTP {resp.status}: {resp.read()[:500]!r}"
                except (OSError, http.client.HTTPException):
                    pass
                pytest.fail(
                    f"the PUT to {path} failed after {seen['sent'] // MIB} MiB, before the kill: "
                    f"{exc!r} {answer}\nstderr:\n{server.stderr_tail()}"
                )
            seen["sent"] += MIB
            if seen["sent"] < KILL_MIN_SENT:
                continue
            seen["partial"] = max([seen["partial"], *files_in(tmp_dir).values()])
            if seen["partial"] >= PARTIAL_WANTED or seen["sent"] >= KILL_MAX_SENT:
                os.kill(server.pid, signal.SIGKILL)
                seen["killed"] = True
                break
    finally:
        conn.close()
    assert seen["killed"], f"the whole {total // MIB} MiB body was sent without a kill: {seen}"
    return seen


def kill_and_restart(fresh_landbridge, server, data_dir: Path):
    """Reap a server that was SIGKILLed (or kill it now) and start one on the same data."""
    if server.proc.returncode is None:
        try:
            os.kill(server.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    status = server.stop()
    assert status == -signal.SIGKILL, f"the server exited with {status}, not by SIGKILL"
    return fresh_landbridge(data_dir=data_dir)


def assert_no_such_key(s3, bucket: str, key: str) -> None:
    with pytest.raises(ClientError) as err:
        s3.get_object(Bucket=bucket, Key=key)
    assert err.value.response["Error"]["Code"] == "NoSuchKey", err.value.response


# --------------------------------------------------------------------------- PUT killed mid-body


@pytest.mark.deadline(180)
@pytest.mark.parametrize("previous", ["previous-version", "new-key"])
def test_put_killed_mid_body_leaves_previous_version(fresh_landbridge, tmp_path, previous):
    data_dir = tmp_path / "d"
    tmp_dir, blobs_dir = data_dir / "objects" / "tmp", data_dir / "objects" / "blobs"
    bucket, key = f"lb-dur-{uuid.uuid4().hex[:16]}", "k"
    # Over 64 KiB, so it is a file of its own (smaller bodies live in the
    # state store, committed with their records).
    content_a = b"content A: the version that must survive\n" * 2000

    server = fresh_landbridge(data_dir=data_dir)
    s3 = make_s3(server.url)
    s3.create_bucket(Bucket=bucket)
    if previous == "previous-version":
        s3.put_object(Bucket=bucket, Key=key, Body=content_a)

    seen = put_and_kill(server, f"/{bucket}/{key}", BIG_BODY, tmp_dir)
    assert seen["partial"] > 0, (
        f"no temporary file under {tmp_dir} after {seen['sent'] // MIB} MiB were sent: "
        "the kill did not land in the middle of a write"
    )

    server = kill_and_restart(fresh_landbridge, server, data_dir)
    s3 = make_s3(server.url)

    listing = s3.list_objects_v2(Bucket=bucket)
    if previous == "previous-version":
        got = s3.get_object(Bucket=bucket, Key=key)
        body = got["Body"].read()
        assert body == content_a, f"GET {key} after the restart: {len(body)} bytes, not content A"
        assert got["ETag"] == md5_etag(content_a)
        assert [(o["Key"], o["Size"], o["ETag"]) for o in listing.get("Contents", [])] == [
            (key, len(content_a), md5_etag(content_a))
        ], listing
        live_blobs = 1
    else:
        assert_no_such_key(s3, bucket, key)
        assert listing.get("KeyCount") == 0 and not listing.get("Contents"), listing
        live_blobs = 0

    assert files_in(tmp_dir) == {}, f"temporary files left after the restart: {files_in(tmp_dir)}"
    blobs = files_in(blobs_dir)
    assert len(blobs) == live_blobs, f"expected {live_blobs} object file(s) in {blobs_dir}, found {blobs}"
    if live_blobs:
        assert list(blobs.values()) == [len(content_a)], blobs

    # And the key is still writable after all this.
    s3.put_object(Bucket=bucket, Key=key, Body=b"after")
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"after"


# --------------------------------------------------------------------------- multipart


def _start_upload_with_two_parts(s3, bucket: str, key: str) -> tuple[str, list[bytes], list[str]]:
    s3.create_bucket(Bucket=bucket)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="application/x-test")["UploadId"]
    parts = [os.urandom(5 * MIB), os.urandom(5 * MIB)]
    etags = []
    for number, data in enumerate(parts, start=1):
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data)["ETag"]
        assert etag == md5_etag(data)
        etags.append(etag)
    return upload_id, parts, etags


def _assert_upload_listed(s3, bucket: str, key: str, upload_id: str, parts: list[bytes], etags: list[str]) -> None:
    uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [(key, upload_id)], uploads
    listed = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id).get("Parts", [])
    assert [(p["PartNumber"], p["Size"], p["ETag"]) for p in listed] == [
        (n, len(d), e) for n, (d, e) in enumerate(zip(parts, etags), start=1)
    ], listed


@pytest.mark.deadline(180)
def test_multipart_killed_between_parts_then_completed(fresh_landbridge, tmp_path):
    data_dir = tmp_path / "d"
    tmp_dir, blobs_dir = data_dir / "objects" / "tmp", data_dir / "objects" / "blobs"
    bucket, key = f"lb-dur-{uuid.uuid4().hex[:16]}", "m"

    server = fresh_landbridge(data_dir=data_dir)
    s3 = make_s3(server.url)
    upload_id, parts, etags = _start_upload_with_two_parts(s3, bucket, key)

    os.kill(server.pid, signal.SIGKILL)
    server = kill_and_restart(fresh_landbridge, server, data_dir)
    s3 = make_s3(server.url)

    _assert_upload_listed(s3, bucket, key, upload_id, parts, etags)
    assert files_in(tmp_dir) == {}, files_in(tmp_dir)
    assert sorted(files_in(blobs_dir).values()) == sorted(len(p) for p in parts), files_in(blobs_dir)
    assert_no_such_key(s3, bucket, key)

    last = os.urandom(MIB)
    parts.append(last)
    etags.append(s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=3, Body=last)["ETag"])
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key=key,
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, start=1)]},
    )
    assert done["ETag"] == multipart_etag(parts)
    got = s3.get_object(Bucket=bucket, Key=key)
    assert got["Body"].read() == b"".join(parts)
    assert got["ETag"] == multipart_etag(parts)
    assert got["ContentType"] == "application/x-test"
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    # The completed object keeps its parts' files as its bytes (no copy); nothing
    # else may remain: the files on disk are exactly the object's bytes.
    blobs = files_in(blobs_dir)
    assert sorted(blobs.values()) == sorted(len(p) for p in parts), f"stray files after completion: {blobs}"
    assert sum(blobs.values()) == sum(len(p) for p in parts)


@pytest.mark.deadline(180)
def test_multipart_killed_mid_part_then_aborted(fresh_landbridge, tmp_path):
    data_dir = tmp_path / "d"
    tmp_dir, blobs_dir = data_dir / "objects" / "tmp", data_dir / "objects" / "blobs"
    bucket, key = f"lb-dur-{uuid.uuid4().hex[:16]}", "m"

    server = fresh_landbridge(data_dir=data_dir)
    s3 = make_s3(server.url)
    upload_id, parts, etags = _start_upload_with_two_parts(s3, bucket, key)

    # Part 3 dies half-way through its body.
    seen = put_and_kill(server, f"/{bucket}/{key}?partNumber=3&uploadId={upload_id}", BIG_BODY, tmp_dir)
    assert seen["partial"] > 0, f"no temporary file under {tmp_dir} while part 3 was being sent"
    server = kill_and_restart(fresh_landbridge, server, data_dir)
    s3 = make_s3(server.url)

    _assert_upload_listed(s3, bucket, key, upload_id, parts, etags)
    assert files_in(tmp_dir) == {}, files_in(tmp_dir)
    assert sorted(files_in(blobs_dir).values()) == sorted(len(p) for p in parts), files_in(blobs_dir)

    s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    with pytest.raises(ClientError) as err:
        s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
    assert err.value.response["Error"]["Code"] == "NoSuchUpload", err.value.response
    assert_no_such_key(s3, bucket, key)
    assert files_in(blobs_dir) == {}, f"aborting left part files behind: {files_in(blobs_dir)}"
    assert files_in(tmp_dir) == {}, files_in(tmp_dir)
