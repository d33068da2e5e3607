"""EC2 VPC core through boto3: the rules AWS enforces, with their exact error codes, and the
resources AWS creates for you (main route table, default network ACL, default security
group, the default VPC of every account and region).

Each test runs in an account of its own (a random 12-digit access key id selects it), so
it starts from an account that holds only its default VPC, and AWS's default quota of
five VPCs per region is never a concern.
"""

from __future__ import annotations

import ipaddress
import random
import re

import pytest
from botocore.exceptions import ClientError

MISSING_VPC = "vpc-0123456789abcdef0"


def new_account() -> str:
    return str(random.SystemRandom().randrange(200_000_000_000, 999_999_999_999))


@pytest.fixture
def account() -> str:
    return new_account()


@pytest.fixture
def ec2(client, account):
    return client("ec2", access_key=account)


def error(call, *args, **kwargs) -> dict:
    """Run a call that must fail; return the parsed error response."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    return info.value.response


def assert_error(code: str, call, *args, status: int = 400, **kwargs) -> dict:
    resp = error(call, *args, **kwargs)
    assert resp["Error"]["Code"] == code, resp["Error"]
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == status, resp["ResponseMetadata"]
    assert resp["Error"].get("Message"), f"{code} without a message"
    return resp


def new_vpc(ec2, cidr: str = "10.0.0.0/16", **kwargs) -> str:
    return ec2.create_vpc(CidrBlock=cidr, **kwargs)["Vpc"]["VpcId"]


def new_subnet(ec2, vpc_id: str, cidr: str, az: str = "us-east-1a") -> dict:
    return ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]


def new_igw(ec2, vpc_id: str | None = None) -> str:
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    if vpc_id:
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    return igw


def describe_vpc(ec2, vpc_id: str) -> dict:
    [vpc] = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    return vpc


def describe_subnet(ec2, subnet_id: str) -> dict:
    [subnet] = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"]
    return subnet


def describe_table(ec2, table_id: str) -> dict:
    [table] = ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"]
    return table


def main_table(ec2, vpc_id: str) -> dict:
    tables = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"]
    assert len(tables) == 1, f"a VPC has exactly one main route table, got {tables}"
    return tables[0]


def route_to(table: dict, destination: str) -> dict:
    [route] = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == destination]
    return route


def tagset(resource: dict) -> dict:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def vpc_ids(ec2, *filters: tuple[str, list[str]]) -> set[str]:
    vpcs = ec2.describe_vpcs(Filters=[{"Name": n, "Values": v} for n, v in filters])["Vpcs"]
    return {v["VpcId"] for v in vpcs}


# --------------------------------------------------------------------------- not found


def test_describe_unknown_vpc_is_not_found(ec2):
    resp = assert_error("InvalidVpcID.NotFound", ec2.describe_vpcs, VpcIds=[MISSING_VPC])
    assert MISSING_VPC in resp["Error"]["Message"]


def test_delete_unknown_vpc_is_not_found(ec2):
    assert_error("InvalidVpcID.NotFound", ec2.delete_vpc, VpcId=MISSING_VPC)


@pytest.mark.parametrize(
    "operation, params, code",
    [
        ("describe_subnets", {"SubnetIds": ["subnet-0123456789abcdef0"]}, "InvalidSubnetID.NotFound"),
        ("delete_subnet", {"SubnetId": "subnet-0123456789abcdef0"}, "InvalidSubnetID.NotFound"),
        ("describe_route_tables", {"RouteTableIds": ["rtb-0123456789abcdef0"]}, "InvalidRouteTableID.NotFound"),
        ("delete_route_table", {"RouteTableId": "rtb-0123456789abcdef0"}, "InvalidRouteTableID.NotFound"),
        ("describe_internet_gateways", {"InternetGatewayIds": ["igw-0123456789abcdef0"]}, "InvalidInternetGatewayID.NotFound"),
        ("delete_internet_gateway", {"InternetGatewayId": "igw-0123456789abcdef0"}, "InvalidInternetGatewayID.NotFound"),
        ("describe_network_interfaces", {"NetworkInterfaceIds": ["eni-0123456789abcdef0"]}, "InvalidNetworkInterfaceID.NotFound"),
        ("create_subnet", {"VpcId": MISSING_VPC, "CidrBlock": "10.0.0.0/24"}, "InvalidVpcID.NotFound"),
        ("create_route_table", {"VpcId": MISSING_VPC}, "InvalidVpcID.NotFound"),
    ],
)
def test_unknown_ids_are_not_found(ec2, operation, params, code):
    assert_error(code, getattr(ec2, operation), **params)


# --------------------------------------------------------------------------- CIDR rules


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "10.0.0.0/15", "10.0.0.0/29", "10.0.0.0/32"])
def test_vpc_cidr_outside_16_to_28_is_invalid_vpc_range(ec2, cidr):
    """A VPC's IPv4 block is between a /16 and a /28."""
    assert_error("InvalidVpc.Range", ec2.create_vpc, CidrBlock=cidr)
    assert vpc_ids(ec2, ("cidr", [cidr])) == set()


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "10.0.0.0/28"])
def test_vpc_cidr_bounds_are_accepted(ec2, cidr):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]
    assert vpc["CidrBlock"] == cidr
    assert re.fullmatch(r"vpc-[0-9a-f]{17}", vpc["VpcId"]), vpc


