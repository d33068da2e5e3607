"""Errors a client can provoke: unimplemented operations and malformed requests.

The rule from the brief: every bad request gets a 4xx with an AWS error body the client
can decode (never a 5xx, an HTML page, a dropped connection or a hang), and the server
keeps serving afterwards.
"""

from __future__ import annotations

import json

import cbor2
import pytest

from harness.awscli import AwsCliError
from harness.landbridge import parse_aws_error

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
DX_JSON = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "OvertureService.DescribeLocations"}
CBOR = {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Accept": "application/cbor"}
CBOR_PATH = "/service/OvertureService/operation/DescribeLocations"
TEN_MB = 10 * 1024 * 1024


def garbage(size: int) -> bytes:
    """Deterministic bytes that are valid as nothing: every byte value, so also `&`, `=`,
    `%`, NUL and invalid UTF-8."""
    block = bytes(range(256))
    return (block * (size // len(block) + 1))[:size]


# --------------------------------------------------------------------------- unimplemented operations


def test_cli_transfer_unimplemented_operation(aws):
    with pytest.raises(AwsCliError) as info:
        aws("transfer", "list-workflows")
    assert info.value.code == "UnknownOperationException", info.value.stderr


def test_transfer_unimplemented_operation_wire_format(signed_request):
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TransferService.ListWorkflows"}
    resp = signed_request("/", b"{}", headers, "transfer")
    assert resp.status == 400, resp.body
    body = json.loads(resp.body)
    assert body["__type"].split(":")[0].endswith("UnknownOperationException"), body
    assert resp.headers.get("x-amzn-RequestId")


def test_json_unknown_operation_of_known_service(signed_request):
    headers = dict(DX_JSON, **{"X-Amz-Target": "OvertureService.NoSuchOperation"})
    resp = signed_request("/", b"{}", headers, "directconnect")
    assert resp.status == 400, resp.body
    assert parse_aws_error(resp).code == "UnknownOperationException"


def test_cbor_unknown_operation_of_known_service(signed_request):
    resp = signed_request("/service/OvertureService/operation/NoSuchOperation", cbor2.dumps({}), CBOR, "directconnect")
    assert 400 <= resp.status < 500, resp.body
    err = parse_aws_error(resp)
    assert err.kind == "cbor", resp.headers
    assert err.code == "UnknownOperationException"
    assert resp.headers.get("x-amzn-RequestId")


# --------------------------------------------------------------------------- malformed requests

# (id, path, headers, body, signing service or None for an unsigned request)
BAD_REQUESTS = [
    # query / ec2 form posts
    ("form-empty-body", "/", FORM, b"", "ec2"),
    ("form-garbage", "/", FORM, b"\x00\x01garbage&&==%%zz=&=", "ec2"),
    ("form-bad-percent-escapes", "/", FORM, b"Action=DescribeRegions&Version=2016-11-15&RegionName.1=%ZZ%", "ec2"),
    ("form-invalid-utf8", "/", FORM, b"Action=DescribeRegions&Version=2016-11-15&RegionName.1=\xff\xfe\xc3", "ec2"),
    ("form-invalid-utf8-escaped", "/", FORM, b"Action=DescribeRegions&Version=2016-11-15&RegionName.1=%FF%FE", "ec2"),
    ("ec2-as-json", "/", {"Content-Type": "application/json"}, b'{"Action": "DescribeRegions"}', "ec2"),
    ("sts-form-garbage", "/", FORM, garbage(4096), "sts"),
    # awsJson1_1
    ("json-garbage", "/", DX_JSON, b"{not json", "directconnect"),
    ("json-invalid-utf8", "/", DX_JSON, b'{"a": "\xff\xfe"}', "directconnect"),
    ("json-not-an-object", "/", DX_JSON, b"[1, 2, 3]", "directconnect"),
    ("json-deeply-nested", "/", DX_JSON, b"[" * 100_000 + b"]" * 100_000, "directconnect"),
    ("json-with-cbor-content-type", "/", dict(DX_JSON, **{"Content-Type": "application/cbor"}), cbor2.dumps({"x": 1}), "directconnect"),
    ("json-target-without-operation", "/", dict(DX_JSON, **{"X-Amz-Target": "garbage"}), b"{}", "directconnect"),
    # rpcv2Cbor
    ("cbor-garbage", CBOR_PATH, CBOR, b"\xff\xff\xff\xff", "directconnect"),
    ("cbor-truncated", CBOR_PATH, CBOR, b"\xbf\x61", "directconnect"),
    ("cbor-not-a-map", CBOR_PATH, CBOR, cbor2.dumps([1, 2, 3]), "directconnect"),
    ("cbor-deeply-nested", CBOR_PATH, CBOR, b"\x81" * 100_000 + b"\x00", "directconnect"),
    ("cbor-invalid-utf8-text", CBOR_PATH, CBOR, b"\xa1\x61a\x62\xff\xfe", "directconnect"),
    ("cbor-with-json-content-type", CBOR_PATH, dict(CBOR, **{"Content-Type": "application/json"}), b'{"a": 1}', "directconnect"),
    # unsigned, nothing to recognise a service by
    ("unsigned-empty", "/", {}, b"", None),
    ("unsigned-garbage", "/", {"Content-Type": "application/octet-stream"}, garbage(1024), None),
    # ten megabytes of garbage under each protocol's headers
    ("form-10mb", "/", FORM, garbage(TEN_MB), "ec2"),
    ("json-10mb", "/", DX_JSON, garbage(TEN_MB), "directconnect"),
    ("cbor-10mb", CBOR_PATH, CBOR, garbage(TEN_MB), "directconnect"),
]


@pytest.mark.parametrize(
    "path, headers, body, service",
    [case[1:] for case in BAD_REQUESTS],
    ids=[case[0] for case in BAD_REQUESTS],
)
def test_bad_request_gets_aws_error_and_server_survives(raw_request, signed_request, assert_still_serving, path, headers, body, service):
    if service is None:
        resp = raw_request("POST", path, body, headers)
    else:
        resp = signed_request(path, body, headers, service)
    assert 400 <= resp.status < 500, f"status {resp.status}: {resp.body[:500]!r}"
    err = parse_aws_error(resp)
    assert err.code, resp.body[:500]
    assert err.request_id, f"no request id in error (headers {dict(resp.headers)}, body {resp.body[:300]!r})"
    assert_still_serving()
