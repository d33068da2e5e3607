"""`--object-store s3://bucket/prefix`: object bytes kept on another S3.

The other S3 here is a second Landbridge (it is an S3-compatible endpoint, and the test
can look inside it): the front Landbridge serves S3 as usual while every blob lands as
one object under `<prefix>/blobs/` in the backing bucket. Checked: bytes round-trip
(small, multipart, ranges, copies, versions), deletes remove the remote objects,
state survives a restart with the bytes still remote, and blobs no record names are
swept at start.
"""

from __future__ import annotations

import hashlib
import os
import uuid

import boto3
import pytest
from botocore.config import Config

MIB = 1024 * 1024
BACKING_ACCOUNT = "606060606060"
USER_ACCOUNT = "707070707070"


def s3_client(url: str, account: str):
    session = boto3.session.Session(aws_access_key_id=account, aws_secret_access_key="x", region_name="us-east-1")
    cfg = Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1})
    return session.client("s3", endpoint_url=url, config=cfg)


def remote_blobs(backing, bucket: str, prefix: str) -> dict[str, int]:
    pages = backing.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return {o["Key"]: o["Size"] for p in pages for o in p.get("Contents", [])}


@pytest.fixture
def stores(fresh_landbridge, tmp_path, monkeypatch):
    """(backing S3 client, backing bucket, start_front() -> front client)."""
    backing_server = fresh_landbridge()
    backing = s3_client(backing_server.url, BACKING_ACCOUNT)
    bucket = f"backing-{uuid.uuid4().hex[:12]}"
    backing.create_bucket(Bucket=bucket)
    # The front Landbridge signs its requests to the backing one as the bucket's owner.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", BACKING_ACCOUNT)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    data_dir = tmp_path / "front"
    data_dir.mkdir()

    def start_front():
        server = fresh_landbridge(
            data_dir=data_dir,
            extra_args=("--object-store", f"s3://{bucket}/lb/", "--object-store-endpoint", backing_server.url),
        )
        return server, s3_client(server.url, USER_ACCOUNT)

    return backing, bucket, start_front


def test_objects_land_on_the_other_s3_and_survive_restart(stores):
    backing, bucket, start_front = stores
    server, s3 = start_front()
    s3.create_bucket(Bucket="photos")
    small = os.urandom(10_000)
    s3.put_object(Bucket="photos", Key="small.bin", Body=small)
    # 12 MiB in 5 MiB parts: a multipart upload whose parts are remote blobs too.
    big = os.urandom(12 * MIB)
    s3.upload_fileobj(
        __import__("io").BytesIO(big), "photos", "big.bin",
        Config=boto3.s3.transfer.TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB),
    )
    blobs = remote_blobs(backing, bucket, "lb/blobs/")
    assert sorted(blobs.values()) == [10_000, 2 * MIB, 5 * MIB, 5 * MIB]
    assert all(key.startswith("lb/blobs/") for key in blobs)
    # Nothing outside the prefix, and the user's names are Landbridge's business.
    assert set(remote_blobs(backing, bucket, "")) == set(blobs)

    got = s3.get_object(Bucket="photos", Key="big.bin")["Body"].read()
    assert hashlib.sha256(got).digest() == hashlib.sha256(big).digest()
    ranged = s3.get_object(Bucket="photos", Key="big.bin", Range=f"bytes={5 * MIB - 10}-{5 * MIB + 9}")["Body"].read()
    assert ranged == big[5 * MIB - 10 : 5 * MIB + 10]
    s3.copy_object(Bucket="photos", Key="copy.bin", CopySource={"Bucket": "photos", "Key": "small.bin"})
    assert s3.get_object(Bucket="photos", Key="copy.bin")["Body"].read() == small

    server.stop()
    server, s3 = start_front()
    assert s3.get_object(Bucket="photos", Key="small.bin")["Body"].read() == small
    assert len(s3.get_object(Bucket="photos", Key="big.bin")["Body"].read()) == len(big)

    # Deleting removes the remote bytes.
    s3.delete_object(Bucket="photos", Key="big.bin")
    s3.delete_object(Bucket="photos", Key="copy.bin")
    assert sorted(remote_blobs(backing, bucket, "lb/").values()) == [10_000]


def test_versions_keep_their_remote_bytes(stores):
    backing, bucket, start_front = stores
    _, s3 = start_front()
    s3.create_bucket(Bucket="docs")
    s3.put_bucket_versioning(Bucket="docs", VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket="docs", Key="k", Body=b"first")["VersionId"]
    s3.put_object(Bucket="docs", Key="k", Body=b"second")
    s3.delete_object(Bucket="docs", Key="k")
    assert sorted(remote_blobs(backing, bucket, "lb/").values()) == [5, 6]
    assert s3.get_object(Bucket="docs", Key="k", VersionId=first)["Body"].read() == b"first"


def test_unreferenced_remote_blobs_are_swept_at_start(stores):
    backing, bucket, start_front = stores
    server, s3 = start_front()
    s3.create_bucket(Bucket="keep")
    s3.put_object(Bucket="keep", Key="kept", Body=b"kept")
    server.stop()
    # A blob whose record never committed (a crash between the two) is garbage.
    backing.put_object(Bucket=bucket, Key="lb/blobs/" + uuid.uuid4().hex, Body=b"orphan")
    backing.put_object(Bucket=bucket, Key="outside/prefix", Body=b"not ours")
    _, s3 = start_front()
    assert sorted(remote_blobs(backing, bucket, "lb/").values()) == [4]
    assert "outside/prefix" in remote_blobs(backing, bucket, "")
    assert s3.get_object(Bucket="keep", Key="kept")["Body"].read() == b"kept"


def test_an_unreachable_object_store_stops_start_up(fresh_landbridge, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", BACKING_ACCOUNT)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    with pytest.raises(RuntimeError) as excinfo:
        fresh_landbridge(extra_args=("--object-store", "s3://nowhere", "--object-store-endpoint", "http://127.0.0.1:9"))
    assert "object store" in str(excinfo.value)