@pytest.mark.parametrize("cidr", ["10.0.0.1/16", "banana"])
def test_malformed_vpc_cidr_is_invalid_parameter_value(ec2, cidr):
    """Host bits set, or not a CIDR at all."""
    resp = assert_error("InvalidParameterValue", ec2.create_vpc, CidrBlock=cidr)
    assert cidr in resp["Error"]["Message"]


def test_malformed_subnet_cidr_is_invalid_parameter_value(ec2):
    vpc = new_vpc(ec2)
    assert_error("InvalidParameterValue", ec2.create_subnet, VpcId=vpc, CidrBlock="10.0.0.1/24")


def test_overlapping_subnet_is_a_conflict(ec2):
    vpc = new_vpc(ec2)
    new_subnet(ec2, vpc, "10.0.0.0/24")
    assert_error("InvalidSubnet.Conflict", ec2.create_subnet, VpcId=vpc, CidrBlock="10.0.0.128/25")
    assert_error("InvalidSubnet.Conflict", ec2.create_subnet, VpcId=vpc, CidrBlock="10.0.0.0/24")
    assert_error("InvalidSubnet.Conflict", ec2.create_subnet, VpcId=vpc, CidrBlock="10.0.0.0/23")
    new_subnet(ec2, vpc, "10.0.1.0/24")  # the neighbour is fine


def test_subnet_outside_the_vpc_is_invalid_subnet_range(ec2):
    vpc = new_vpc(ec2)
    assert_error("InvalidSubnet.Range", ec2.create_subnet, VpcId=vpc, CidrBlock="10.1.0.0/24")
    assert_error("InvalidSubnet.Range", ec2.create_subnet, VpcId=vpc, CidrBlock="10.0.0.0/15")


def test_subnet_smaller_than_28_is_invalid_subnet_range(ec2):
    vpc = new_vpc(ec2)
    assert_error("InvalidSubnet.Range", ec2.create_subnet, VpcId=vpc, CidrBlock="10.0.0.0/29")
    assert new_subnet(ec2, vpc, "10.0.0.0/28")["AvailableIpAddressCount"] == 11


def test_subnet_in_unknown_availability_zone_is_rejected(ec2):
    vpc = new_vpc(ec2)
    resp = error(ec2.create_subnet, VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone="us-east-1z")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert resp["Error"]["Code"] == "InvalidParameterValue", resp["Error"]


# --------------------------------------------------------------------------- dependencies


def test_delete_vpc_with_a_subnet_is_a_dependency_violation(ec2):
    vpc = new_vpc(ec2)
    subnet = new_subnet(ec2, vpc, "10.0.0.0/24")["SubnetId"]
    assert_error("DependencyViolation", ec2.delete_vpc, VpcId=vpc)
    assert describe_vpc(ec2, vpc)["State"] == "available", "a refused delete changes nothing"
    ec2.delete_subnet(SubnetId=subnet)
    ec2.delete_vpc(VpcId=vpc)
    assert_error("InvalidVpcID.NotFound", ec2.describe_vpcs, VpcIds=[vpc])


def test_delete_vpc_with_an_attached_gateway_is_a_dependency_violation(ec2):
    vpc = new_vpc(ec2)
    igw = new_igw(ec2, vpc)
    assert_error("DependencyViolation", ec2.delete_vpc, VpcId=vpc)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.delete_vpc(VpcId=vpc)


def test_delete_attached_internet_gateway_is_a_dependency_violation(ec2):
    vpc = new_vpc(ec2)
    igw = new_igw(ec2, vpc)
    assert_error("DependencyViolation", ec2.delete_internet_gateway, InternetGatewayId=igw)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.delete_internet_gateway(InternetGatewayId=igw)
    assert_error("InvalidInternetGatewayID.NotFound", ec2.describe_internet_gateways, InternetGatewayIds=[igw])


