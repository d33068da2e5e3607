"""Bucket sub-resources S3 stores and returns (tagging, policy, CORS, lifecycle) and
object tags, with S3's errors for what is not set."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


@pytest.fixture
def s3(landbridge):
    session = boto3.session.Session(aws_access_key_id="424242424242", aws_secret_access_key="x", region_name="us-east-1")
    cfg = Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1})
    return session.client("s3", endpoint_url=landbridge.url, config=cfg)


@pytest.fixture
def bucket(s3):
    name = f"sub-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def error_code(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response["Error"]["Code"], e.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_bucket_tagging(s3, bucket):
    assert error_code(s3.get_bucket_tagging, Bucket=bucket) == ("NoSuchTagSet", 404)
    tags = [{"Key": "team", "Value": "net"}, {"Key": "env", "Value": "lab"}]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    got = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    assert sorted(got, key=lambda t: t["Key"]) == sorted(tags, key=lambda t: t["Key"])
    s3.delete_bucket_tagging(Bucket=bucket)
    assert error_code(s3.get_bucket_tagging, Bucket=bucket) == ("NoSuchTagSet", 404)


def test_bucket_policy(s3, bucket):
    assert error_code(s3.get_bucket_policy, Bucket=bucket) == ("NoSuchBucketPolicy", 404)
    policy = json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}],
    })
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(policy)
    assert error_code(s3.put_bucket_policy, Bucket=bucket, Policy="not json")[0] == "MalformedPolicy"
    s3.delete_bucket_policy(Bucket=bucket)
    assert error_code(s3.get_bucket_policy, Bucket=bucket) == ("NoSuchBucketPolicy", 404)


def test_bucket_cors(s3, bucket):
    assert error_code(s3.get_bucket_cors, Bucket=bucket) == ("NoSuchCORSConfiguration", 404)
    rule = {"AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["https://example.com"], "MaxAgeSeconds": 300}
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [rule]})
    got = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert got[0]["AllowedMethods"] == ["GET", "PUT"]
    assert got[0]["AllowedOrigins"] == ["https://example.com"]
    assert got[0]["MaxAgeSeconds"] == 300
    s3.delete_bucket_cors(Bucket=bucket)
    assert error_code(s3.get_bucket_cors, Bucket=bucket) == ("NoSuchCORSConfiguration", 404)


def test_bucket_lifecycle(s3, bucket):
    assert error_code(s3.get_bucket_lifecycle_configuration, Bucket=bucket) == ("NoSuchLifecycleConfiguration", 404)
    rule = {"ID": "expire-logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 30}}
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert got[0]["ID"] == "expire-logs"
    assert got[0]["Expiration"]["Days"] == 30
    assert got[0]["Filter"]["Prefix"] == "logs/"
    s3.delete_bucket_lifecycle(Bucket=bucket)
    assert error_code(s3.get_bucket_lifecycle_configuration, Bucket=bucket)[0] == "NoSuchLifecycleConfiguration"


def test_object_tagging(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="project=landbridge&tier=gold")
    assert s3.get_object(Bucket=bucket, Key="k")["TagCount"] == 2
    got = {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"]}
    assert got == {"project": "landbridge", "tier": "gold"}
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "only", "Value": "one"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "only", "Value": "one"}]
    s3.delete_object_tagging(Bucket=bucket, Key="k")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    assert "TagCount" not in s3.get_object(Bucket=bucket, Key="k")
    # Tagging does not touch the bytes.
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(11)]
    assert error_code(s3.put_object_tagging, Bucket=bucket, Key="k", Tagging={"TagSet": too_many})[0] == "InvalidTag"
    assert error_code(s3.get_object_tagging, Bucket=bucket, Key="missing")[0] == "NoSuchKey"


def test_storage_class_and_encryption_are_recorded_and_echoed(s3, bucket):
    plain = s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    # SSE-S3 is S3's default for every new object.
    assert plain["ServerSideEncryption"] == "AES256"
    head = s3.head_object(Bucket=bucket, Key="plain")
    assert head["ServerSideEncryption"] == "AES256"
    assert "StorageClass" not in head, "S3 names the storage class only when it is not STANDARD"

    s3.put_object(
        Bucket=bucket,
        Key="cold",
        Body=b"y",
        StorageClass="GLACIER_IR",
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId="arn:aws:kms:us-east-1:434343434343:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    )
    head = s3.head_object(Bucket=bucket, Key="cold")
    assert head["StorageClass"] == "GLACIER_IR"
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].endswith("1234567890ab")
    listed = {o["Key"]: o["StorageClass"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert listed == {"cold": "GLACIER_IR", "plain": "STANDARD"}

    # A copy takes the storage class the copy request names (STANDARD by default).
    s3.copy_object(Bucket=bucket, Key="warm", CopySource={"Bucket": bucket, "Key": "cold"})
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="warm")
    s3.copy_object(Bucket=bucket, Key="ia", CopySource={"Bucket": bucket, "Key": "cold"}, StorageClass="STANDARD_IA")
    assert s3.head_object(Bucket=bucket, Key="ia")["StorageClass"] == "STANDARD_IA"


def test_read_only_bucket_settings_tools_ask_for(s3, bucket):
    """Terraform and cleanup scripts read these on every bucket; answer as S3 does for a
    bucket that never had versioning, uses S3's default encryption and the owner's ACL."""
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    acl = s3.get_bucket_acl(Bucket=bucket)
    assert acl["Owner"]["ID"] == "424242424242"
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]

    for key in ("a/1", "a/2", "b"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    versions = s3.list_object_versions(Bucket=bucket)
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in versions["Versions"]] == [
        ("a/1", "null", True),
        ("a/2", "null", True),
        ("b", "null", True),
    ]
    assert versions.get("DeleteMarkers", []) == []
    page = s3.list_object_versions(Bucket=bucket, MaxKeys=2)
    assert page["IsTruncated"] and page["NextKeyMarker"] == "a/2"
    rest = s3.list_object_versions(Bucket=bucket, KeyMarker=page["NextKeyMarker"])
    assert [v["Key"] for v in rest["Versions"]] == ["b"]
    # Deleting every listed version (what `force_destroy` does) empties the bucket.
    s3.delete_objects(
        Bucket=bucket,
        Delete={"Objects": [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions["Versions"]]},
    )
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    s3.delete_bucket(Bucket=bucket)
    assert error_code(s3.get_bucket_versioning, Bucket=bucket)[0] == "NoSuchBucket"


def test_version_ids_other_than_null_name_nothing(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"v"
    assert error_code(s3.get_object, Bucket=bucket, Key="k", VersionId="3HL4kqtJlcpXroDTDmJ") == ("NoSuchVersion", 404)
    assert error_code(s3.delete_object, Bucket=bucket, Key="k", VersionId="3HL4kqtJlcpXroDTDmJ")[0] == "NoSuchVersion"
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": "3HL4kqtJlcpXroDTDmJ"}]})
    assert [e["Code"] for e in out["Errors"]] == ["NoSuchVersion"]
    # Nothing was deleted by a version id that names nothing.
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"
