"""S3 through boto3 (REST-XML, path-style): buckets, objects, listings, multipart, restart.

Clients are built here rather than with the suite's `client` fixture because boto3's S3
client needs `addressing_style: path` to reach `http://127.0.0.1:PORT/bucket/key`.
Every test runs as this module's random 12-digit account (tests that count buckets get
their own account) and uses uuid-named buckets, so nothing collides with other modules.

Notes on what botocore does, which the assertions rely on:
- an S3 error without a body (HEAD, 304) surfaces as ClientError with Code = the status
  as a string ("404", "304");
- without an explicit EncodingType botocore asks for `encoding-type=url` on listings and
  URL-decodes (unquote_plus) the keys; with an explicit EncodingType it leaves them encoded;
- GetBucketLocation's empty `<LocationConstraint/>` (us-east-1) parses to None.
"""

from __future__ import annotations

import hashlib
import os
import random
import urllib.parse
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

MIB = 1024 * 1024


def _account() -> str:
    return str(random.SystemRandom().randrange(100_000_000_000, 999_999_999_999))


MODULE_ACCOUNT = _account()


def _bucket_name(tag: str = "b") -> str:
    return f"lb-api-{tag}-{uuid.uuid4().hex[:16]}"


def _md5_etag(data: bytes) -> str:
    return '"' + hashlib.md5(data).hexdigest() + '"'


def make_s3(url: str, region: str = "us-east-1", access_key: str = MODULE_ACCOUNT, validate: bool = True):
    session = boto3.session.Session(
        aws_access_key_id=access_key,
        aws_secret_access_key="test",
        region_name=region,
    )
    config = Config(
        s3={"addressing_style": "path"},
        connect_timeout=10,
        read_timeout=60,
        retries={"total_max_attempts": 1, "mode": "standard"},
        parameter_validation=validate,
    )
    return session.client("s3", endpoint_url=url, config=config)


@pytest.fixture(scope="module")
def s3(landbridge):
    """us-east-1 client for the module's account."""
    return make_s3(landbridge.url)


@pytest.fixture
def s3_for(landbridge):
    """Factory: `s3_for(region=..., access_key=...)`."""

    def make(region: str = "us-east-1", access_key: str = MODULE_ACCOUNT, validate: bool = True):
        return make_s3(landbridge.url, region, access_key, validate)

    return make


@pytest.fixture
def bucket(s3):
    name = _bucket_name()
    s3.create_bucket(Bucket=name)
    return name


def _error(excinfo) -> tuple[str, int]:
    err = excinfo.value.response
    return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]


# =========================================================================== buckets


def test_create_bucket_us_east_1_has_no_location_constraint(s3):
    name = _bucket_name("use1")
    resp = s3.create_bucket(Bucket=name)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None


def test_create_bucket_eu_west_1_with_location_constraint(s3_for):
    s3 = s3_for(region="eu-west-1")
    name = _bucket_name("euw1")
    resp = s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    assert s3.head_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_head_bucket_exists_and_missing(s3, bucket):
    assert s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(ClientError) as excinfo:
        s3.head_bucket(Bucket=_bucket_name("missing"))
    assert _error(excinfo) == ("404", 404)


def test_head_bucket_reports_bucket_region(s3, s3_for, bucket):
    """HeadBucket answers `x-amz-bucket-region` (boto3: BucketRegion)."""
    assert s3.head_bucket(Bucket=bucket)["BucketRegion"] == "us-east-1"
    eu = s3_for(region="eu-west-1")
    name = _bucket_name("euregion")
    eu.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert eu.head_bucket(Bucket=name)["BucketRegion"] == "eu-west-1"