def test_delete_associated_route_table_is_a_dependency_violation(ec2):
    vpc = new_vpc(ec2)
    subnet = new_subnet(ec2, vpc, "10.0.0.0/24")["SubnetId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    assoc = ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)["AssociationId"]
    assert_error("DependencyViolation", ec2.delete_route_table, RouteTableId=table)
    ec2.disassociate_route_table(AssociationId=assoc)
    ec2.delete_route_table(RouteTableId=table)
    assert_error("InvalidRouteTableID.NotFound", ec2.describe_route_tables, RouteTableIds=[table])


def test_main_route_table_cannot_be_deleted(ec2):
    vpc = new_vpc(ec2)
    main = main_table(ec2, vpc)["RouteTableId"]
    assert_error("DependencyViolation", ec2.delete_route_table, RouteTableId=main)


def test_delete_subnet_with_a_network_interface_is_a_dependency_violation(ec2):
    vpc = new_vpc(ec2)
    subnet = new_subnet(ec2, vpc, "10.0.0.0/24")["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    assert_error("DependencyViolation", ec2.delete_subnet, SubnetId=subnet)
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    ec2.delete_subnet(SubnetId=subnet)


def test_delete_subnet_drops_its_route_table_association(ec2):
    vpc = new_vpc(ec2)
    subnet = new_subnet(ec2, vpc, "10.0.0.0/24")["SubnetId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    ec2.delete_subnet(SubnetId=subnet)
    assert describe_table(ec2, table).get("Associations", []) == []
    ec2.delete_route_table(RouteTableId=table)


# --------------------------------------------------------------------------- routes


def test_duplicate_route_is_route_already_exists(ec2):
    vpc = new_vpc(ec2)
    igw = new_igw(ec2, vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    assert ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)["Return"] is True
    assert_error("RouteAlreadyExists", ec2.create_route, RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assert len([r for r in describe_table(ec2, table)["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]) == 1


def test_delete_missing_route_is_invalid_route_not_found(ec2):
    vpc = new_vpc(ec2)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    assert_error("InvalidRoute.NotFound", ec2.delete_route, RouteTableId=table, DestinationCidrBlock="192.0.2.0/24")


def test_create_and_delete_route(ec2):
    vpc = new_vpc(ec2)
    igw = new_igw(ec2, vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="198.51.100.0/24", GatewayId=igw)
    route = route_to(describe_table(ec2, table), "198.51.100.0/24")
    assert (route["GatewayId"], route["Origin"], route["State"]) == (igw, "CreateRoute", "active")
    ec2.delete_route(RouteTableId=table, DestinationCidrBlock="198.51.100.0/24")
    assert [r["DestinationCidrBlock"] for r in describe_table(ec2, table)["Routes"]] == ["10.0.0.0/16"]


def test_replace_route_changes_the_target(ec2):
    vpc = new_vpc(ec2)
    igw = new_igw(ec2, vpc)
    subnet = new_subnet(ec2, vpc, "10.0.0.0/24")["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.replace_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NetworkInterfaceId=eni)
    route = route_to(describe_table(ec2, table), "0.0.0.0/0")
    assert route.get("NetworkInterfaceId") == eni
    assert "GatewayId" not in route
    assert route["Origin"] == "CreateRoute"


def test_replace_missing_route_is_rejected(ec2):
    """AWS documents no specific code here; any 400 naming the problem will do."""
    vpc = new_vpc(ec2)
    igw = new_igw(ec2, vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    resp = error(ec2.replace_route, RouteTableId=table, DestinationCidrBlock="192.0.2.0/24", GatewayId=igw)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert resp["Error"]["Code"] in ("InvalidParameterValue", "InvalidRoute.NotFound"), resp["Error"]


def test_route_to_a_deleted_gateway_is_a_blackhole(ec2):
    vpc = new_vpc(ec2)
    igw = new_igw(ec2, vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assert route_to(describe_table(ec2, table), "0.0.0.0/0")["State"] == "active"
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.delete_internet_gateway(InternetGatewayId=igw)
    route = route_to(describe_table(ec2, table), "0.0.0.0/0")
    assert route["State"] == "blackhole"
    assert route["GatewayId"] == igw, "a blackhole route still names its lost target"
    assert route_to(describe_table(ec2, table), "10.0.0.0/16")["State"] == "active"
    blackholes = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "route.state", "Values": ["blackhole"]}]
    )["RouteTables"]
    assert [t["RouteTableId"] for t in blackholes] == [table]
    ec2.delete_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0")


# --------------------------------------------------------------------------- internet gateways


def test_attach_gateway_to_a_second_vpc_is_already_associated(ec2):
    first, second = new_vpc(ec2), new_vpc(ec2, "10.1.0.0/16")
    igw = new_igw(ec2, first)
    assert_error("Resource.AlreadyAssociated", ec2.attach_internet_gateway, InternetGatewayId=igw, VpcId=second)
    [gw] = ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"]
    assert gw["Attachments"] == [{"State": "available", "VpcId": first}]


def test_second_gateway_on_one_vpc_is_already_associated(ec2):
    vpc = new_vpc(ec2)
    new_igw(ec2, vpc)
    other = new_igw(ec2)
    assert_error("Resource.AlreadyAssociated", ec2.attach_internet_gateway, InternetGatewayId=other, VpcId=vpc)


def test_detach_from_the_wrong_vpc_is_gateway_not_attached(ec2):
    first, second = new_vpc(ec2), new_vpc(ec2, "10.1.0.0/16")
    igw = new_igw(ec2, first)
    assert_error("Gateway.NotAttached", ec2.detach_internet_gateway, InternetGatewayId=igw, VpcId=second)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=first)
    [gw] = ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"]
    assert gw.get("Attachments", []) == []
    assert_error("Gateway.NotAttached", ec2.detach_internet_gateway, InternetGatewayId=igw, VpcId=first)


# --------------------------------------------------------------------------- dry run


def test_dry_run_create_vpc_is_dry_run_operation_and_creates_nothing(ec2):
    before = vpc_ids(ec2)
    assert_error("DryRunOperation", ec2.create_vpc, CidrBlock="10.0.0.0/16", DryRun=True, status=412)
    assert vpc_ids(ec2) == before


def test_dry_run_describe_vpcs_is_dry_run_operation(ec2):
    assert_error("DryRunOperation", ec2.describe_vpcs, DryRun=True, status=412)


# --------------------------------------------------------------------------- what every VPC gets


def test_new_vpc_has_a_main_route_table_with_the_local_route(ec2, account):
    vpc = new_vpc(ec2)
    table = main_table(ec2, vpc)
    assert re.fullmatch(r"rtb-[0-9a-f]{17}", table["RouteTableId"])
    assert table["VpcId"] == vpc
    assert table["OwnerId"] == account
    [assoc] = table["Associations"]
    assert assoc["Main"] is True
    assert assoc["RouteTableId"] == table["RouteTableId"]
    assert re.fullmatch(r"rtbassoc-[0-9a-f]{17}", assoc["RouteTableAssociationId"])
    assert assoc["AssociationState"]["State"] == "associated"
    assert table["Routes"] == [
        {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"}
    ]


def test_new_vpc_has_a_default_network_acl(ec2, account):
    vpc = new_vpc(ec2)
    acls = ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "default", "Values": ["true"]}]
    )["NetworkAcls"]
    assert len(acls) == 1, acls
    acl = acls[0]
    assert re.fullmatch(r"acl-[0-9a-f]{17}", acl["NetworkAclId"])
    assert acl["IsDefault"] is True and acl["VpcId"] == vpc and acl["OwnerId"] == account
    # The default network ACL allows all traffic in and out; the "*" rule (32767) denies the rest.
    entries = {(e["Egress"], e["RuleNumber"], e["Protocol"], e["RuleAction"], e.get("CidrBlock")) for e in acl["Entries"]}
    assert entries == {
        (False, 100, "-1", "allow", "0.0.0.0/0"),
        (False, 32767, "-1", "deny", "0.0.0.0/0"),
        (True, 100, "-1", "allow", "0.0.0.0/0"),
        (True, 32767, "-1", "deny", "0.0.0.0/0"),
    }
    # A subnet without an explicit association is associated with the default ACL.
    subnet = new_subnet(ec2, vpc, "10.0.0.0/24")["SubnetId"]
    [acl] = ec2.describe_network_acls(NetworkAclIds=[acl["NetworkAclId"]])["NetworkAcls"]
    assert [a["SubnetId"] for a in acl["Associations"]] == [subnet]
    assert acl["Associations"][0]["NetworkAclId"] == acl["NetworkAclId"]
    assert re.fullmatch(r"aclassoc-[0-9a-f]{17}", acl["Associations"][0]["NetworkAclAssociationId"])


def test_new_vpc_has_a_default_security_group(ec2, account):
    vpc = new_vpc(ec2)
    groups = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    assert len(groups) == 1, groups
    sg = groups[0]
    assert re.fullmatch(r"sg-[0-9a-f]{17}", sg["GroupId"])
    assert sg["GroupName"] == "default"
    assert sg["Description"] == "default VPC security group"
    assert sg["VpcId"] == vpc and sg["OwnerId"] == account
    # Inbound: all traffic from members of the group itself. Outbound: everything.
    [inbound] = sg["IpPermissions"]
    assert inbound["IpProtocol"] == "-1"
    assert [p["GroupId"] for p in inbound["UserIdGroupPairs"]] == [sg["GroupId"]]
    [outbound] = sg["IpPermissionsEgress"]
    assert outbound["IpProtocol"] == "-1"
    assert [r["CidrIp"] for r in outbound["IpRanges"]] == ["0.0.0.0/0"]


def test_deleting_a_vpc_takes_its_default_resources(ec2):
    vpc = new_vpc(ec2)
    ec2.delete_vpc(VpcId=vpc)
    only_vpc = [{"Name": "vpc-id", "Values": [vpc]}]
    assert ec2.describe_route_tables(Filters=only_vpc)["RouteTables"] == []
    assert ec2.describe_network_acls(Filters=only_vpc)["NetworkAcls"] == []
    assert ec2.describe_security_groups(Filters=only_vpc)["SecurityGroups"] == []


# --------------------------------------------------------------------------- the default VPC


def check_default_vpc(ec2, account: str, region: str) -> str:
    """The default VPC as AWS documents it; returns its id."""
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert len(vpcs) == 1, vpcs
    vpc = vpcs[0]
    assert vpc["CidrBlock"] == "172.31.0.0/16"
    assert vpc["IsDefault"] is True
    assert vpc["State"] == "available"
    assert vpc["OwnerId"] == account
    vpc_id = vpc["VpcId"]

    zones = {
        z["ZoneName"]
        for z in ec2.describe_availability_zones(Filters=[{"Name": "state", "Values": ["available"]}])["AvailabilityZones"]
    }
    subnets = ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default-for-az", "Values": ["true"]}]
    )["Subnets"]
    assert sorted(s["AvailabilityZone"] for s in subnets) == sorted(zones), "one default subnet per zone"
    assert all(z.startswith(region) for z in zones), zones
    networks = []
    for s in subnets:
        net = ipaddress.ip_network(s["CidrBlock"])
        assert net.prefixlen == 20 and net.subnet_of(ipaddress.ip_network("172.31.0.0/16")), s
        assert s["DefaultForAz"] is True
        assert s["MapPublicIpOnLaunch"] is True, "default subnets give instances public addresses"
        assert s["AvailableIpAddressCount"] == 4096 - 5
        networks.append(net)
    assert not any(a.overlaps(b) for i, a in enumerate(networks) for b in networks[i + 1:])

    igws = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])["InternetGateways"]
    assert len(igws) == 1, igws
    assert igws[0]["Attachments"] == [{"State": "available", "VpcId": vpc_id}]
    default_route = route_to(main_table(ec2, vpc_id), "0.0.0.0/0")
    assert default_route["GatewayId"] == igws[0]["InternetGatewayId"]
    assert default_route["State"] == "active"
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"] is True
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsSupport")["EnableDnsSupport"]["Value"] is True
    return vpc_id


def test_default_vpc_exists(ec2, account):
    check_default_vpc(ec2, account, "us-east-1")


def test_default_vpc_is_per_region_and_per_account(client, account):
    here = check_default_vpc(client("ec2", access_key=account), account, "us-east-1")
    there = check_default_vpc(client("ec2", region="eu-west-1", access_key=account), account, "eu-west-1")
    other = check_default_vpc(client("ec2", access_key="111122223333"), "111122223333", "us-east-1")
    assert len({here, there, other}) == 3, "each account and region has its own default VPC"
    # asking twice gives the same one
    assert check_default_vpc(client("ec2", region="eu-west-1", access_key=account), account, "eu-west-1") == there


def test_state_is_isolated_per_account_and_region(client, account):
    mine = client("ec2", access_key=account)
    vpc = new_vpc(mine)
    assert describe_vpc(mine, vpc)["OwnerId"] == account
    stranger = client("ec2", access_key=new_account())
    elsewhere = client("ec2", region="eu-west-1", access_key=account)
    for other in (stranger, elsewhere):
        assert_error("InvalidVpcID.NotFound", other.describe_vpcs, VpcIds=[vpc])
        assert vpc not in {v["VpcId"] for v in other.describe_vpcs()["Vpcs"]}
        assert_error("InvalidVpcID.NotFound", other.delete_vpc, VpcId=vpc)
        assert_error("InvalidVpcID.NotFound", other.create_subnet, VpcId=vpc, CidrBlock="10.0.0.0/24")
    assert describe_vpc(mine, vpc)["State"] == "available", "still there for its owner"


# --------------------------------------------------------------------------- CIDR blocks


def test_secondary_cidr_block(ec2):
    vpc = new_vpc(ec2)
    assoc = ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="10.1.0.0/16")["CidrBlockAssociation"]
    assert assoc["CidrBlock"] == "10.1.0.0/16"
    assert re.fullmatch(r"vpc-cidr-assoc-[0-9a-f]{17}", assoc["AssociationId"]), assoc
    assert assoc["CidrBlockState"]["State"] in ("associating", "associated")

    described = describe_vpc(ec2, vpc)
    assert described["CidrBlock"] == "10.0.0.0/16", "the primary block stays the VPC's CidrBlock"
    blocks = {a["CidrBlock"]: a for a in described["CidrBlockAssociationSet"]}
    assert set(blocks) == {"10.0.0.0/16", "10.1.0.0/16"}
    assert blocks["10.1.0.0/16"]["AssociationId"] == assoc["AssociationId"]
    assert vpc_ids(ec2, ("cidr-block-association.cidr-block", ["10.1.0.0/16"])) == {vpc}

    # the new block is usable for subnets and routed locally
    subnet = new_subnet(ec2, vpc, "10.1.0.0/24")["SubnetId"]
    locals_ = {r["DestinationCidrBlock"] for r in main_table(ec2, vpc)["Routes"] if r.get("GatewayId") == "local"}
    assert locals_ == {"10.0.0.0/16", "10.1.0.0/16"}
    assert_error("InvalidSubnet.Range", ec2.create_subnet, VpcId=vpc, CidrBlock="10.2.0.0/24")

    ec2.delete_subnet(SubnetId=subnet)
    gone = ec2.disassociate_vpc_cidr_block(AssociationId=assoc["AssociationId"])["CidrBlockAssociation"]
    assert gone["CidrBlockState"]["State"] in ("disassociating", "disassociated")
    after = describe_vpc(ec2, vpc)["CidrBlockAssociationSet"]
    for a in after:
        if a["CidrBlock"] == "10.1.0.0/16":
            assert a["CidrBlockState"]["State"] in ("disassociating", "disassociated"), a


