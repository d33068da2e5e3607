"""S3 versioning through boto3: version ids, reads of old versions, delete markers,
suspended buckets, ListObjectVersions paging, and copies from a version.

What S3 does and these tests check: a versioned PUT answers a fresh VersionId and keeps
the older versions; a DELETE without a version adds a delete marker (the key disappears
from listings and a GET answers 404 with `x-amz-delete-marker: true`); a GET naming a
delete marker answers 405; removing the marker brings the object back; while suspended,
writes replace the `null` version and keep the others.
"""

from __future__ import annotations

import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

MIB = 1024 * 1024


@pytest.fixture
def s3(landbridge):
    session = boto3.session.Session(aws_access_key_id="515151515151", aws_secret_access_key="x", region_name="us-east-1")
    cfg = Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1})
    return session.client("s3", endpoint_url=landbridge.url, config=cfg)


@pytest.fixture
def bucket(s3):
    name = f"ver-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    r = e.value.response
    return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["ResponseMetadata"]["HTTPHeaders"]


def test_each_put_is_a_version_and_old_versions_stay_readable(s3, bucket):
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    ids = [s3.put_object(Bucket=bucket, Key="k", Body=f"v{i}".encode())["VersionId"] for i in range(3)]
    assert len(set(ids)) == 3 and "null" not in ids
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v2"
    for i, vid in enumerate(ids):
        got = s3.get_object(Bucket=bucket, Key="k", VersionId=vid)
        assert got["Body"].read() == f"v{i}".encode() and got["VersionId"] == vid
        assert s3.head_object(Bucket=bucket, Key="k", VersionId=vid)["ContentLength"] == 2
    code, status, _ = error_of(s3.get_object, Bucket=bucket, Key="k", VersionId="0" * 32)
    assert (code, status) == ("NoSuchVersion", 404)


def test_delete_markers_hide_and_removing_them_restores(s3, bucket):
    first = s3.put_object(Bucket=bucket, Key="doc", Body=b"kept")["VersionId"]
    s3.put_object(Bucket=bucket, Key="other", Body=b"x")
    deleted = s3.delete_object(Bucket=bucket, Key="doc")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    assert marker != first

    code, status, headers = error_of(s3.get_object, Bucket=bucket, Key="doc")
    assert (code, status) == ("NoSuchKey", 404)
    assert headers["x-amz-delete-marker"] == "true" and headers["x-amz-version-id"] == marker
    code, status, headers = error_of(s3.get_object, Bucket=bucket, Key="doc", VersionId=marker)
    assert (code, status) == ("MethodNotAllowed", 405)
    assert headers["x-amz-delete-marker"] == "true"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["other"]

    listing = s3.list_object_versions(Bucket=bucket, Prefix="doc")
    assert [(m["VersionId"], m["IsLatest"]) for m in listing["DeleteMarkers"]] == [(marker, True)]
    assert [(v["VersionId"], v["IsLatest"], v["Size"]) for v in listing["Versions"]] == [(first, False, 4)]

    # A bucket holding only old versions and markers is not empty.
    s3.delete_object(Bucket=bucket, Key="other")
    assert error_of(s3.delete_bucket, Bucket=bucket)[0] == "BucketNotEmpty"

    gone = s3.delete_object(Bucket=bucket, Key="doc", VersionId=marker)
    assert gone["DeleteMarker"] is True and gone["VersionId"] == marker
    assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"kept"


def test_deleting_a_version_for_good(s3, bucket):
    old = s3.put_object(Bucket=bucket, Key="k", Body=b"old")["VersionId"]
    new = s3.put_object(Bucket=bucket, Key="k", Body=b"new")["VersionId"]
    assert s3.delete_object(Bucket=bucket, Key="k", VersionId=new)["VersionId"] == new
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"old"
    assert error_of(s3.get_object, Bucket=bucket, Key="k", VersionId=new)[0] == "NoSuchVersion"
    s3.delete_object(Bucket=bucket, Key="k", VersionId=old)
    assert s3.list_object_versions(Bucket=bucket).get("Versions", []) == []
    s3.delete_bucket(Bucket=bucket)


def test_suspended_versioning_replaces_the_null_version(s3):
    name = f"ver-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    assert "VersionId" not in s3.put_object(Bucket=name, Key="k", Body=b"before")
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    kept = s3.put_object(Bucket=name, Key="k", Body=b"versioned")["VersionId"]
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Suspended"
    s3.put_object(Bucket=name, Key="k", Body=b"suspended")
    versions = s3.list_object_versions(Bucket=name)["Versions"]
    # The pre-versioning null version was replaced; the versioned one stays.
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [("null", True), (kept, False)]
    assert s3.get_object(Bucket=name, Key="k", VersionId="null")["Body"].read() == b"suspended"
    deleted = s3.delete_object(Bucket=name, Key="k")
    assert deleted["DeleteMarker"] is True and deleted["VersionId"] == "null"
    listing = s3.list_object_versions(Bucket=name)
    assert [v["VersionId"] for v in listing["Versions"]] == [kept]
    assert [m["VersionId"] for m in listing["DeleteMarkers"]] == ["null"]


def test_versioning_status_must_be_enabled_or_suspended(s3, bucket):
    code, status, _ = error_of(s3.put_bucket_versioning, Bucket=bucket, VersioningConfiguration={"Status": "Off"})
    assert (code, status) == ("MalformedXML", 400)
    assert error_of(s3.get_bucket_versioning, Bucket=f"nope-{uuid.uuid4().hex[:8]}")[0] == "NoSuchBucket"