def test_list_buckets_is_the_callers_buckets_in_every_region(s3_for):
    account = _account()
    use1 = s3_for(access_key=account)
    euw1 = s3_for(region="eu-west-1", access_key=account)
    a, b = _bucket_name("lista"), _bucket_name("listb")
    use1.create_bucket(Bucket=a)
    euw1.create_bucket(Bucket=b, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    # Another account's bucket must not show up.
    s3_for(access_key=_account()).create_bucket(Bucket=_bucket_name("other"))

    listed = use1.list_buckets()["Buckets"]
    assert sorted(x["Name"] for x in listed) == sorted([a, b])
    assert all(x.get("CreationDate") for x in listed)


def test_delete_non_empty_bucket_is_bucket_not_empty(s3, bucket):
    s3.put_object(Bucket=bucket, Key="keep", Body=b"x")
    with pytest.raises(ClientError) as excinfo:
        s3.delete_bucket(Bucket=bucket)
    assert _error(excinfo) == ("BucketNotEmpty", 409)
    # Emptied, it goes.
    s3.delete_object(Bucket=bucket, Key="keep")
    assert s3.delete_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as excinfo:
        s3.head_bucket(Bucket=bucket)
    assert _error(excinfo) == ("404", 404)


def test_delete_missing_bucket_is_no_such_bucket(s3):
    with pytest.raises(ClientError) as excinfo:
        s3.delete_bucket(Bucket=_bucket_name("missing"))
    assert _error(excinfo) == ("NoSuchBucket", 404)


def test_recreate_own_bucket_outside_us_east_1_is_already_owned_by_you(s3_for):
    s3 = s3_for(region="eu-west-1")
    name = _bucket_name("twice")
    config = {"LocationConstraint": "eu-west-1"}
    s3.create_bucket(Bucket=name, CreateBucketConfiguration=config)
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration=config)
    assert _error(excinfo) == ("BucketAlreadyOwnedByYou", 409)


def test_recreate_own_bucket_in_us_east_1_succeeds(s3):
    """AWS's legacy rule: in us-east-1 only, re-creating a bucket you own answers 200."""
    name = _bucket_name("legacy")
    s3.create_bucket(Bucket=name)
    assert s3.create_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_bucket_owned_by_another_account_is_already_exists(s3, s3_for, bucket):
    other = s3_for(access_key=_account())
    with pytest.raises(ClientError) as excinfo:
        other.create_bucket(Bucket=bucket)
    assert _error(excinfo) == ("BucketAlreadyExists", 409)
    other_eu = s3_for(region="eu-west-1", access_key=_account())
    with pytest.raises(ClientError) as excinfo:
        other_eu.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert _error(excinfo) == ("BucketAlreadyExists", 409)


def test_another_accounts_bucket_is_access_denied(s3, s3_for, bucket):
    """Without a policy granting it (Landbridge evaluates none), another account can
    neither read, write, list nor delete a bucket, and does not see it in ListBuckets."""
    s3.put_object(Bucket=bucket, Key="secret", Body=b"owner only")
    other = s3_for(access_key=_account())
    calls = [
        (other.get_object, {"Key": "secret"}),
        (other.put_object, {"Key": "planted", "Body": b"x"}),
        (other.delete_object, {"Key": "secret"}),
        (other.list_objects_v2, {}),
        (other.get_bucket_versioning, {}),
        (other.delete_bucket, {}),
    ]
    for call, kwargs in calls:
        with pytest.raises(ClientError) as excinfo:
            call(Bucket=bucket, **kwargs)
        assert _error(excinfo) == ("AccessDenied", 403), call
    with pytest.raises(ClientError) as excinfo:
        other.head_bucket(Bucket=bucket)
    assert _error(excinfo) == ("403", 403)
    assert bucket not in [b["Name"] for b in other.list_buckets()["Buckets"]]
    # Nothing changed for the owner.
    assert s3.get_object(Bucket=bucket, Key="secret")["Body"].read() == b"owner only"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["secret"]


@pytest.mark.parametrize(
    "name",
    ["Bad_Name", "ab", "a" * 64, "-leading-dash", "trailing-dash-", "double..dots", "192.168.5.4"],
)
def test_invalid_bucket_name(s3, name):
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(Bucket=name)
    assert _error(excinfo) == ("InvalidBucketName", 400)


# =========================================================================== objects