def test_secondary_cidr_from_a_restricted_range_is_rejected(ec2):
    """With a 10.0.0.0/8 primary block, 192.168.0.0/16 cannot be added (VPC user guide,
    "IPv4 CIDR block association restrictions")."""
    vpc = new_vpc(ec2)
    resp = error(ec2.associate_vpc_cidr_block, VpcId=vpc, CidrBlock="192.168.0.0/16")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert resp["Error"]["Code"] in ("InvalidVpc.Range", "InvalidParameterValue"), resp["Error"]
    assert [a["CidrBlock"] for a in describe_vpc(ec2, vpc)["CidrBlockAssociationSet"]] == ["10.0.0.0/16"]


def test_amazon_provided_ipv6_block_is_a_56(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    [assoc] = describe_vpc(ec2, vpc)["Ipv6CidrBlockAssociationSet"]
    assert assoc["Ipv6CidrBlockState"]["State"] in ("associating", "associated")
    network = ipaddress.ip_network(assoc["Ipv6CidrBlock"])  # strict: no host bits
    assert network.version == 6 and network.prefixlen == 56, assoc
    assert re.fullmatch(r"vpc-cidr-assoc-[0-9a-f]{17}", assoc["AssociationId"]), assoc
    v6_locals = [r for r in main_table(ec2, vpc)["Routes"] if r.get("DestinationIpv6CidrBlock")]
    assert [(r["DestinationIpv6CidrBlock"], r["GatewayId"]) for r in v6_locals] == [(assoc["Ipv6CidrBlock"], "local")]


# --------------------------------------------------------------------------- attributes


def test_modify_vpc_attribute_enable_dns_hostnames(ec2):
    vpc = new_vpc(ec2)
    # A VPC not made by the default-VPC wizard: DNS support on, DNS hostnames off.
    assert ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsHostnames")["EnableDnsHostnames"] == {"Value": False}
    assert ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsSupport")["EnableDnsSupport"] == {"Value": True}
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    resp = ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsHostnames")
    assert resp["VpcId"] == vpc
    assert resp["EnableDnsHostnames"] == {"Value": True}
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": False})
    assert ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsHostnames")["EnableDnsHostnames"] == {"Value": False}


def test_modify_subnet_attribute_map_public_ip_on_launch(ec2):
    vpc = new_vpc(ec2)
    subnet = new_subnet(ec2, vpc, "10.0.0.0/24")
    assert subnet["MapPublicIpOnLaunch"] is False
    ec2.modify_subnet_attribute(SubnetId=subnet["SubnetId"], MapPublicIpOnLaunch={"Value": True})
    assert describe_subnet(ec2, subnet["SubnetId"])["MapPublicIpOnLaunch"] is True
    ec2.modify_subnet_attribute(SubnetId=subnet["SubnetId"], MapPublicIpOnLaunch={"Value": False})
    assert describe_subnet(ec2, subnet["SubnetId"])["MapPublicIpOnLaunch"] is False


# --------------------------------------------------------------------------- network interfaces


def test_network_interface_gets_a_usable_address(ec2, account):
    vpc = new_vpc(ec2)
    subnet = new_subnet(ec2, vpc, "10.0.5.0/28", az="us-east-1c")
    network = ipaddress.ip_network("10.0.5.0/28")
    hosts = list(network)
    reserved = {hosts[0], hosts[1], hosts[2], hosts[3], hosts[-1]}  # network, router, DNS, future, broadcast
    assert subnet["AvailableIpAddressCount"] == 11

    eni = ec2.create_network_interface(SubnetId=subnet["SubnetId"], Description="first")["NetworkInterface"]
    assert re.fullmatch(r"eni-[0-9a-f]{17}", eni["NetworkInterfaceId"])
    address = ipaddress.ip_address(eni["PrivateIpAddress"])
    assert address in network and address not in reserved, address
    assert eni["SubnetId"] == subnet["SubnetId"] and eni["VpcId"] == vpc
    assert eni["AvailabilityZone"] == "us-east-1c"
    assert eni["Status"] == "available"
    assert eni["OwnerId"] == account
    assert eni["Description"] == "first"
    assert [p["PrivateIpAddress"] for p in eni["PrivateIpAddresses"] if p["Primary"]] == [eni["PrivateIpAddress"]]
    default_sg = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    assert [g["GroupId"] for g in eni["Groups"]] == [default_sg], "no groups given: the VPC's default group"
    assert describe_subnet(ec2, subnet["SubnetId"])["AvailableIpAddressCount"] == 10

    listed = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet["SubnetId"]]}])["NetworkInterfaces"]
    assert [e["NetworkInterfaceId"] for e in listed] == [eni["NetworkInterfaceId"]]

    ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    assert describe_subnet(ec2, subnet["SubnetId"])["AvailableIpAddressCount"] == 11
    assert_error("InvalidNetworkInterfaceID.NotFound", ec2.describe_network_interfaces, NetworkInterfaceIds=[eni["NetworkInterfaceId"]])


