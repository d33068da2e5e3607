"""Customer gateways, virtual private gateways, their VPC attachments and route
propagation, with the errors AWS answers."""

from __future__ import annotations

import random

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


@pytest.fixture(scope="module")
def ec2(landbridge):
    account = str(random.Random().randrange(10**11, 10**12))
    session = boto3.session.Session(aws_access_key_id=account, aws_secret_access_key="x", region_name="us-east-1")
    return session.client("ec2", endpoint_url=landbridge.url, config=Config(retries={"total_max_attempts": 1}))


def code(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response["Error"]["Code"]


def new_vpc(ec2, cidr="10.20.0.0/16"):
    return ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


def test_customer_gateway_lifecycle(ec2):
    cgw = ec2.create_customer_gateway(
        Type="ipsec.1",
        IpAddress="198.51.100.7",
        BgpAsn=65010,
        DeviceName="office-router",
        TagSpecifications=[{"ResourceType": "customer-gateway", "Tags": [{"Key": "site", "Value": "hq"}]}],
    )["CustomerGateway"]
    assert cgw["CustomerGatewayId"].startswith("cgw-") and len(cgw["CustomerGatewayId"]) == 21
    assert (cgw["BgpAsn"], cgw["IpAddress"], cgw["Type"], cgw["State"]) == ("65010", "198.51.100.7", "ipsec.1", "available")
    assert cgw["DeviceName"] == "office-router"
    # The same request again names the same gateway.
    again = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="198.51.100.7", BgpAsn=65010)["CustomerGateway"]
    assert again["CustomerGatewayId"] == cgw["CustomerGatewayId"]
    # The default ASN is 65000.
    other = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="198.51.100.8")["CustomerGateway"]
    assert other["BgpAsn"] == "65000"

    found = ec2.describe_customer_gateways(Filters=[{"Name": "tag:site", "Values": ["hq"]}])["CustomerGateways"]
    assert [g["CustomerGatewayId"] for g in found] == [cgw["CustomerGatewayId"]]
    by_ip = ec2.describe_customer_gateways(Filters=[{"Name": "ip-address", "Values": ["198.51.100.8"]}])
    assert [g["CustomerGatewayId"] for g in by_ip["CustomerGateways"]] == [other["CustomerGatewayId"]]

    ec2.delete_customer_gateway(CustomerGatewayId=other["CustomerGatewayId"])
    gone = ec2.describe_customer_gateways(CustomerGatewayIds=[other["CustomerGatewayId"]])["CustomerGateways"]
    assert gone[0]["State"] == "deleted"
    assert code(ec2.describe_customer_gateways, CustomerGatewayIds=["cgw-0123456789abcdef0"]) == (
        "InvalidCustomerGatewayID.NotFound"
    )


def test_customer_gateway_validation(ec2):
    assert code(ec2.create_customer_gateway, Type="ipsec.1", IpAddress="not-an-ip") == "InvalidParameterValue"
    assert code(ec2.create_customer_gateway, Type="ipsec.1") == "MissingParameter"
    assert code(ec2.create_customer_gateway, Type="ipsec.1", IpAddress="198.51.100.9", BgpAsn=0) == (
        "InvalidParameterValue"
    )
    extended = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="198.51.100.10", BgpAsnExtended=4200000001)
    assert extended["CustomerGateway"]["BgpAsnExtended"] == "4200000001"


