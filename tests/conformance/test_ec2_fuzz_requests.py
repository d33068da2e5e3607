"""1,000 fuzzed EC2 query requests: whatever arrives, the answer is a 200 or a 4xx with EC2's
error XML and a <Code>; never a 5xx, never a dropped connection; the server keeps serving.

The requests are form POSTs with Version=2016-11-15, built from a seeded random.Random so a
failure is reproducible from its index: implemented actions and unknown ones; parameter
names EC2 knows (Filter.N.Name / Filter.N.Value.M, CidrBlock, VpcId, TagSpecification...)
with indexes from 0 to 10^30; values that are real ids of this account, well-formed ids
of nothing, CIDRs good and bad, huge numbers, empty strings, long strings, Unicode, and raw
bytes as percent-escapes that are not UTF-8 (or not escapes at all).
"""

from __future__ import annotations

import http.client
import random
import urllib.parse

import pytest

from harness.landbridge import parse_aws_error, parse_xml

SEED = 4566
COUNT = 1000
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}

IMPLEMENTED = [
    "AssociateRouteTable", "AssociateVpcCidrBlock", "AttachInternetGateway", "CreateInternetGateway",
    "CreateNetworkInterface", "CreateRoute", "CreateRouteTable", "CreateSubnet", "CreateTags", "CreateVpc",
    "DeleteInternetGateway", "DeleteNetworkInterface", "DeleteRoute", "DeleteRouteTable", "DeleteSubnet",
    "DeleteTags", "DeleteVpc", "DescribeAvailabilityZones", "DescribeInternetGateways", "DescribeNetworkAcls",
    "DescribeNetworkInterfaces", "DescribeRegions", "DescribeRouteTables", "DescribeSecurityGroups",
    "DescribeSubnets", "DescribeTags", "DescribeVpcAttribute", "DescribeVpcs", "DetachInternetGateway",
    "DisassociateRouteTable", "DisassociateVpcCidrBlock", "ModifySubnetAttribute", "ModifyVpcAttribute",
    "ReplaceRoute", "ReplaceRouteTableAssociation",
]
UNKNOWN = [
    "DescribeSpotPriceHistory", "RunInstances", "CreateVpnGateway", "Frobnicate", "describevpcs", "DESCRIBEVPCS",
    "DescribeVpcs ", " CreateVpc", "CreateVpc\x00", "Create.Vpc", "../CreateVpc", "",
]

SCALAR_NAMES = [
    "CidrBlock", "VpcId", "SubnetId", "RouteTableId", "GatewayId", "InternetGatewayId", "DestinationCidrBlock",
    "DestinationIpv6CidrBlock", "AssociationId", "NetworkInterfaceId", "AvailabilityZone", "AvailabilityZoneId",
    "Attribute", "EnableDnsHostnames.Value", "EnableDnsSupport.Value", "MapPublicIpOnLaunch.Value",
    "AssignIpv6AddressOnCreation.Value", "AmazonProvidedIpv6CidrBlock", "InstanceTenancy", "PrivateIpAddress",
    "Description", "MaxResults", "NextToken", "DryRun", "AllRegions", "Ipv4NetmaskLength", "Ipv6CidrBlock",
    "SecondaryPrivateIpAddressCount", "Ipv6AddressCount", "ClientToken", "InterfaceType",
]
LIST_NAMES = [
    "VpcId", "SubnetId", "RouteTableId", "InternetGatewayId", "NetworkInterfaceId", "ResourceId", "RegionName",
    "ZoneName", "ZoneId", "NetworkAclId", "GroupId", "GroupName", "SecurityGroupId", "Resource",
]