def test_network_interfaces_fill_a_subnet(ec2):
    vpc = new_vpc(ec2)
    subnet = new_subnet(ec2, vpc, "10.0.5.0/28")["SubnetId"]
    network = ipaddress.ip_network("10.0.5.0/28")
    hosts = list(network)
    usable = set(hosts[4:-1])
    addresses = set()
    for _ in range(11):
        eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]
        addresses.add(ipaddress.ip_address(eni["PrivateIpAddress"]))
    assert addresses == usable, "eleven interfaces take exactly the eleven usable addresses"
    assert describe_subnet(ec2, subnet)["AvailableIpAddressCount"] == 0
    assert_error("InsufficientFreeAddressesInSubnet", ec2.create_network_interface, SubnetId=subnet)


def test_network_interface_with_an_address_in_use(ec2):
    vpc = new_vpc(ec2)
    subnet = new_subnet(ec2, vpc, "10.0.5.0/28")["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=subnet, PrivateIpAddress="10.0.5.14")["NetworkInterface"]
    assert eni["PrivateIpAddress"] == "10.0.5.14"
    assert_error("InvalidIPAddress.InUse", ec2.create_network_interface, SubnetId=subnet, PrivateIpAddress="10.0.5.14")


# --------------------------------------------------------------------------- route table associations


def test_subnet_has_one_explicit_association(ec2):
    vpc = new_vpc(ec2)
    subnet = new_subnet(ec2, vpc, "10.0.0.0/24")["SubnetId"]
    first = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    second = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    assoc = ec2.associate_route_table(RouteTableId=first, SubnetId=subnet)["AssociationId"]
    assert_error("Resource.AlreadyAssociated", ec2.associate_route_table, RouteTableId=second, SubnetId=subnet)
    # moving it is ReplaceRouteTableAssociation's job
    new_assoc = ec2.replace_route_table_association(AssociationId=assoc, RouteTableId=second)["NewAssociationId"]
    assert new_assoc != assoc
    assert describe_table(ec2, first).get("Associations", []) == []
    [moved] = describe_table(ec2, second)["Associations"]
    assert (moved["SubnetId"], moved["RouteTableAssociationId"], moved["Main"]) == (subnet, new_assoc, False)
    # disassociating returns the subnet to the main table (implicitly: no explicit association)
    ec2.disassociate_route_table(AssociationId=new_assoc)
    explicit = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["RouteTables"]
    assert explicit == []


def test_replace_main_route_table_association(ec2):
    vpc = new_vpc(ec2)
    old_main = main_table(ec2, vpc)
    [old_assoc] = old_main["Associations"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    resp = ec2.replace_route_table_association(AssociationId=old_assoc["RouteTableAssociationId"], RouteTableId=table)
    new_assoc = resp["NewAssociationId"]
    assert resp["AssociationState"]["State"] in ("associating", "associated")

    now_main = main_table(ec2, vpc)
    assert now_main["RouteTableId"] == table
    [assoc] = now_main["Associations"]
    assert assoc["Main"] is True and assoc["RouteTableAssociationId"] == new_assoc
    assert describe_table(ec2, old_main["RouteTableId"]).get("Associations", []) == []
    # the former main table is an ordinary table now, the new one is protected
    assert_error("DependencyViolation", ec2.delete_route_table, RouteTableId=table)
    ec2.delete_route_table(RouteTableId=old_main["RouteTableId"])


# --------------------------------------------------------------------------- tags


def test_create_and_delete_tags(ec2):
    vpc = new_vpc(ec2)
    subnet = new_subnet(ec2, vpc, "10.0.0.0/24")["SubnetId"]
    ec2.create_tags(
        Resources=[vpc, subnet],
        Tags=[{"Key": "Env", "Value": "prod"}, {"Key": "Team", "Value": "net"}, {"Key": "Empty", "Value": ""}],
    )
    assert tagset(describe_vpc(ec2, vpc)) == {"Env": "prod", "Team": "net", "Empty": ""}
    assert tagset(describe_subnet(ec2, subnet)) == {"Env": "prod", "Team": "net", "Empty": ""}

    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Env", "Value": "staging"}])  # overwrite
    assert tagset(describe_vpc(ec2, vpc))["Env"] == "staging"

    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "Team"}])  # key only: whatever the value
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "Env", "Value": "prod"}])  # value differs: kept
    assert tagset(describe_vpc(ec2, vpc)) == {"Env": "staging", "Empty": ""}
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "Env", "Value": "staging"}])  # value matches: gone
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "Empty", "Value": ""}])  # empty value matches only ""
    assert tagset(describe_vpc(ec2, vpc)) == {}
    assert tagset(describe_subnet(ec2, subnet)) == {"Env": "prod", "Team": "net", "Empty": ""}, "only the named resource changes"

    ec2.delete_tags(Resources=[subnet])  # no tags named: all of them
    assert tagset(describe_subnet(ec2, subnet)) == {}