def test_put_get_head_object_with_content_type_and_metadata(s3, bucket):
    data = b"landbridge object body \x00\x01\x02" * 100
    put = s3.put_object(Bucket=bucket, Key="doc.bin", Body=data, ContentType="application/x-landbridge", Metadata={"k": "v"})
    assert put["ETag"] == _md5_etag(data)

    got = s3.get_object(Bucket=bucket, Key="doc.bin")
    assert got["Body"].read() == data
    assert got["ContentType"] == "application/x-landbridge"
    assert got["Metadata"] == {"k": "v"}
    assert got["ContentLength"] == len(data)
    assert got["ETag"] == _md5_etag(data)
    assert got["LastModified"]

    head = s3.head_object(Bucket=bucket, Key="doc.bin")
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert head["ContentType"] == "application/x-landbridge"
    assert head["Metadata"] == {"k": "v"}
    assert head["ContentLength"] == len(data)
    assert head["ETag"] == _md5_etag(data)
    assert head["LastModified"] == got["LastModified"]


def test_put_overwrites(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"first", Metadata={"v": "1"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"second version")
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == b"second version"
    assert got["Metadata"] == {}, "an overwrite replaces the metadata too"


@pytest.fixture
def digits(s3, bucket):
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    return bucket


def test_range_get(s3, digits):
    part = s3.get_object(Bucket=digits, Key="digits", Range="bytes=2-5")
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert part["Body"].read() == b"2345"
    assert part["ContentLength"] == 4
    assert part["ContentRange"] == "bytes 2-5/10"

    suffix = s3.get_object(Bucket=digits, Key="digits", Range="bytes=-3")
    assert suffix["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert suffix["Body"].read() == b"789"
    assert suffix["ContentRange"] == "bytes 7-9/10"


def test_unsatisfiable_range_is_invalid_range(s3, digits):
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=digits, Key="digits", Range="bytes=20-30")
    assert _error(excinfo) == ("InvalidRange", 416)


def test_conditional_get(s3, digits):
    etag = s3.head_object(Bucket=digits, Key="digits")["ETag"]
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=digits, Key="digits", IfNoneMatch=etag)
    assert _error(excinfo) == ("304", 304)

    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=digits, Key="digits", IfMatch='"wrong"')
    assert _error(excinfo) == ("PreconditionFailed", 412)

    ok = s3.get_object(Bucket=digits, Key="digits", IfMatch=etag)
    assert ok["Body"].read() == b"0123456789"
    ok = s3.get_object(Bucket=digits, Key="digits", IfNoneMatch='"something-else"')
    assert ok["Body"].read() == b"0123456789"


def test_missing_key_and_missing_bucket(s3, bucket):
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="no/such/key")
    assert _error(excinfo) == ("NoSuchKey", 404)
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key="no/such/key")
    assert _error(excinfo) == ("404", 404)
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=_bucket_name("missing"), Key="k")
    assert _error(excinfo) == ("NoSuchBucket", 404)


