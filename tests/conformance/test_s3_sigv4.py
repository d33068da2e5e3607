"""`--enforce-sigv4`: with configured key pairs, S3 checks every signature — header
auth, presigned URLs (including their expiry) and signed chunked uploads — and
answers AWS's errors. Without it (the default) any credentials are accepted."""

from __future__ import annotations

import datetime
import http.client
import urllib.parse
import uuid
from unittest import mock

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

KEY, SECRET = "AKIALANDBRIDGETEST01", "landbridge-secret-key-for-tests"


def s3(server, key=KEY, secret=SECRET, **cfg):
    session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1")
    config = Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1}, **cfg)
    return session.client("s3", endpoint_url=server.url, config=config)


def get(url):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", f"{parts.path}?{parts.query}")
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@pytest.fixture
def strict(fresh_landbridge):
    return fresh_landbridge(extra_args=("--enforce-sigv4", "--credential", f"{KEY}:{SECRET}"))


def test_right_secret_works(strict):
    client = s3(strict)
    bucket = f"sig-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="k", Body=b"signed")
    assert client.get_object(Bucket=bucket, Key="k")["Body"].read() == b"signed"


def test_wrong_secret_is_refused(strict):
    with pytest.raises(ClientError) as e:
        s3(strict, secret="not-the-secret").list_buckets()
    assert e.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_unknown_key_is_refused(strict):
    with pytest.raises(ClientError) as e:
        s3(strict, key="AKIAUNKNOWNKEY000000").list_buckets()
    assert e.value.response["Error"]["Code"] in ("InvalidAccessKeyId", "AccessDenied")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_presigned_urls_work_until_they_expire(strict):
    client = s3(strict, signature_version="s3v4")
    bucket = f"sig-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="k", Body=b"presigned")
    url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=300)
    assert get(url) == (200, b"presigned")

    # A URL signed two hours ago for one hour has expired.
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=2)
    with mock.patch("botocore.auth.get_current_datetime", return_value=past):
        old = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=3600)
    status, body = get(old)
    assert status == 403
    assert b"<Code>AccessDenied</Code>" in body

    # Tampering with the signed query is detected.
    status, body = get(url.replace(f"/{bucket}/k", f"/{bucket}/other"))
    assert status == 403


def test_default_accepts_any_credentials(landbridge):
    client = s3(landbridge, key="AKIAANYKEY0000000000", secret="whatever")
    bucket = f"any-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert client.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


@pytest.mark.parametrize(
    "sha_header, body",
    [
        (
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            b"5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n",
        ),
        (
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            b"5;chunk-signature=" + b"0" * 64 + b"\r\nhello\r\n"
            b"6;chunk-signature=" + b"1" * 64 + b"\r\n world\r\n"
            b"0;chunk-signature=" + b"2" * 64 + b"\r\n\r\n",
        ),
    ],
)
def test_aws_chunked_bodies_are_unframed(landbridge, sha_header, body):
    """SDKs that sign chunks or append trailing checksums frame the body as aws-chunked;
    the stored object is the payload alone."""
    client = s3(landbridge, key="AKIAANYKEY0000000000", secret="whatever")
    bucket = f"chunk-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    conn = http.client.HTTPConnection("127.0.0.1", landbridge.port, timeout=30)
    try:
        conn.request(
            "PUT",
            f"/{bucket}/chunked",
            body=body,
            headers={
                "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAANYKEY0000000000/20260101/us-east-1/s3/aws4_request, "
                "SignedHeaders=host, Signature=0",
                "x-amz-content-sha256": sha_header,
                "x-amz-date": "20260101T000000Z",
                "Content-Encoding": "aws-chunked",
                "x-amz-decoded-content-length": "11",
                "x-amz-trailer": "x-amz-checksum-crc32",
                "Content-Length": str(len(body)),
            },
        )
        resp = conn.getresponse()
        assert resp.status == 200, resp.read()
        resp.read()
    finally:
        conn.close()
    obj = client.get_object(Bucket=bucket, Key="chunked")
    assert obj["Body"].read() == b"hello world"
    assert obj["ContentLength"] == 11


def test_virtual_hosted_style_requests(landbridge):
    """`<bucket>.localhost:PORT/key` addresses the same object as `localhost:PORT/bucket/key`."""
    client = s3(landbridge, key="AKIAANYKEY0000000000", secret="whatever")
    bucket = f"vh-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="dir/obj.txt", Body=b"virtual")
    auth = {
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAANYKEY0000000000/20260101/us-east-1/s3/aws4_request, "
        "SignedHeaders=host, Signature=0",
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    }
    for host in (f"{bucket}.localhost:{landbridge.port}", f"{bucket}.s3.localhost.localstack.cloud:{landbridge.port}"):
        status, _, body = landbridge.raw_request("GET", "/dir/obj.txt", None, {**auth, "Host": host})
        assert (status, body) == (200, b"virtual"), host
        status, _, body = landbridge.raw_request("GET", "/?list-type=2", None, {**auth, "Host": host})
        assert status == 200 and b"<Key>dir/obj.txt</Key>" in body, body
