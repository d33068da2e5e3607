"""STS (query protocol): who am I, and assuming a role, as the CLI and boto3 see it."""

from __future__ import annotations

import datetime as dt
import re

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from harness.landbridge import form_body, parse_aws_error, parse_xml, xml_find_text

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


# --------------------------------------------------------------------------- GetCallerIdentity


def test_cli_get_caller_identity_default_account(aws):
    identity = aws("sts", "get-caller-identity")
    assert identity["Account"] == "000000000000"
    assert identity["Arn"] == "arn:aws:iam::000000000000:root"


def test_cli_get_caller_identity_twelve_digit_access_key_selects_account(aws):
    identity = aws("sts", "get-caller-identity", env={"AWS_ACCESS_KEY_ID": "111122223333"})
    assert identity["Account"] == "111122223333"
    assert identity["Arn"] == "arn:aws:iam::111122223333:root"


def test_get_caller_identity_carries_request_id(client):
    first = client("sts").get_caller_identity()["ResponseMetadata"]
    second = client("sts").get_caller_identity()["ResponseMetadata"]
    assert first["HTTPStatusCode"] == 200
    assert first["RequestId"], "no <RequestId> in <ResponseMetadata>"
    assert first["RequestId"] != second["RequestId"], "request ids must differ per request"


def test_get_caller_identity_wire_format(signed_request):
    """The XML a query-protocol client parses: GetCallerIdentityResponse/Result + RequestId."""
    body = form_body({"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    status, headers, data = signed_request("/", body, FORM, "sts")
    assert status == 200, data
    assert "xml" in headers.get("Content-Type", "")
    root = parse_xml(data)
    assert root.tag.endswith("GetCallerIdentityResponse")
    assert xml_find_text(root, "Account") == "000000000000"
    assert xml_find_text(root, "RequestId")


# --------------------------------------------------------------------------- AssumeRole


def _assume(client, access_key="test", account="000000000000", **extra):
    sts = client("sts", access_key=access_key, validate=extra.pop("validate", True))
    return sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/deploy-role",
        RoleSessionName="runbook-session",
        **extra,
    )


def _assert_expiration(expiration: dt.datetime, seconds: int):
    now = dt.datetime.now(dt.timezone.utc)
    expected = now + dt.timedelta(seconds=seconds)
    assert abs((expiration - expected).total_seconds()) < 120, (
        f"Expiration {expiration.isoformat()} is not about now + {seconds}s ({expected.isoformat()})"
    )


def test_assume_role_returns_temporary_credentials(client):
    resp = _assume(client)
    creds = resp["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z0-9]{16}", creds["AccessKeyId"]), creds["AccessKeyId"]
    assert len(creds["SecretAccessKey"]) == 40
    assert creds["SessionToken"]
    _assert_expiration(creds["Expiration"], 3600)
    assert resp["AssumedRoleUser"]["Arn"] == "arn:aws:sts::000000000000:assumed-role/deploy-role/runbook-session"


def test_assume_role_credentials_are_fresh_each_time(client):
    a = _assume(client)["Credentials"]
    b = _assume(client)["Credentials"]
    assert a["AccessKeyId"] != b["AccessKeyId"]
    assert a["SecretAccessKey"] != b["SecretAccessKey"]


def test_assume_role_honours_duration_seconds(client):
    creds = _assume(client, DurationSeconds=900)["Credentials"]
    _assert_expiration(creds["Expiration"], 900)


def test_assume_role_in_selected_account(client):
    resp = _assume(client, access_key="111122223333", account="111122223333")
    assert resp["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111122223333:assumed-role/deploy-role/runbook-session"


def test_cli_assume_role(aws):
    resp = aws(
        "sts", "assume-role",
        "--role-arn", "arn:aws:iam::000000000000:role/deploy-role",
        "--role-session-name", "cli-session",
    )
    assert resp["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert resp["AssumedRoleUser"]["Arn"] == "arn:aws:sts::000000000000:assumed-role/deploy-role/cli-session"


def test_assume_role_duration_too_short_is_validation_error(client):
    # botocore rejects 100 < 900 itself, so switch its checks off to let the server judge.
    with pytest.raises(ClientError) as info:
        _assume(client, DurationSeconds=100, validate=False)
    err = info.value.response
    assert err["Error"]["Code"] == "ValidationError"
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["ResponseMetadata"].get("RequestId")


def test_assume_role_missing_session_name_is_rejected(signed_request):
    """botocore never sends this, other clients can: the server must name the missing member."""
    body = form_body({
        "Action": "AssumeRole",
        "Version": "2011-06-15",
        "RoleArn": "arn:aws:iam::000000000000:role/x",
    })
    resp = signed_request("/", body, FORM, "sts")
    assert resp.status == 400, resp.body
    root = parse_xml(resp.body)
    assert root.tag.rsplit("}", 1)[-1] == "ErrorResponse", resp.body
    err = parse_aws_error(resp)
    assert err.code in ("MissingParameter", "ValidationError")
    # AWS's validators name members in lowerCamelCase ('roleSessionName').
    assert "rolesessionname" in err.message.lower()
    assert err.request_id


def _session_client(server, service, creds):
    session = boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )
    return session.client(service, endpoint_url=server.url, config=Config(retries={"total_max_attempts": 1}))


def test_assumed_role_credentials_act_in_the_roles_account(landbridge, client):
    """Cross-account scripts assume a role in another account and expect their calls to land there."""
    resp = client("sts").assume_role(RoleArn="arn:aws:iam::565656565656:role/network-admin", RoleSessionName="ci")
    creds = resp["Credentials"]
    identity = _session_client(landbridge, "sts", creds).get_caller_identity()
    assert identity["Account"] == "565656565656"
    assert identity["Arn"] == "arn:aws:sts::565656565656:assumed-role/network-admin/ci"
    assert identity["UserId"] == resp["AssumedRoleUser"]["AssumedRoleId"]

    vpc = _session_client(landbridge, "ec2", creds).create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]
    assert vpc["OwnerId"] == "565656565656"
    in_role_account = client("ec2", access_key="565656565656").describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"]
    assert [v["VpcId"] for v in in_role_account] == [vpc["VpcId"]]
    with pytest.raises(ClientError) as e:
        client("ec2").describe_vpcs(VpcIds=[vpc["VpcId"]])
    assert e.value.response["Error"]["Code"] == "InvalidVpcID.NotFound"


def test_assumed_role_sessions_survive_a_restart(fresh_landbridge, tmp_path):
    data_dir = tmp_path / "d"
    first = fresh_landbridge(data_dir=data_dir)
    sts = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="x", region_name="us-east-1").client(
        "sts", endpoint_url=first.url
    )
    creds = sts.assume_role(RoleArn="arn:aws:iam::575757575757:role/ops", RoleSessionName="s1")["Credentials"]
    assert first.stop(term_timeout=10) == 0
    second = fresh_landbridge(data_dir=data_dir)
    assert _session_client(second, "sts", creds).get_caller_identity()["Account"] == "575757575757"