def test_delete_object_is_idempotent(s3, bucket):
    s3.put_object(Bucket=bucket, Key="gone", Body=b"x")
    assert s3.delete_object(Bucket=bucket, Key="gone")["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="gone")
    assert _error(excinfo) == ("NoSuchKey", 404)
    assert s3.delete_object(Bucket=bucket, Key="gone")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.delete_object(Bucket=bucket, Key="never-was")["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_delete_objects(s3, bucket):
    keys = ["d/1", "d/2", "d/3"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    s3.put_object(Bucket=bucket, Key="stays", Body=b"s")
    resp = s3.delete_objects(
        Bucket=bucket,
        Delete={"Objects": [{"Key": k} for k in keys + ["d/never-was"]]},
    )
    assert sorted(d["Key"] for d in resp["Deleted"]) == sorted(keys + ["d/never-was"])
    assert resp.get("Errors", []) == []
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    assert [o["Key"] for o in listed] == ["stays"]


def test_copy_object_same_and_across_buckets(s3, bucket):
    data = os.urandom(3000)
    s3.put_object(Bucket=bucket, Key="src", Body=data, ContentType="image/png", Metadata={"k": "v", "origin": "src"})
    other = _bucket_name("copydst")
    s3.create_bucket(Bucket=other)

    for dst_bucket, dst_key in ((bucket, "copy-same"), (other, "copy-across")):
        resp = s3.copy_object(Bucket=dst_bucket, Key=dst_key, CopySource={"Bucket": bucket, "Key": "src"})
        assert resp["CopyObjectResult"]["ETag"] == _md5_etag(data)
        got = s3.get_object(Bucket=dst_bucket, Key=dst_key)
        assert got["Body"].read() == data
        assert got["ContentType"] == "image/png"
        assert got["Metadata"] == {"k": "v", "origin": "src"}
        assert got["ETag"] == _md5_etag(data)
    assert s3.get_object(Bucket=bucket, Key="src")["Body"].read() == data, "the source is untouched"


def test_copy_object_metadata_directive_replace(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"payload", ContentType="text/plain", Metadata={"k": "v"})
    s3.copy_object(
        Bucket=bucket,
        Key="replaced",
        CopySource={"Bucket": bucket, "Key": "src"},
        MetadataDirective="REPLACE",
        ContentType="text/csv",
        Metadata={"new": "x"},
    )
    got = s3.get_object(Bucket=bucket, Key="replaced")
    assert got["Body"].read() == b"payload"
    assert got["ContentType"] == "text/csv"
    assert got["Metadata"] == {"new": "x"}


def test_copy_missing_source_is_no_such_key(s3, bucket):
    with pytest.raises(ClientError) as excinfo:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "absent"})
    assert _error(excinfo) == ("NoSuchKey", 404)


SPECIAL_KEYS = [
    "with space.txt",
    "dir with space/and more spaces",
    "unicodé/ключ/日本語.txt",
    "plus+sign",
    "a+b c",
    "percent%20literal",
    "100%",
    "mixed ~!@$&'()*,;=:?#[]-_.bin",
]


def test_special_character_keys_round_trip(s3, bucket):
    for i, key in enumerate(SPECIAL_KEYS):
        s3.put_object(Bucket=bucket, Key=key, Body=f"body {i}".encode(), Metadata={"n": str(i)})
    for i, key in enumerate(SPECIAL_KEYS):
        got = s3.get_object(Bucket=bucket, Key=key)
        assert got["Body"].read() == f"body {i}".encode(), key
        assert got["Metadata"] == {"n": str(i)}, key
        assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == len(f"body {i}")
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert sorted(listed) == sorted(SPECIAL_KEYS)
    # A copy whose source key needs encoding in x-amz-copy-source.
    s3.copy_object(Bucket=bucket, Key="copied é+ %", CopySource={"Bucket": bucket, "Key": "a+b c"})
    assert s3.get_object(Bucket=bucket, Key="copied é+ %")["Body"].read() == b"body 4"
    s3.delete_object(Bucket=bucket, Key="plus+sign")
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="plus+sign")
    assert _error(excinfo) == ("NoSuchKey", 404)
    assert s3.get_object(Bucket=bucket, Key="a+b c")["Body"].read() == b"body 4", "'+' is not a space"


# =========================================================================== listing

LISTING_KEYS = ["a/1", "a/2", "a/b/3", "b/4", "c"]


@pytest.fixture(scope="module")
def listing(s3):
    name = _bucket_name("list")
    s3.create_bucket(Bucket=name)
    for key in LISTING_KEYS:
        s3.put_object(Bucket=name, Key=key, Body=key.encode())
    return name


def test_list_v2_prefix_and_delimiter(s3, listing):
    resp = s3.list_objects_v2(Bucket=listing, Prefix="a/", Delimiter="/")
    assert [o["Key"] for o in resp["Contents"]] == ["a/1", "a/2"]
    assert resp["CommonPrefixes"] == [{"Prefix": "a/b/"}]
    assert resp["KeyCount"] == 3, "KeyCount counts keys and common prefixes"
    assert resp["IsTruncated"] is False
    assert resp["Prefix"] == "a/"
    assert resp["Delimiter"] == "/"
    first = resp["Contents"][0]
    assert first["Size"] == 3
    assert first["ETag"] == _md5_etag(b"a/1")
    assert first["LastModified"]