HUGE_NUMBERS = [
    "0", "-1", "5", "1000", "1001", "2147483647", "2147483648", "-2147483649", "4294967296",
    "9223372036854775807", "9223372036854775808", "18446744073709551616", "9" * 400, "1e309", "-0",
    "NaN", "Infinity", "0x10", "1.5", "+5", "05", " 5",
]
CIDRS = [
    "10.0.0.0/16", "10.0.0.0/24", "10.0.0.0/28", "10.0.0.0/8", "0.0.0.0/0", "255.255.255.255/32", "10.0.0.0/-1",
    "10.0.0.0/33", "10.0.0.0/99999999999999999999", "10.0.0.1/16", "10.0.0", "10.0.0.0", "1.2.3.4.5/6",
    "::/0", "2001:db8::/56", "2001:db8::/129", "10.0.0.0/16/16", "10.0.0.0/16\x00", "999.0.0.0/16",
    "172.31.0.0/16", "192.168.0.0/16", "100.64.0.0/10", "10.1.0.0/16",
]
WORDS = [
    "", " ", "true", "false", "TRUE", "1", "yes", "default", "dedicated", "host", "enableDnsHostnames",
    "enableDnsSupport", "enableNetworkAddressUsageMetrics", "us-east-1a", "us-east-1z", "use1-az1", "eu-west-1",
    "interface", "efa", "vpc", "subnet", "*", "?", "\\*", "*?*", "[a-z]", "%", "ünïcødé", "\u202eevil",
    "\U0001f680", "\r\n", "\x00", "<xml>&amp;</xml>", "'; DROP TABLE vpcs; --", "${jndi:x}",
]
FILTER_NAMES = [
    "vpc-id", "cidr", "cidr-block-association.cidr-block", "is-default", "state", "owner-id", "tag-key", "tag:Name",
    "tag:", "tag", "subnet-id", "availability-zone", "default-for-az", "association.main", "association.subnet-id",
    "route.gateway-id", "route.state", "attachment.vpc-id", "default", "group-name", "resource-type", "resource-id",
    "key", "value", "region-name", "zone-name", "no-such-filter", "",
]


def index(rng: random.Random) -> str:
    return rng.choice(["1", "1", "1", "2", "3", "0", "-1", "01", "1000000", "2147483648", str(2**64), "1" + "0" * 30, "", "a", "1.5"])


def random_id(rng: random.Random) -> str:
    prefix = rng.choice(["vpc", "subnet", "rtb", "igw", "eni", "acl", "sg", "rtbassoc", "vpc-cidr-assoc", "i", ""])
    body = rng.choice([
        "".join(rng.choice("0123456789abcdef") for _ in range(17)),
        "".join(rng.choice("0123456789abcdef") for _ in range(8)),
        "".join(rng.choice("0123456789abcdef") for _ in range(rng.randrange(0, 40))),
        "ZZZZ",
        "",
    ])
    return f"{prefix}-{body}"


def random_text(rng: random.Random) -> str:
    size = rng.choice([0, 1, 5, 30, 255, 256, 1000, 70_000])
    alphabet = rng.choice([
        "abcdefghijklmnopqrstuvwxyz0123456789-",
        "&=%+;/?#[]@!$'()*,",
        "".join(chr(c) for c in range(32)),
        "\u00e9\u4e2d\u0416\U0001f600\ufffd\u200b",
    ])
    return "".join(rng.choice(alphabet) for _ in range(size))


class Request:
    """One request: (raw key, raw value) pairs already in wire form (bytes)."""

    def __init__(self):
        self.pairs: list[bytes] = []

    def add(self, key: str | bytes, value: str | bytes | None) -> None:
        k = key if isinstance(key, bytes) else urllib.parse.quote_plus(key, safe=".").encode()
        if value is None:
            self.pairs.append(k)  # a key without "="
            return
        v = value if isinstance(value, bytes) else urllib.parse.quote_plus(value).encode()
        self.pairs.append(k + b"=" + v)

    def body(self) -> bytes:
        return b"&".join(self.pairs)