def test_list_object_versions_pages_inside_a_key(s3, bucket):
    expected = []
    for key in ("a", "b"):
        for i in range(3):
            expected.append((key, s3.put_object(Bucket=bucket, Key=key, Body=b"x")["VersionId"]))
    # Newest first within a key.
    expected = sorted(expected, key=lambda kv: kv[0])
    expected = [kv for key in ("a", "b") for kv in reversed([e for e in expected if e[0] == key])]
    seen, kwargs = [], {}
    for _ in range(10):
        page = s3.list_object_versions(Bucket=bucket, MaxKeys=2, **kwargs)
        seen += [(v["Key"], v["VersionId"]) for v in page["Versions"]]
        if not page["IsTruncated"]:
            break
        kwargs = {"KeyMarker": page["NextKeyMarker"], "VersionIdMarker": page["NextVersionIdMarker"]}
    assert seen == expected
    paginator = s3.get_paginator("list_object_versions")
    pages = list(paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 4}))
    assert [(v["Key"], v["VersionId"]) for p in pages for v in p["Versions"]] == expected


def test_copies_read_a_named_version(s3, bucket):
    old = s3.put_object(Bucket=bucket, Key="src", Body=b"old bytes")["VersionId"]
    s3.put_object(Bucket=bucket, Key="src", Body=b"new bytes")
    out = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src", "VersionId": old})
    assert out["CopySourceVersionId"] == old and out["VersionId"]
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"old bytes"
    marker = s3.delete_object(Bucket=bucket, Key="src")["VersionId"]
    assert error_of(s3.copy_object, Bucket=bucket, Key="d2", CopySource={"Bucket": bucket, "Key": "src"})[0] == "NoSuchKey"
    code, status, _ = error_of(
        s3.copy_object, Bucket=bucket, Key="d2", CopySource={"Bucket": bucket, "Key": "src", "VersionId": marker}
    )
    assert (code, status) == ("InvalidRequest", 400)


def test_delete_objects_reports_markers_and_versions(s3, bucket):
    vid = s3.put_object(Bucket=bucket, Key="a", Body=b"1")["VersionId"]
    s3.put_object(Bucket=bucket, Key="b", Body=b"2")
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a", "VersionId": vid}, {"Key": "b"}]})
    by_key = {d["Key"]: d for d in out["Deleted"]}
    assert by_key["a"]["VersionId"] == vid and "DeleteMarker" not in by_key["a"]
    assert by_key["b"]["DeleteMarker"] is True and by_key["b"]["DeleteMarkerVersionId"]
    assert "Errors" not in out


def test_tags_belong_to_a_version(s3, bucket):
    old = s3.put_object(Bucket=bucket, Key="k", Body=b"1", Tagging="gen=one")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"2", Tagging="gen=two")
    s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=old, Tagging={"TagSet": [{"Key": "gen", "Value": "first"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=old)["TagSet"] == [{"Key": "gen", "Value": "first"}]
    current = s3.get_object_tagging(Bucket=bucket, Key="k")
    assert current["TagSet"] == [{"Key": "gen", "Value": "two"}] and current["VersionId"] != old


def test_multipart_and_part_copies_make_versions(s3, bucket):
    src = bytes(range(256)) * (6 * MIB // 256 + 1)
    s3.put_object(Bucket=bucket, Key="src", Body=src)
    up = s3.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
    p1 = s3.upload_part_copy(
        Bucket=bucket, Key="big", UploadId=up, PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange=f"bytes=0-{5 * MIB - 1}",
    )["CopyPartResult"]["ETag"]
    p2 = s3.upload_part(Bucket=bucket, Key="big", UploadId=up, PartNumber=2, Body=b"tail")["ETag"]
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="big", UploadId=up,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p1}, {"PartNumber": 2, "ETag": p2}]},
    )
    assert done["VersionId"] and done["ETag"].endswith('-2"')
    got = s3.get_object(Bucket=bucket, Key="big", VersionId=done["VersionId"])["Body"].read()
    assert got == src[: 5 * MIB] + b"tail"

    up = s3.create_multipart_upload(Bucket=bucket, Key="bad")["UploadId"]
    code, status, _ = error_of(
        s3.upload_part_copy, Bucket=bucket, Key="bad", UploadId=up, PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange=f"bytes=0-{len(src)}",
    )
    assert (code, status) == ("InvalidArgument", 400)
    s3.abort_multipart_upload(Bucket=bucket, Key="bad", UploadId=up)


def test_list_multipart_uploads_pages_and_rolls_up(s3, bucket):
    ids = {}
    for key in ("logs/a", "logs/b", "photo", "photo", "zeta"):
        up = s3.create_multipart_upload(Bucket=bucket, Key=key, StorageClass="STANDARD_IA")
        ids.setdefault(key, []).append(up["UploadId"])
    seen, kwargs = [], {}
    for _ in range(10):
        page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=2, **kwargs)
        seen += [(u["Key"], u["UploadId"]) for u in page.get("Uploads", [])]
        assert all(u["StorageClass"] == "STANDARD_IA" for u in page.get("Uploads", []))
        if not page["IsTruncated"]:
            break
        kwargs = {"KeyMarker": page["NextKeyMarker"], "UploadIdMarker": page["NextUploadIdMarker"]}
    assert [k for k, _ in seen] == ["logs/a", "logs/b", "photo", "photo", "zeta"]
    assert sorted(u for _, u in seen) == sorted(u for us in ids.values() for u in us)

    rolled = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in rolled["CommonPrefixes"]] == ["logs/"]
    assert [u["Key"] for u in rolled["Uploads"]] == ["photo", "photo", "zeta"]
    after = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="photo")
    assert [u["Key"] for u in after["Uploads"]] == ["zeta"]
