"""EC2 (ec2 protocol): regions and availability zones, plus the error an unimplemented
EC2 action must give."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from harness.awscli import AwsCliError
from harness.landbridge import form_body, parse_aws_error, parse_xml, xml_find_text

# Regions every account has without opting in (AWS's list since 2019).
DEFAULT_REGIONS = {
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-southeast-1", "ap-southeast-2", "ca-central-1",
    "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1",
    "sa-east-1",
}
# Regions that need opting in; an emulator of today's AWS lists at least these.
SOME_OPT_IN_REGIONS = {"af-south-1", "ap-east-1", "me-south-1", "eu-south-1"}

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _by_name(regions):
    names = [r["RegionName"] for r in regions]
    assert len(names) == len(set(names)), f"duplicate regions: {names}"
    return {r["RegionName"]: r for r in regions}


# --------------------------------------------------------------------------- DescribeRegions


def test_cli_describe_regions_with_endpoint_env_var(aws, landbridge):
    """Current CLIs honour AWS_ENDPOINT_URL: no --endpoint-url flag needed."""
    out = aws("ec2", "describe-regions", env={"AWS_ENDPOINT_URL": landbridge.url}, endpoint_flag=False)
    regions = _by_name(out["Regions"])
    assert DEFAULT_REGIONS <= regions.keys()
    for name, region in regions.items():
        assert region["OptInStatus"] == "opt-in-not-required", region
        assert region["Endpoint"] == f"ec2.{name}.amazonaws.com"


def test_describe_regions_all_regions_adds_opt_in_regions(client):
    ec2 = client("ec2")
    default = _by_name(ec2.describe_regions()["Regions"])
    everything = _by_name(ec2.describe_regions(AllRegions=True)["Regions"])
    assert default.keys() < everything.keys()
    assert SOME_OPT_IN_REGIONS <= everything.keys()
    for name in everything.keys() - default.keys():
        assert everything[name]["OptInStatus"] == "not-opted-in", everything[name]
        assert everything[name]["Endpoint"] == f"ec2.{name}.amazonaws.com"
    for name in default:
        assert everything[name] == default[name]


def test_describe_regions_filter_region_name(client):
    regions = client("ec2").describe_regions(
        Filters=[{"Name": "region-name", "Values": ["eu-west-1", "ap-south-1"]}]
    )["Regions"]
    assert sorted(r["RegionName"] for r in regions) == ["ap-south-1", "eu-west-1"]


@pytest.mark.parametrize("status", ["not-opted-in", "opt-in-not-required"])
def test_describe_regions_filter_opt_in_status(client, status):
    ec2 = client("ec2")
    everything = ec2.describe_regions(AllRegions=True)["Regions"]
    filtered = ec2.describe_regions(
        AllRegions=True, Filters=[{"Name": "opt-in-status", "Values": [status]}]
    )["Regions"]
    expected = sorted(r["RegionName"] for r in everything if r["OptInStatus"] == status)
    assert expected, f"no region has status {status}"
    assert sorted(r["RegionName"] for r in filtered) == expected


def test_describe_regions_by_name(client):
    resp = client("ec2").describe_regions(RegionNames=["us-east-1"])
    [region] = resp["Regions"]
    assert region["RegionName"] == "us-east-1"
    assert region["Endpoint"] == "ec2.us-east-1.amazonaws.com"
    assert region["OptInStatus"] == "opt-in-not-required"
    assert resp["ResponseMetadata"]["RequestId"]


def test_describe_regions_wire_format_has_request_id(signed_request):
    body = form_body({"Action": "DescribeRegions", "Version": "2016-11-15"})
    status, _, data = signed_request("/", body, FORM, "ec2")
    assert status == 200, data
    root = parse_xml(data)
    assert root.tag.rsplit("}", 1)[-1] == "DescribeRegionsResponse"
    assert xml_find_text(root, "requestId")


# --------------------------------------------------------------------------- DescribeAvailabilityZones


@pytest.mark.parametrize("region, zone_id_prefix", [("us-east-1", "use1"), ("eu-west-1", "euw1")])
def test_availability_zones_follow_the_signing_region(client, region, zone_id_prefix):
    zones = client("ec2", region=region).describe_availability_zones()["AvailabilityZones"]
    assert len(zones) >= 2, zones
    for z in zones:
        assert re.fullmatch(rf"{region}[a-z]", z["ZoneName"]), z
        assert re.fullmatch(rf"{zone_id_prefix}-az\d+", z["ZoneId"]), z
        assert z["State"] == "available"
        assert z["RegionName"] == region
    assert len({z["ZoneName"] for z in zones}) == len(zones)
    assert len({z["ZoneId"] for z in zones}) == len(zones)


def test_availability_zones_filter_zone_name(client):
    zones = client("ec2").describe_availability_zones(
        Filters=[{"Name": "zone-name", "Values": ["us-east-1a"]}]
    )["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == ["us-east-1a"]


def test_availability_zones_filter_zone_id(client):
    ec2 = client("ec2")
    some_zone = ec2.describe_availability_zones()["AvailabilityZones"][-1]
    zones = ec2.describe_availability_zones(
        Filters=[{"Name": "zone-id", "Values": [some_zone["ZoneId"]]}]
    )["AvailabilityZones"]
    assert zones == [some_zone]


def test_availability_zones_filter_state(client):
    ec2 = client("ec2")
    everything = ec2.describe_availability_zones()["AvailabilityZones"]
    available = ec2.describe_availability_zones(
        Filters=[{"Name": "state", "Values": ["available"]}]
    )["AvailabilityZones"]
    assert available == everything
    none = ec2.describe_availability_zones(
        Filters=[{"Name": "state", "Values": ["impaired"]}]
    )["AvailabilityZones"]
    assert none == []


def test_availability_zones_by_name(client):
    zones = client("ec2").describe_availability_zones(ZoneNames=["us-east-1b"])["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == ["us-east-1b"]


def test_availability_zone_unknown_name_is_invalid_parameter_value(client):
    with pytest.raises(ClientError) as info:
        client("ec2").describe_availability_zones(ZoneNames=["us-east-1z"])
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_cli_describe_availability_zones(aws):
    zones = aws("ec2", "describe-availability-zones", "--region", "us-west-2")["AvailabilityZones"]
    assert zones and all(z["RegionName"] == "us-west-2" for z in zones)


# --------------------------------------------------------------------------- unimplemented actions


def test_cli_unimplemented_action_is_invalid_action(aws):
    with pytest.raises(AwsCliError) as info:
        aws("ec2", "describe-spot-price-history")
    assert info.value.code == "InvalidAction", info.value.stderr
    assert "DescribeSpotPriceHistory" in info.value.message


def test_unimplemented_action_error_shape(signed_request):
    """EC2's error envelope is <Response><Errors><Error>, with <RequestID> (capital D)."""
    body = form_body({"Action": "DescribeSpotPriceHistory", "Version": "2016-11-15"})
    resp = signed_request("/", body, FORM, "ec2")
    assert resp.status == 400, resp.body
    root = parse_xml(resp.body)
    assert root.tag == "Response", resp.body
    error = root.find("./Errors/Error")
    assert error is not None, resp.body
    assert error.findtext("Code") == "InvalidAction"
    assert "DescribeSpotPriceHistory" in (error.findtext("Message") or "")
    assert root.findtext("RequestID"), resp.body
    assert parse_aws_error(resp).code == "InvalidAction"