def test_list_v2_top_level_delimiter(s3, listing):
    resp = s3.list_objects_v2(Bucket=listing, Delimiter="/")
    assert [o["Key"] for o in resp["Contents"]] == ["c"]
    assert [p["Prefix"] for p in resp["CommonPrefixes"]] == ["a/", "b/"]
    assert resp["KeyCount"] == 3


def test_list_v2_continuation(s3, listing):
    seen, truncated_flags, token = [], [], None
    for _ in range(10):  # bound: 5 keys at 2 per page is 3 pages
        kwargs = {"Bucket": listing, "MaxKeys": 2}
        if token:
            kwargs["ContinuationToken"] = token
        page = s3.list_objects_v2(**kwargs)
        assert page["MaxKeys"] == 2
        assert page["KeyCount"] == len(page.get("Contents", []))
        if token:
            assert page["ContinuationToken"] == token
        seen += [o["Key"] for o in page.get("Contents", [])]
        truncated_flags.append(page["IsTruncated"])
        if not page["IsTruncated"]:
            assert "NextContinuationToken" not in page
            break
        token = page["NextContinuationToken"]
        assert token
    assert seen == LISTING_KEYS
    assert truncated_flags == [True, True, False]


def test_list_v2_start_after(s3, listing):
    resp = s3.list_objects_v2(Bucket=listing, StartAfter="a/2")
    assert [o["Key"] for o in resp["Contents"]] == ["a/b/3", "b/4", "c"]
    assert resp["StartAfter"] == "a/2"
    assert resp["KeyCount"] == 3


def test_list_v2_encoding_type_url(s3, bucket):
    key = "dir one/file+1 é.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    # Explicit EncodingType: botocore leaves the keys as the server encoded them.
    raw = s3.list_objects_v2(Bucket=bucket, EncodingType="url")
    assert raw["EncodingType"] == "url"
    encoded = raw["Contents"][0]["Key"]
    assert encoded != key
    assert " " not in encoded and encoded.isascii(), f"key not URL-encoded: {encoded!r}"
    assert urllib.parse.unquote_plus(encoded) == key
    # No EncodingType: botocore asks for url encoding itself and decodes the answer.
    decoded = s3.list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in decoded["Contents"]] == [key]


def test_list_v1_marker_and_max_keys(s3, listing):
    page = s3.list_objects(Bucket=listing, Marker="a/1", MaxKeys=2)
    assert [o["Key"] for o in page["Contents"]] == ["a/2", "a/b/3"]
    assert page["IsTruncated"] is True
    assert page["Marker"] == "a/1"
    assert page["MaxKeys"] == 2

    seen, marker = [], None
    for _ in range(10):  # bound: 3 pages
        kwargs = {"Marker": marker} if marker else {}
        page = s3.list_objects(Bucket=listing, MaxKeys=2, **kwargs)
        keys = [o["Key"] for o in page.get("Contents", [])]
        seen += keys
        if not page["IsTruncated"]:
            break
        marker = keys[-1]  # no delimiter: AWS sends no NextMarker, the client uses the last key
    assert seen == LISTING_KEYS


def test_list_v1_delimiter_prefix(s3, listing):
    page = s3.list_objects(Bucket=listing, Prefix="a/", Delimiter="/")
    assert [o["Key"] for o in page["Contents"]] == ["a/1", "a/2"]
    assert page["CommonPrefixes"] == [{"Prefix": "a/b/"}]
    assert page["IsTruncated"] is False


def test_list_missing_bucket_is_no_such_bucket(s3):
    with pytest.raises(ClientError) as excinfo:
        s3.list_objects_v2(Bucket=_bucket_name("missing"))
    assert _error(excinfo) == ("NoSuchBucket", 404)


# =========================================================================== multipart