def wire_bytes(rng: random.Random) -> bytes:
    """A value already on the wire: escapes of arbitrary (non-UTF-8) bytes, broken escapes, raw bytes."""
    kind = rng.randrange(5)
    if kind == 0:
        return b"".join(b"%%%02X" % b for b in rng.randbytes(rng.randrange(1, 40)))
    if kind == 1:
        return rng.choice([b"%FF%FE", b"%C3%28", b"%ED%A0%80", b"%F4%90%80%80", b"%C0%AF", b"%00", b"%E2%82"])
    if kind == 2:
        return rng.choice([b"%", b"%G1", b"%F", b"%%", b"%zz%", b"100%"])
    if kind == 3:
        return rng.randbytes(rng.randrange(1, 30)).replace(b"&", b"").replace(b"=", b"")
    return b"+" * rng.randrange(1, 10)


def value(rng: random.Random, real_ids: list[str], dirty: bool) -> str | bytes:
    kind = rng.randrange(10)
    if kind == 0:
        return rng.choice(real_ids)
    if kind == 1:
        return random_id(rng)
    if kind == 2:
        return rng.choice(CIDRS)
    if kind == 3:
        return rng.choice(HUGE_NUMBERS)
    if kind == 4:
        return rng.choice(WORDS)
    if kind == 5:
        return random_text(rng)
    if kind == 6:
        return wire_bytes(rng) if dirty else random_text(rng)
    if kind == 7:
        return ""
    if kind == 8:
        return rng.choice(real_ids) + rng.choice(["", " ", "\x00", "0", "*"])
    return rng.choice(FILTER_NAMES)


def build(rng: random.Random, real_ids: list[str]) -> tuple[bytes, list[str]]:
    """A fuzzed body and the Action values it carries.

    A third of the requests are "dirty": they may carry bytes that are not a valid form
    encoding or not UTF-8. The rest are well-formed, so they reach the handlers.
    """
    req = Request()
    dirty = rng.random() < 0.33
    r = rng.random()
    if r < 0.65:
        action = rng.choice(IMPLEMENTED)
    elif r < 0.9:
        action = rng.choice(UNKNOWN)
    else:
        action = None
    if action is not None:
        req.add("Action", action)
    elif dirty and rng.random() < 0.5:
        req.add("Action", wire_bytes(rng))
    req.add("Version", "2016-11-15")
    actions = [] if action is None else [action]
    if rng.random() < 0.03:
        second = rng.choice(IMPLEMENTED)
        req.add("Action", second)  # a second Action: AWS does not say which wins
        actions.append(second)

    for _ in range(rng.choice([0, 1, 2, 3, 5, 8, 20])):
        shape = rng.randrange(8)
        if shape == 0:
            n = index(rng)
            req.add(f"Filter.{n}.Name", rng.choice(FILTER_NAMES))
            for _ in range(rng.randrange(0, 4)):
                req.add(f"Filter.{n}.Value.{index(rng)}", value(rng, real_ids, dirty))
        elif shape == 1:
            req.add(rng.choice(SCALAR_NAMES), value(rng, real_ids, dirty))
        elif shape == 2:
            req.add(f"{rng.choice(LIST_NAMES)}.{index(rng)}", value(rng, real_ids, dirty))
        elif shape == 3:
            n = index(rng)
            req.add(f"Tag.{n}.Key", value(rng, real_ids, dirty))
            if rng.random() < 0.7:
                req.add(f"Tag.{n}.Value", value(rng, real_ids, dirty))
        elif shape == 4:
            n = index(rng)
            req.add(f"TagSpecification.{n}.ResourceType", rng.choice(["vpc", "subnet", "route-table", "internet-gateway", "network-interface", "instance", "", "banana"]))
            req.add(f"TagSpecification.{n}.Tag.{index(rng)}.Key", value(rng, real_ids, dirty))
            req.add(f"TagSpecification.{n}.Tag.{index(rng)}.Value", value(rng, real_ids, dirty))
        elif shape == 5 and dirty:
            req.add(wire_bytes(rng), value(rng, real_ids, dirty))  # a name that is not a name
        elif shape == 6:
            req.add(rng.choice(SCALAR_NAMES + ["", "=", "Action.1", "Version"]), None if rng.random() < 0.5 else "")
        else:
            name = rng.choice(SCALAR_NAMES)
            req.add(name, value(rng, real_ids, dirty))
            req.add(name, value(rng, real_ids, dirty))  # the same parameter twice
    if rng.random() < 0.05:
        req.pairs.insert(rng.randrange(len(req.pairs) + 1), b"")  # "&&"
    return req.body(), actions