def test_describe_tags_filters(ec2):
    vpc = new_vpc(ec2)
    subnet = new_subnet(ec2, vpc, "10.0.0.0/24")["SubnetId"]
    ec2.create_tags(Resources=[vpc, subnet], Tags=[{"Key": "Env", "Value": "prod"}, {"Key": "Owner", "Value": "alice"}])

    by_type = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["vpc"]}])["Tags"]
    assert sorted((t["ResourceId"], t["ResourceType"], t["Key"], t["Value"]) for t in by_type) == [
        (vpc, "vpc", "Env", "prod"),
        (vpc, "vpc", "Owner", "alice"),
    ]
    by_key = ec2.describe_tags(Filters=[{"Name": "key", "Values": ["Owner"]}])["Tags"]
    assert sorted((t["ResourceId"], t["ResourceType"]) for t in by_key) == sorted([(vpc, "vpc"), (subnet, "subnet")])
    both = ec2.describe_tags(
        Filters=[{"Name": "key", "Values": ["Env"]}, {"Name": "resource-type", "Values": ["subnet"]}]
    )["Tags"]
    assert [(t["ResourceId"], t["Key"], t["Value"]) for t in both] == [(subnet, "Env", "prod")]
    by_value = ec2.describe_tags(Filters=[{"Name": "value", "Values": ["ali*"]}])["Tags"]
    assert sorted(t["ResourceId"] for t in by_value) == sorted([vpc, subnet])
    assert ec2.describe_tags(Filters=[{"Name": "key", "Values": ["owner"]}])["Tags"] == [], "keys are case-sensitive"