def test_multipart_upload_lifecycle(s3, bucket):
    parts_data = [os.urandom(5 * MIB), os.urandom(5 * MIB), os.urandom(1024)]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp/object", ContentType="application/x-mp", Metadata={"k": "v"})
    upload_id = upload["UploadId"]
    assert upload["Bucket"] == bucket and upload["Key"] == "mp/object" and upload_id

    etags = []
    for number, data in enumerate(parts_data, start=1):
        resp = s3.upload_part(Bucket=bucket, Key="mp/object", UploadId=upload_id, PartNumber=number, Body=data)
        assert resp["ETag"] == _md5_etag(data)
        etags.append(resp["ETag"])

    listed = s3.list_parts(Bucket=bucket, Key="mp/object", UploadId=upload_id)
    assert [(p["PartNumber"], p["Size"], p["ETag"]) for p in listed["Parts"]] == [
        (i + 1, len(d), etags[i]) for i, d in enumerate(parts_data)
    ]

    uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [("mp/object", upload_id)]

    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="mp/object",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]},
    )
    expected_etag = '"' + hashlib.md5(b"".join(hashlib.md5(d).digest() for d in parts_data)).hexdigest() + '-3"'
    assert done["ETag"] == expected_etag
    assert done["Key"] == "mp/object" and done["Bucket"] == bucket

    whole = b"".join(parts_data)
    got = s3.get_object(Bucket=bucket, Key="mp/object")
    assert got["ContentLength"] == len(whole)
    assert got["ETag"] == expected_etag
    assert got["ContentType"] == "application/x-mp"
    assert got["Metadata"] == {"k": "v"}
    assert hashlib.sha256(got["Body"].read()).digest() == hashlib.sha256(whole).digest()
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == [], "a completed upload is gone"


def test_complete_with_small_non_last_part_is_entity_too_small(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="small")["UploadId"]
    parts = []
    for number in (1, 2):
        etag = s3.upload_part(Bucket=bucket, Key="small", UploadId=upload_id, PartNumber=number, Body=b"x" * 1024)["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="small", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert _error(excinfo) == ("EntityTooSmall", 400)
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key="small")
    assert _error(excinfo) == ("404", 404)


def test_complete_with_wrong_part_is_invalid_part(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="wrong")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="wrong", UploadId=upload_id, PartNumber=1, Body=b"only part")["ETag"]

    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="wrong", UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"' + "0" * 32 + '"'}]},
        )
    assert _error(excinfo) == ("InvalidPart", 400)

    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="wrong", UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": etag}]},
        )
    assert _error(excinfo) == ("InvalidPart", 400)

    # A failed completion leaves the upload in place: the right list still completes it.
    s3.complete_multipart_upload(
        Bucket=bucket, Key="wrong", UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
    )
    assert s3.get_object(Bucket=bucket, Key="wrong")["Body"].read() == b"only part"


def test_abort_then_upload_part_is_no_such_upload(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="aborted")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="aborted", UploadId=upload_id, PartNumber=1, Body=b"part")
    assert s3.abort_multipart_upload(Bucket=bucket, Key="aborted", UploadId=upload_id)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part(Bucket=bucket, Key="aborted", UploadId=upload_id, PartNumber=2, Body=b"late")
    assert _error(excinfo) == ("NoSuchUpload", 404)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key="aborted")
    assert _error(excinfo) == ("404", 404)


# =========================================================================== durability


@pytest.mark.deadline(90)
def test_objects_survive_a_restart(fresh_landbridge, tmp_path):
    data_dir = tmp_path / "d"
    server = fresh_landbridge(data_dir=data_dir)
    s3 = make_s3(server.url)
    name = _bucket_name("durable")
    data = os.urandom(100_000)
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="dir/kept.bin", Body=data, ContentType="application/x-kept", Metadata={"k": "v"})
    assert server.stop() == 0, server.stderr_tail()

    again = fresh_landbridge(data_dir=data_dir)
    s3 = make_s3(again.url)
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    got = s3.get_object(Bucket=name, Key="dir/kept.bin")
    assert got["Body"].read() == data
    assert got["ContentType"] == "application/x-kept"
    assert got["Metadata"] == {"k": "v"}
    assert got["ETag"] == _md5_etag(data)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=name)["Contents"]] == ["dir/kept.bin"]