def test_vpn_gateway_attach_propagate_detach(ec2):
    vpc = new_vpc(ec2)
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]
    vgw_id = vgw["VpnGatewayId"]
    assert vgw_id.startswith("vgw-")
    assert (vgw["AmazonSideAsn"], vgw["State"], vgw["Type"], vgw["VpcAttachments"]) == (64512, "available", "ipsec.1", [])

    rtb = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0]["RouteTableId"]
    # Not attached yet: no route to it, no propagation from it.
    assert code(ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="172.16.0.0/16", GatewayId=vgw_id) == (
        "InvalidParameterValue"
    )
    assert code(ec2.enable_vgw_route_propagation, GatewayId=vgw_id, RouteTableId=rtb) == "Gateway.NotAttached"

    attached = ec2.attach_vpn_gateway(VpnGatewayId=vgw_id, VpcId=vpc)["VpcAttachment"]
    assert attached == {"VpcId": vpc, "State": "attached"}
    described = ec2.describe_vpn_gateways(VpnGatewayIds=[vgw_id])["VpnGateways"][0]
    assert described["VpcAttachments"] == [{"VpcId": vpc, "State": "attached"}]
    by_vpc = ec2.describe_vpn_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}])["VpnGateways"]
    assert [g["VpnGatewayId"] for g in by_vpc] == [vgw_id]

    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="172.16.0.0/16", GatewayId=vgw_id)
    ec2.enable_vgw_route_propagation(GatewayId=vgw_id, RouteTableId=rtb)
    table = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]
    assert table["PropagatingVgws"] == [{"GatewayId": vgw_id}]
    route = next(r for r in table["Routes"] if r.get("DestinationCidrBlock") == "172.16.0.0/16")
    assert (route["GatewayId"], route["State"]) == (vgw_id, "active")

    # One gateway per VPC, one VPC per gateway.
    second = ec2.create_vpn_gateway(Type="ipsec.1", AmazonSideAsn=65001)["VpnGateway"]["VpnGatewayId"]
    assert code(ec2.attach_vpn_gateway, VpnGatewayId=second, VpcId=vpc) == "VpnGatewayAttachmentLimitExceeded"
    other_vpc = new_vpc(ec2, "10.21.0.0/16")
    assert code(ec2.attach_vpn_gateway, VpnGatewayId=vgw_id, VpcId=other_vpc) == "VpnGatewayAttachmentLimitExceeded"
    # Attached things hold on.
    assert code(ec2.delete_vpn_gateway, VpnGatewayId=vgw_id) == "IncorrectState"

    ec2.detach_vpn_gateway(VpnGatewayId=vgw_id, VpcId=vpc)
    table = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]
    assert table["PropagatingVgws"] == []
    route = next(r for r in table["Routes"] if r.get("DestinationCidrBlock") == "172.16.0.0/16")
    assert route["State"] == "blackhole"
    described = ec2.describe_vpn_gateways(VpnGatewayIds=[vgw_id])["VpnGateways"][0]
    assert described["VpcAttachments"] == [{"VpcId": vpc, "State": "detached"}]
    assert code(ec2.detach_vpn_gateway, VpnGatewayId=vgw_id, VpcId=vpc) == "InvalidVpnGatewayAttachment.NotFound"

    ec2.delete_vpn_gateway(VpnGatewayId=vgw_id)
    assert ec2.describe_vpn_gateways(VpnGatewayIds=[vgw_id])["VpnGateways"][0]["State"] == "deleted"
    # A deleted gateway is still described, so using it is a state error.
    assert code(ec2.attach_vpn_gateway, VpnGatewayId=vgw_id, VpcId=vpc) == "InvalidVpnGatewayState"
    cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="198.51.100.123", BgpAsn=65123)["CustomerGateway"]
    assert code(
        ec2.create_vpn_connection, Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"], VpnGatewayId=vgw_id
    ) == "InvalidVpnGatewayState"
    assert code(ec2.attach_vpn_gateway, VpnGatewayId="vgw-0123456789abcdef0", VpcId=vpc) == "InvalidVpnGatewayID.NotFound"


def test_an_attached_vpn_gateway_keeps_its_vpc(ec2):
    vpc = new_vpc(ec2, "10.22.0.0/16")
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpnGatewayId=vgw, VpcId=vpc)
    assert code(ec2.delete_vpc, VpcId=vpc) == "DependencyViolation"
    ec2.detach_vpn_gateway(VpnGatewayId=vgw, VpcId=vpc)
    ec2.delete_vpc(VpcId=vpc)


@pytest.mark.parametrize("asn", [7224, 0, 4294967295])
def test_reserved_or_impossible_amazon_asns_are_refused(ec2, asn):
    assert code(ec2.create_vpn_gateway, Type="ipsec.1", AmazonSideAsn=asn) == "InvalidParameterValue"