def check_ec2_answer(resp, actions: list[str], what: str) -> None:
    assert resp.status < 500, f"{what}: {resp.status} {resp.body[:800]!r}"
    if resp.status == 200:
        root = parse_xml(resp.body)
        answered = root.tag.rsplit("}", 1)[-1].removesuffix("Response")
        assert answered in IMPLEMENTED and answered in actions, (
            f"{what}: 200 answering {answered!r} for Action {actions!r}: {resp.body[:300]!r}"
        )
        return
    assert 400 <= resp.status < 500, f"{what}: status {resp.status}"
    try:
        root = parse_xml(resp.body)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the finding
        raise AssertionError(f"{what}: {resp.status} with a body that is not XML: {resp.body[:500]!r}") from exc
    assert root.tag == "Response", f"{what}: not EC2's error envelope: {resp.body[:500]!r}"
    error = root.find("./Errors/Error")
    assert error is not None and (error.findtext("Code") or "").strip(), f"{what}: no <Code>: {resp.body[:500]!r}"
    assert error.findtext("Message") is not None, f"{what}: no <Message>: {resp.body[:500]!r}"
    assert root.findtext("RequestID"), f"{what}: no <RequestID>: {resp.body[:500]!r}"
    if resp.status == 412:
        assert error.findtext("Code") == "DryRunOperation", f"{what}: {resp.body[:500]!r}"


@pytest.fixture
def fuzz_account(client):
    """An account of its own, with a few real resources whose ids the fuzzer reuses."""
    account = str(random.SystemRandom().randrange(200_000_000_000, 999_999_999_999))
    ec2 = client("ec2", access_key=account)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    assoc = ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)["AssociationId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    cidr_assoc = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["CidrBlockAssociationSet"][0]["AssociationId"]
    return account, ec2, [vpc, subnet, igw, table, assoc, eni, cidr_assoc]


@pytest.mark.deadline(300)
def test_fuzzed_ec2_requests_get_ec2_answers(landbridge, raw_request, signed_request, fuzz_account, assert_still_serving):
    account, ec2, real_ids = fuzz_account
    rng = random.Random(SEED)
    for i in range(COUNT):
        body, actions = build(rng, real_ids)
        what = f"request {i} (seed {SEED}) body {body[:300]!r}"
        signed = rng.random() < 0.95
        try:
            if signed:
                resp = signed_request("/", body, FORM, "ec2", access_key=account, timeout=30)
            else:
                resp = raw_request("POST", "/", body, FORM, timeout=30)
        except (OSError, http.client.HTTPException) as exc:
            pytest.fail(f"{what}: connection failed: {exc!r}; server stderr:\n{landbridge.stderr_tail()}")
        if signed:
            check_ec2_answer(resp, actions, what)
        else:
            # Unsigned: AWS would refuse it; any 200 or AWS error a client can decode will do.
            assert resp.status < 500, f"{what}: {resp.status} {resp.body[:500]!r}"
            if resp.status != 200:
                assert parse_aws_error(resp).code, what

    assert_still_serving()
    vpcs = ec2.describe_vpcs()["Vpcs"]
    # The fuzzer never learns the default VPC's id, so nothing can have removed it.
    assert [v["CidrBlock"] for v in vpcs if v["IsDefault"]] == ["172.31.0.0/16"], vpcs
