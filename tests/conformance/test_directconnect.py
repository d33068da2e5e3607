"""Direct Connect speaks awsJson1_1 (what botocore sends) and rpcv2Cbor (what newer SDKs
prefer): the same call must give the same data either way."""

from __future__ import annotations

import json
import re

import boto3
import botocore.loaders
import botocore.session
import cbor2
import pytest
from botocore.config import Config

JSON_HEADERS = {
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Target": "OvertureService.DescribeLocations",
}
CBOR_PATH = "/service/OvertureService/operation/DescribeLocations"
CBOR_HEADERS = {
    "smithy-protocol": "rpc-v2-cbor",
    "Content-Type": "application/cbor",
    "Accept": "application/cbor",
}


def _assert_locations(locations, region):
    assert locations, f"no Direct Connect locations in {region}"
    codes = [loc["locationCode"] for loc in locations]
    assert len(codes) == len(set(codes)), f"duplicate location codes: {codes}"
    for loc in locations:
        assert loc["locationCode"] and loc["locationName"], loc
        assert loc["region"] == region, loc
        assert isinstance(loc["availablePortSpeeds"], list) and loc["availablePortSpeeds"], loc
        # DescribeLocations spells port speeds "1G", "10G", "100G", "400G".
        assert all(isinstance(s, str) and re.fullmatch(r"\d+G", s) for s in loc["availablePortSpeeds"]), loc
        assert isinstance(loc["availableProviders"], list), loc


def test_cli_describe_locations(aws):
    out = aws("directconnect", "describe-locations")
    _assert_locations(out["locations"], "us-east-1")


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_describe_locations_are_those_of_the_signing_region(client, region):
    resp = client("directconnect", region=region).describe_locations()
    _assert_locations(resp["locations"], region)
    assert resp["ResponseMetadata"]["RequestId"]


def test_json_response_carries_request_id_header(signed_request):
    resp = signed_request("/", b"{}", JSON_HEADERS, "directconnect")
    assert resp.status == 200, resp.body
    assert resp.headers.get("x-amzn-RequestId")
    assert json.loads(resp.body)["locations"]


def test_rpcv2_cbor_gives_the_same_locations_as_json(signed_request):
    json_resp = signed_request("/", b"{}", JSON_HEADERS, "directconnect")
    cbor_resp = signed_request(CBOR_PATH, cbor2.dumps({}), CBOR_HEADERS, "directconnect")
    assert json_resp.status == 200, json_resp.body
    assert cbor_resp.status == 200, cbor_resp.body
    assert cbor_resp.headers.get("smithy-protocol") == "rpc-v2-cbor"
    assert cbor_resp.headers.get("Content-Type", "").split(";")[0].strip() == "application/cbor"
    assert cbor_resp.headers.get("x-amzn-RequestId")
    from_cbor = cbor2.loads(cbor_resp.body)
    from_json = json.loads(json_resp.body)
    assert from_cbor["locations"] == from_json["locations"]


@pytest.fixture(scope="module")
def cbor_only_models(tmp_path_factory):
    """A copy of botocore's Direct Connect model that lists only rpcv2Cbor, so that
    boto3 itself speaks CBOR, as SDKs that prefer it do."""
    model = botocore.loaders.Loader().load_service_model("directconnect", "service-2")
    model["metadata"]["protocol"] = "smithy-rpc-v2-cbor"
    model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
    root = tmp_path_factory.mktemp("botocore-models")
    target = root / "directconnect" / model["metadata"]["apiVersion"]
    target.mkdir(parents=True)
    (target / "service-2.json").write_text(json.dumps(model))
    return root


def _cbor_client(landbridge, models_dir, region="us-east-1"):
    core = botocore.session.get_session()
    core.get_component("data_loader").search_paths.insert(0, str(models_dir))
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=region, botocore_session=core
    )
    config = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=60)
    client = session.client("directconnect", endpoint_url=landbridge.url, config=config)
    assert client.meta.service_model.resolved_protocol == "smithy-rpc-v2-cbor"
    return client


def test_boto3_speaking_cbor_sees_the_same_locations(landbridge, client, cbor_only_models):
    """botocore's own CBOR client sends an empty body for this input-less operation."""
    via_cbor = _cbor_client(landbridge, cbor_only_models).describe_locations()
    via_json = client("directconnect").describe_locations()
    assert via_cbor["ResponseMetadata"]["HTTPHeaders"].get("smithy-protocol") == "rpc-v2-cbor"
    assert via_cbor["locations"] == via_json["locations"]
