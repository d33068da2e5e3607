"""EC2 VPC core with the AWS CLI alone: a two-tier VPC built, read back and torn down the
way the VPC user guide walks a new user through it.

    VPC 10.0.0.0/16 (Name=two-tier)
    ├── public  10.0.0.0/24 us-east-1a, 10.0.1.0/24 us-east-1b  (Tier=public)  → rtb "public": 0.0.0.0/0 → igw
    └── private 10.0.2.0/24 us-east-1a, 10.0.3.0/24 us-east-1b  (Tier=private) → rtb "private": local only
    internet gateway attached to the VPC

The whole module runs in an account of its own (a random 12-digit access key id selects
it), so counts are exact: the account holds its default VPC and this one, nothing else.
The build is a module fixture; the read-back tests look at it; the teardown test (last in
the file) takes it apart in the order AWS requires.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

import boto3
import pytest
from botocore.config import Config

from harness.awscli import AwsCliError, run_aws

VPC_CIDR = "10.0.0.0/16"
# name -> (cidr, availability zone, tier)
SUBNETS = {
    "public-a": ("10.0.0.0/24", "us-east-1a", "public"),
    "public-b": ("10.0.1.0/24", "us-east-1b", "public"),
    "private-a": ("10.0.2.0/24", "us-east-1a", "private"),
    "private-b": ("10.0.3.0/24", "us-east-1b", "private"),
}
PUBLIC = [n for n, (_, _, tier) in SUBNETS.items() if tier == "public"]
PRIVATE = [n for n, (_, _, tier) in SUBNETS.items() if tier == "private"]

ID = {
    "vpc": re.compile(r"^vpc-[0-9a-f]{17}$"),
    "subnet": re.compile(r"^subnet-[0-9a-f]{17}$"),
    "igw": re.compile(r"^igw-[0-9a-f]{17}$"),
    "rtb": re.compile(r"^rtb-[0-9a-f]{17}$"),
    "rtbassoc": re.compile(r"^rtbassoc-[0-9a-f]{17}$"),
}


def new_account() -> str:
    """A random 12-digit account id (never the default 000000000000 nor 111122223333)."""
    return str(random.SystemRandom().randrange(200_000_000_000, 999_999_999_999))


class Cli:
    """`aws ec2 ...` as one account of the shared server."""

    def __init__(self, url: str, account: str):
        self.url = url
        self.account = account
        self._boto3 = None

    def __call__(self, *args: str):
        return run_aws("ec2", *args, endpoint_url=self.url, env={"AWS_ACCESS_KEY_ID": self.account})

    def error(self, *args: str) -> AwsCliError:
        with pytest.raises(AwsCliError) as info:
            self(*args)
        assert info.value.code, f"the CLI printed no AWS error code: {info.value.stderr}"
        return info.value

    def boto3(self):
        """A boto3 client for the same account, for the paging checks the CLI hides."""
        if self._boto3 is None:
            session = boto3.session.Session(aws_access_key_id=self.account, aws_secret_access_key="test", region_name="us-east-1")
            config = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=60)
            self._boto3 = session.client("ec2", endpoint_url=self.url, config=config)
        return self._boto3


def tags(resource: dict) -> dict:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def tag_spec(resource_type: str, **kv: str) -> str:
    inner = ",".join(f"{{Key={k},Value={v}}}" for k, v in kv.items())
    return f"ResourceType={resource_type},Tags=[{inner}]"


@dataclass
class TwoTier:
    vpc_id: str
    igw_id: str
    public_rt: str
    private_rt: str
    subnets: dict = field(default_factory=dict)  # name -> subnet id
    associations: dict = field(default_factory=dict)  # name -> rtbassoc id


@pytest.fixture(scope="module")
def cli(landbridge) -> Cli:
    return Cli(landbridge.url, new_account())


@pytest.fixture(scope="module")
def two_tier(cli) -> TwoTier:
    """Build the network with the CLI, checking each create's answer on the way."""
    vpc = cli("create-vpc", "--cidr-block", VPC_CIDR, "--tag-specifications", tag_spec("vpc", Name="two-tier"))["Vpc"]
    assert ID["vpc"].match(vpc["VpcId"]), vpc
    assert vpc["CidrBlock"] == VPC_CIDR
    assert vpc["State"] in ("pending", "available"), vpc
    assert vpc["IsDefault"] is False
    assert vpc["OwnerId"] == cli.account
    assert vpc["InstanceTenancy"] == "default"
    assert tags(vpc) == {"Name": "two-tier"}, "CreateVpc returns the tags it was given"
    net = TwoTier(vpc_id=vpc["VpcId"], igw_id="", public_rt="", private_rt="")

    for name, (cidr, az, tier) in SUBNETS.items():
        subnet = cli(
            "create-subnet", "--vpc-id", net.vpc_id, "--cidr-block", cidr, "--availability-zone", az,
            "--tag-specifications", tag_spec("subnet", Name=name, Tier=tier),
        )["Subnet"]
        assert ID["subnet"].match(subnet["SubnetId"]), subnet
        assert subnet["VpcId"] == net.vpc_id
        assert subnet["CidrBlock"] == cidr
        assert subnet["AvailabilityZone"] == az
        assert subnet["State"] in ("pending", "available"), subnet
        assert subnet["AvailableIpAddressCount"] == 251, "a /24 has 256 addresses, AWS reserves 5"
        assert subnet["DefaultForAz"] is False
        assert subnet["MapPublicIpOnLaunch"] is False
        assert tags(subnet) == {"Name": name, "Tier": tier}
        net.subnets[name] = subnet["SubnetId"]

    igw = cli("create-internet-gateway", "--tag-specifications", tag_spec("internet-gateway", Name="two-tier-igw"))["InternetGateway"]
    assert ID["igw"].match(igw["InternetGatewayId"]), igw
    assert igw.get("Attachments", []) == [], "a new internet gateway is detached"
    net.igw_id = igw["InternetGatewayId"]
    assert cli("attach-internet-gateway", "--internet-gateway-id", net.igw_id, "--vpc-id", net.vpc_id) == {}

    for tier in ("public", "private"):
        table = cli("create-route-table", "--vpc-id", net.vpc_id, "--tag-specifications", tag_spec("route-table", Name=tier))["RouteTable"]
        assert ID["rtb"].match(table["RouteTableId"]), table
        assert table["VpcId"] == net.vpc_id
        assert table.get("Associations", []) == []
        assert [r["DestinationCidrBlock"] for r in table["Routes"]] == [VPC_CIDR], "a new table holds only the local route"
        setattr(net, f"{tier}_rt", table["RouteTableId"])

    created = cli("create-route", "--route-table-id", net.public_rt, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", net.igw_id)
    assert created == {"Return": True}

    for names, table in ((PUBLIC, net.public_rt), (PRIVATE, net.private_rt)):
        for name in names:
            assoc = cli("associate-route-table", "--route-table-id", table, "--subnet-id", net.subnets[name])
            assert ID["rtbassoc"].match(assoc["AssociationId"]), assoc
            assert assoc["AssociationState"]["State"] in ("associating", "associated"), assoc
            net.associations[name] = assoc["AssociationId"]
    return net


# --------------------------------------------------------------------------- read back


def test_describe_vpcs_by_name_tag(cli, two_tier):
    vpcs = cli("describe-vpcs", "--filters", "Name=tag:Name,Values=two-tier")["Vpcs"]
    assert [v["VpcId"] for v in vpcs] == [two_tier.vpc_id]
    [vpc] = vpcs
    assert vpc["CidrBlock"] == VPC_CIDR
    assert vpc["State"] == "available"
    assert vpc["IsDefault"] is False
    assert tags(vpc) == {"Name": "two-tier"}
    [assoc] = vpc["CidrBlockAssociationSet"]
    assert assoc["CidrBlock"] == VPC_CIDR
    assert assoc["CidrBlockState"]["State"] == "associated"


def test_the_account_holds_its_default_vpc_and_ours(cli, two_tier):
    vpcs = cli("describe-vpcs")["Vpcs"]
    assert len(vpcs) == 2, vpcs
    [default] = [v for v in vpcs if v["IsDefault"]]
    assert default["CidrBlock"] == "172.31.0.0/16"
    assert {v["VpcId"] for v in vpcs} == {default["VpcId"], two_tier.vpc_id}


def test_describe_subnets_by_vpc(cli, two_tier):
    subnets = cli("describe-subnets", "--filters", f"Name=vpc-id,Values={two_tier.vpc_id}")["Subnets"]
    assert sorted(s["SubnetId"] for s in subnets) == sorted(two_tier.subnets.values())
    for s in subnets:
        name = tags(s)["Name"]
        cidr, az, tier = SUBNETS[name]
        assert (s["CidrBlock"], s["AvailabilityZone"], tags(s)["Tier"]) == (cidr, az, tier)
        assert s["State"] == "available"
        assert s["AvailableIpAddressCount"] == 251
        assert s["VpcId"] == two_tier.vpc_id
        assert s["OwnerId"] == cli.account


def test_describe_subnets_wildcard_tag_filter(cli, two_tier):
    public = cli(
        "describe-subnets", "--filters", f"Name=vpc-id,Values={two_tier.vpc_id}", "Name=tag:Tier,Values=pub*"
    )["Subnets"]
    assert sorted(s["SubnetId"] for s in public) == sorted(two_tier.subnets[n] for n in PUBLIC)
    private = cli(
        "describe-subnets", "--filters", f"Name=vpc-id,Values={two_tier.vpc_id}", "Name=tag:Tier,Values=pr?vate"
    )["Subnets"]
    assert sorted(s["SubnetId"] for s in private) == sorted(two_tier.subnets[n] for n in PRIVATE)


def test_describe_subnets_by_availability_zone(cli, two_tier):
    subnets = cli(
        "describe-subnets", "--filters", f"Name=vpc-id,Values={two_tier.vpc_id}", "Name=availability-zone,Values=us-east-1b"
    )["Subnets"]
    assert sorted(s["SubnetId"] for s in subnets) == sorted([two_tier.subnets["public-b"], two_tier.subnets["private-b"]])


def subnet_name(net: TwoTier, subnet_id: str) -> str:
    return next(name for name, sid in net.subnets.items() if sid == subnet_id)


def _local_route(route_table: dict) -> dict:
    [local] = [r for r in route_table["Routes"] if r.get("GatewayId") == "local"]
    return local


def test_describe_route_tables(cli, two_tier):
    tables = cli("describe-route-tables", "--filters", f"Name=vpc-id,Values={two_tier.vpc_id}")["RouteTables"]
    by_id = {t["RouteTableId"]: t for t in tables}
    assert len(by_id) == 3, "the main route table plus the two created"
    mains = [t for t in tables if any(a.get("Main") for a in t.get("Associations", []))]
    assert len(mains) == 1
    main = mains[0]
    assert main["RouteTableId"] not in (two_tier.public_rt, two_tier.private_rt)
    [main_assoc] = main["Associations"]
    assert main_assoc["Main"] is True and "SubnetId" not in main_assoc

    for table in tables:
        local = _local_route(table)
        assert local["DestinationCidrBlock"] == VPC_CIDR
        assert local["Origin"] == "CreateRouteTable"
        assert local["State"] == "active"

    public = by_id[two_tier.public_rt]
    [default_route] = [r for r in public["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    assert default_route["GatewayId"] == two_tier.igw_id
    assert default_route["Origin"] == "CreateRoute"
    assert default_route["State"] == "active"
    assert sorted(a["SubnetId"] for a in public["Associations"]) == sorted(two_tier.subnets[n] for n in PUBLIC)
    for a in public["Associations"]:
        assert a["Main"] is False
        assert a["RouteTableId"] == two_tier.public_rt
        assert a["RouteTableAssociationId"] == two_tier.associations[subnet_name(two_tier, a["SubnetId"])]
        assert a["AssociationState"]["State"] == "associated"

    private = by_id[two_tier.private_rt]
    assert [r["GatewayId"] for r in private["Routes"]] == ["local"], "the private table has no way out"
    assert sorted(a["SubnetId"] for a in private["Associations"]) == sorted(two_tier.subnets[n] for n in PRIVATE)


def test_describe_route_tables_by_association_and_route_filters(cli, two_tier):
    by_subnet = cli(
        "describe-route-tables", "--filters", f"Name=association.subnet-id,Values={two_tier.subnets['public-b']}"
    )["RouteTables"]
    assert [t["RouteTableId"] for t in by_subnet] == [two_tier.public_rt]
    by_gateway = cli("describe-route-tables", "--filters", f"Name=route.gateway-id,Values={two_tier.igw_id}")["RouteTables"]
    assert [t["RouteTableId"] for t in by_gateway] == [two_tier.public_rt]


def test_internet_gateway_is_attached(cli, two_tier):
    igws = cli("describe-internet-gateways", "--filters", f"Name=attachment.vpc-id,Values={two_tier.vpc_id}")["InternetGateways"]
    assert [g["InternetGatewayId"] for g in igws] == [two_tier.igw_id]
    # For an internet gateway the attachment state is "available" once attached.
    assert igws[0]["Attachments"] == [{"State": "available", "VpcId": two_tier.vpc_id}]
    assert tags(igws[0]) == {"Name": "two-tier-igw"}


def test_describe_tags_by_resource_id(cli, two_tier):
    vpc_tags = cli("describe-tags", "--filters", f"Name=resource-id,Values={two_tier.vpc_id}")["Tags"]
    assert vpc_tags == [{"Key": "Name", "ResourceId": two_tier.vpc_id, "ResourceType": "vpc", "Value": "two-tier"}]
    subnet_id = two_tier.subnets["private-a"]
    subnet_tags = cli("describe-tags", "--filters", f"Name=resource-id,Values={subnet_id}")["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in subnet_tags) == [("Name", "private-a"), ("Tier", "private")]
    assert {(t["ResourceId"], t["ResourceType"]) for t in subnet_tags} == {(subnet_id, "subnet")}
    rtb_tags = cli("describe-tags", "--filters", f"Name=resource-id,Values={two_tier.public_rt}")["Tags"]
    assert rtb_tags == [{"Key": "Name", "ResourceId": two_tier.public_rt, "ResourceType": "route-table", "Value": "public"}]


# --------------------------------------------------------------------------- pagination


def _all_subnet_ids(cli: Cli) -> list[str]:
    """Every subnet of the account in one unpaged request (no MaxResults)."""
    resp = cli.boto3().describe_subnets()
    assert "NextToken" not in resp or not resp["NextToken"], "without MaxResults everything comes in one page"
    return [s["SubnetId"] for s in resp["Subnets"]]


def test_account_has_more_subnets_than_one_page(cli, two_tier):
    """The default VPC's subnets (one per AZ) plus our four: more than a page of 5."""
    everything = _all_subnet_ids(cli)
    assert set(two_tier.subnets.values()) <= set(everything)
    assert len(everything) > 5, everything
    assert len(everything) == len(set(everything))


def test_cli_page_size_collects_everything_once(cli, two_tier):
    """--page-size makes the CLI send MaxResults and follow NextToken to the end."""
    paged = cli("describe-subnets", "--page-size", "5")["Subnets"]
    ids = [s["SubnetId"] for s in paged]
    assert len(ids) == len(set(ids)), f"a subnet came twice: {ids}"
    assert sorted(ids) == sorted(_all_subnet_ids(cli))


def test_cli_max_items_and_starting_token(cli, two_tier):
    """--max-items stops early and hands out a token; --starting-token resumes exactly there,
    even mid-page (page size 5, 3 items at a time)."""
    expected = sorted(_all_subnet_ids(cli))
    seen: list[str] = []
    args = ["describe-subnets", "--page-size", "5", "--max-items", "3"]
    token = None
    for _ in range(len(expected) + 2):  # bounded: one more call than there are items
        out = cli(*args, *(["--starting-token", token] if token else []))
        batch = [s["SubnetId"] for s in out["Subnets"]]
        assert len(batch) <= 3
        seen.extend(batch)
        token = out.get("NextToken")
        if not token:
            break
        assert batch, "a token after an empty batch would loop forever"
    else:
        pytest.fail(f"--starting-token never ran out; seen {seen}")
    assert len(seen) == len(set(seen)), f"a subnet came twice: {seen}"
    assert sorted(seen) == expected


def test_cli_max_items_on_vpcs(cli, two_tier):
    first = cli("describe-vpcs", "--max-items", "1")
    assert len(first["Vpcs"]) == 1 and first.get("NextToken")
    rest = cli("describe-vpcs", "--max-items", "1", "--starting-token", first["NextToken"])
    assert len(rest["Vpcs"]) == 1
    assert {first["Vpcs"][0]["VpcId"], rest["Vpcs"][0]["VpcId"]} == {v["VpcId"] for v in cli("describe-vpcs")["Vpcs"]}


def _collect(call, key: str, **params) -> tuple[list[dict], int]:
    """Follow NextToken by hand; returns (items, pages). Bounded by a page budget."""
    items: list[dict] = []
    token = None
    for pages in range(1, 200):
        resp = call(MaxResults=5, **params, **({"NextToken": token} if token else {}))
        assert len(resp[key]) <= 5, f"page {pages} has {len(resp[key])} items for MaxResults=5"
        items.extend(resp[key])
        token = resp.get("NextToken")
        if not token:
            return items, pages
    pytest.fail("NextToken never ran out")


def test_boto3_max_results_loop_subnets(cli, two_tier):
    items, pages = _collect(cli.boto3().describe_subnets, "Subnets")
    ids = [s["SubnetId"] for s in items]
    assert pages >= 2
    assert len(ids) == len(set(ids)), f"a subnet came twice: {ids}"
    assert sorted(ids) == sorted(_all_subnet_ids(cli))


def test_boto3_max_results_loop_with_filter(cli, two_tier):
    ec2 = cli.boto3()
    items, _ = _collect(ec2.describe_subnets, "Subnets", Filters=[{"Name": "vpc-id", "Values": [two_tier.vpc_id]}])
    assert sorted(s["SubnetId"] for s in items) == sorted(two_tier.subnets.values())


def test_boto3_max_results_loop_route_tables_and_vpcs(cli, two_tier):
    ec2 = cli.boto3()
    tables, _ = _collect(ec2.describe_route_tables, "RouteTables")
    ids = [t["RouteTableId"] for t in tables]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(t["RouteTableId"] for t in ec2.describe_route_tables()["RouteTables"])
    assert {two_tier.public_rt, two_tier.private_rt} <= set(ids)
    vpcs, _ = _collect(ec2.describe_vpcs, "Vpcs")
    assert sorted(v["VpcId"] for v in vpcs) == sorted(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"])


def test_boto3_paginator_matches_cli_view(cli, two_tier):
    paginator = cli.boto3().get_paginator("describe_subnets")
    ids = [s["SubnetId"] for page in paginator.paginate(PaginationConfig={"PageSize": 5}) for s in page["Subnets"]]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(_all_subnet_ids(cli))


# --------------------------------------------------------------------------- teardown (keep last)


def test_teardown_in_dependency_order(cli, two_tier):
    net = two_tier

    def vpc_delete_refused():
        err = cli.error("delete-vpc", "--vpc-id", net.vpc_id)
        assert err.code == "DependencyViolation", err.stderr

    # Everything still in place: the VPC cannot go, nor can an attached gateway or a
    # route table that subnets use.
    vpc_delete_refused()
    err = cli.error("delete-internet-gateway", "--internet-gateway-id", net.igw_id)
    assert err.code == "DependencyViolation", err.stderr
    err = cli.error("delete-route-table", "--route-table-id", net.public_rt)
    assert err.code == "DependencyViolation", err.stderr

    # 1. route tables: disassociate, then delete
    for name, assoc in net.associations.items():
        assert cli("disassociate-route-table", "--association-id", assoc) == {}
    for table in (net.public_rt, net.private_rt):
        assert cli("delete-route-table", "--route-table-id", table) == {}
    remaining = cli("describe-route-tables", "--filters", f"Name=vpc-id,Values={net.vpc_id}")["RouteTables"]
    assert len(remaining) == 1 and remaining[0]["Associations"][0]["Main"] is True, "only the main table is left"
    vpc_delete_refused()  # subnets and the gateway are still there

    # 2. the internet gateway: detach, then delete
    assert cli("detach-internet-gateway", "--internet-gateway-id", net.igw_id, "--vpc-id", net.vpc_id) == {}
    assert cli("delete-internet-gateway", "--internet-gateway-id", net.igw_id) == {}
    vpc_delete_refused()  # the subnets are still there

    # 3. subnets
    for subnet_id in net.subnets.values():
        assert cli("delete-subnet", "--subnet-id", subnet_id) == {}

    # 4. the VPC, which takes its main route table, default network ACL and default
    #    security group with it
    assert cli("delete-vpc", "--vpc-id", net.vpc_id) == {}
    err = cli.error("describe-vpcs", "--vpc-ids", net.vpc_id)
    assert err.code == "InvalidVpcID.NotFound", err.stderr
    vpc_filter = f"Name=vpc-id,Values={net.vpc_id}"
    assert cli("describe-subnets", "--filters", vpc_filter)["Subnets"] == []
    assert cli("describe-route-tables", "--filters", vpc_filter)["RouteTables"] == []
    assert cli("describe-network-acls", "--filters", vpc_filter)["NetworkAcls"] == []
    assert cli("describe-security-groups", "--filters", vpc_filter)["SecurityGroups"] == []
    assert cli("describe-tags", "--filters", f"Name=resource-id,Values={net.vpc_id}")["Tags"] == []
    err = cli.error("describe-internet-gateways", "--internet-gateway-ids", net.igw_id)
    assert err.code == "InvalidInternetGatewayID.NotFound", err.stderr
    [only] = cli("describe-vpcs")["Vpcs"]
    assert only["IsDefault"] is True, "the default VPC is all that is left"