def test_tag_filters_on_describe_vpcs(ec2):
    web1 = new_vpc(ec2, TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "web-01"}, {"Key": "CostCenter", "Value": "42"}]}])
    web2 = new_vpc(ec2, "10.1.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "web-02"}]}])
    db1 = new_vpc(ec2, "10.2.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "db-01"}]}])

    assert vpc_ids(ec2, ("tag:Name", ["web-01"])) == {web1}
    assert vpc_ids(ec2, ("tag-key", ["CostCenter"])) == {web1}
    assert vpc_ids(ec2, ("tag-key", ["Name"])) == {web1, web2, db1}
    # * matches any run of characters, ? exactly one
    assert vpc_ids(ec2, ("tag:Name", ["web-*"])) == {web1, web2}
    assert vpc_ids(ec2, ("tag:Name", ["web-0?"])) == {web1, web2}
    assert vpc_ids(ec2, ("tag:Name", ["?eb-01"])) == {web1}
    assert vpc_ids(ec2, ("tag:Name", ["*-01"])) == {web1, db1}
    assert vpc_ids(ec2, ("tag:Name", ["*"])) == {web1, web2, db1}
    assert vpc_ids(ec2, ("tag:Name", ["web-?"])) == set()
    assert vpc_ids(ec2, ("tag:Name", ["web-"])) == set()
    assert vpc_ids(ec2, ("tag:Name", ["WEB-*"])) == set(), "filter values are case-sensitive"
    # values of one filter are ORed, filters are ANDed
    assert vpc_ids(ec2, ("tag:Name", ["db-01", "web-02"])) == {web2, db1}
    assert vpc_ids(ec2, ("tag:Name", ["web-*"]), ("cidr", ["10.1.0.0/16"])) == {web2}
    assert vpc_ids(ec2, ("tag:Name", ["web-*"]), ("tag-key", ["CostCenter"])) == {web1}


def test_other_describe_vpcs_filters(ec2, account):
    vpc = new_vpc(ec2, "10.3.0.0/16")
    default = vpc_ids(ec2, ("is-default", ["true"]))
    assert vpc_ids(ec2, ("vpc-id", [vpc])) == {vpc}
    assert vpc_ids(ec2, ("cidr", ["10.3.0.0/16"])) == {vpc}
    assert vpc_ids(ec2, ("is-default", ["false"])) == {vpc}
    assert vpc_ids(ec2, ("state", ["available"])) == {vpc} | default
    assert vpc_ids(ec2, ("owner-id", [account])) == {vpc} | default


def test_unknown_parameters_are_refused(signed_request):
    """EC2 names a parameter its API does not have instead of ignoring it."""
    body = b"Action=CreateVpc&Version=2016-11-15&CidrBlok=10.0.0.0%2F16"
    resp = signed_request("/", body, {"Content-Type": "application/x-www-form-urlencoded"}, "ec2")
    assert resp.status == 400, resp.body
    assert b"<Code>UnknownParameter</Code>" in resp.body
    assert b"CidrBlok" in resp.body
