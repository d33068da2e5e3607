"""S3's additional checksums: computed while the upload streams, checked against the
client's before the object exists, stored, and returned with ChecksumMode=ENABLED
(botocore then verifies the downloaded bytes against them)."""

from __future__ import annotations

import base64
import hashlib
import uuid
import zlib

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

DATA = b"landbridge moves real bytes\n" * 1000


@pytest.fixture
def s3(landbridge):
    session = boto3.session.Session(aws_access_key_id="434343434343", aws_secret_access_key="x", region_name="us-east-1")
    cfg = Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1})
    return session.client("s3", endpoint_url=landbridge.url, config=cfg)


@pytest.fixture
def bucket(s3):
    name = f"sum-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


EXPECTED = {
    "CRC32": b64(zlib.crc32(DATA).to_bytes(4, "big")),
    "SHA1": b64(hashlib.sha1(DATA).digest()),
    "SHA256": b64(hashlib.sha256(DATA).digest()),
}


def _crc_reflected(data: bytes, poly: int, width: int) -> int:
    mask = (1 << width) - 1
    crc = mask
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (poly if crc & 1 else 0)
    return crc ^ mask


def crc32c(data: bytes) -> bytes:
    return _crc_reflected(data, 0x82F63B78, 32).to_bytes(4, "big")


def crc64nvme(data: bytes) -> bytes:
    return _crc_reflected(data, 0x9A6C9329AC4BC9B5, 64).to_bytes(8, "big")


def test_reference_crcs_are_right():
    # The standard check values of CRC-32C and CRC-64/NVME.
    assert crc32c(b"123456789").hex() == "e3069283"
    assert crc64nvme(b"123456789").hex() == "ae8b14860a799888"


@pytest.mark.parametrize("algorithm, func", [("CRC32C", crc32c), ("CRC64NVME", crc64nvme)])
def test_checksums_that_need_no_sdk_support(landbridge, s3, bucket, algorithm, func):
    """botocore needs the CRT for these two, so the requests are made by hand."""
    header = f"x-amz-checksum-{algorithm.lower()}"
    value = b64(func(DATA))
    auth = {
        "Authorization": "AWS4-HMAC-SHA256 Credential=434343434343/20260101/us-east-1/s3/aws4_request, "
        "SignedHeaders=host, Signature=0",
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    }
    status, headers, body = landbridge.raw_request(
        "PUT", f"/{bucket}/{algorithm}", DATA, {**auth, header: value, "Content-Length": str(len(DATA))}
    )
    assert status == 200, body
    assert headers.get(header) == value
    status, headers, body = landbridge.raw_request(
        "GET", f"/{bucket}/{algorithm}", None, {**auth, "x-amz-checksum-mode": "ENABLED"}
    )
    assert status == 200 and body == DATA
    assert headers.get(header) == value
    wrong = b64(func(b"other bytes"))
    status, _, body = landbridge.raw_request(
        "PUT", f"/{bucket}/{algorithm}", DATA, {**auth, header: wrong, "Content-Length": str(len(DATA))}
    )
    assert status == 400 and b"<Code>BadDigest</Code>" in body


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA1", "SHA256"])
def test_checksums_round_trip(s3, bucket, algorithm):
    put = s3.put_object(Bucket=bucket, Key=algorithm, Body=DATA, ChecksumAlgorithm=algorithm)
    field = f"Checksum{algorithm}"
    assert field in put, put
    if algorithm in EXPECTED:
        assert put[field] == EXPECTED[algorithm]
    got = s3.get_object(Bucket=bucket, Key=algorithm, ChecksumMode="ENABLED")
    assert got[field] == put[field]
    assert got["Body"].read() == DATA
    head = s3.head_object(Bucket=bucket, Key=algorithm, ChecksumMode="ENABLED")
    assert head[field] == put[field]
    # Without ChecksumMode, no checksum is returned.
    assert field not in s3.head_object(Bucket=bucket, Key=algorithm)


def test_a_wrong_checksum_is_refused_and_nothing_changes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"before")
    wrong = b64(hashlib.sha256(b"something else").digest())
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k", Body=DATA, ChecksumSHA256=wrong)
    assert e.value.response["Error"]["Code"] == "BadDigest"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"before"


def test_ranged_reads_carry_no_whole_object_checksum(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=DATA, ChecksumAlgorithm="SHA256")
    part = s3.get_object(Bucket=bucket, Key="k", Range="bytes=0-9", ChecksumMode="ENABLED")
    assert "ChecksumSHA256" not in part
    assert part["Body"].read() == DATA[:10]
