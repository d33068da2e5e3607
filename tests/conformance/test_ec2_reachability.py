"""The scenario of the hybrid networking issue, end to end through boto3: a hub transit
gateway with three VPCs (prod, dev, shared) and a VPN attachment with static routes, two
route tables isolating prod from dev. SearchTransitGatewayRoutes shows the effective
routes, and the Reachability Analyzer finds prod -> on-premises but not dev -> prod, and
says why (plus a blackhole route and the API's errors)."""

from __future__ import annotations

import random

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


@pytest.fixture
def ec2(landbridge):
    account = str(random.Random().randrange(10**11, 10**12))
    session = boto3.session.Session(aws_access_key_id=account, aws_secret_access_key="x", region_name="us-east-1")
    return session.client("ec2", endpoint_url=landbridge.url, config=Config(retries={"total_max_attempts": 1}))


def code(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response["Error"]["Code"]


def routes(ec2, table):
    found = ec2.search_transit_gateway_routes(
        TransitGatewayRouteTableId=table, Filters=[{"Name": "state", "Values": ["active", "blackhole"]}]
    )["Routes"]
    return sorted((r["DestinationCidrBlock"], r["Type"], r["State"]) for r in found)


def analyse(ec2, source, destination=None, destination_ip=None):
    kwargs = {"Source": source, "Protocol": "tcp", "ClientToken": str(random.random())}
    if destination:
        kwargs["Destination"] = destination
    if destination_ip:
        kwargs["DestinationIp"] = destination_ip
    path = ec2.create_network_insights_path(**kwargs)["NetworkInsightsPath"]["NetworkInsightsPathId"]
    return ec2.start_network_insights_analysis(NetworkInsightsPathId=path, ClientToken=str(random.random()))[
        "NetworkInsightsAnalysis"
    ]


def test_hub_isolates_prod_from_dev_and_reaches_on_premises(ec2):
    tgw = ec2.create_transit_gateway(
        Options={"DefaultRouteTableAssociation": "disable", "DefaultRouteTablePropagation": "disable"}
    )["TransitGateway"]["TransitGatewayId"]
    vpcs, enis, attachments = {}, {}, {}
    for name, block in (("prod", "10.1"), ("dev", "10.2"), ("shared", "10.3")):
        vpc = ec2.create_vpc(CidrBlock=f"{block}.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"{block}.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        enis[name] = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
        attachments[name] = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[subnet])[
            "TransitGatewayVpcAttachment"
        ]["TransitGatewayAttachmentId"]
        main = ec2.describe_route_tables(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}]
        )["RouteTables"][0]["RouteTableId"]
        ec2.create_route(RouteTableId=main, DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=tgw)
        ec2.create_route(RouteTableId=main, DestinationCidrBlock="192.168.0.0/16", TransitGatewayId=tgw)
        vpcs[name] = vpc
    cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="198.51.100.100", BgpAsn=65100)["CustomerGateway"]
    vpn = ec2.create_vpn_connection(
        Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"], TransitGatewayId=tgw, Options={"StaticRoutesOnly": True}
    )["VpnConnection"]["VpnConnectionId"]
    ec2.create_vpn_connection_route(VpnConnectionId=vpn, DestinationCidrBlock="192.168.0.0/16")
    attachments["vpn"] = ec2.describe_transit_gateway_attachments(Filters=[{"Name": "resource-id", "Values": [vpn]}])[
        "TransitGatewayAttachments"
    ][0]["TransitGatewayAttachmentId"]

    tables = {}
    for name, associated, propagating in (
        ("prod", ["prod"], ["shared", "vpn"]),
        ("dev", ["dev"], ["shared"]),
        ("hub", ["shared", "vpn"], ["prod", "dev", "shared"]),
    ):
        table = ec2.create_transit_gateway_route_table(TransitGatewayId=tgw)["TransitGatewayRouteTable"][
            "TransitGatewayRouteTableId"
        ]
        for a in associated:
            ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=table, TransitGatewayAttachmentId=attachments[a])
        for a in propagating:
            ec2.enable_transit_gateway_route_table_propagation(
                TransitGatewayRouteTableId=table, TransitGatewayAttachmentId=attachments[a]
            )
        tables[name] = table

    assert routes(ec2, tables["prod"]) == [
        ("10.3.0.0/16", "propagated", "active"),
        ("192.168.0.0/16", "propagated", "active"),
    ]
    assert routes(ec2, tables["dev"]) == [("10.3.0.0/16", "propagated", "active")]

    # prod -> on-premises, through the hub and the VPN.
    found = analyse(ec2, enis["prod"], destination=vpn, destination_ip="192.168.7.7")
    assert found["Status"] == "succeeded" and found["NetworkPathFound"] is True, found.get("Explanations")
    hops = [c["Component"]["Id"] for c in found["ForwardPathComponents"]]
    assert hops[0] == enis["prod"] and hops[-1] == vpn
    assert [tgw, attachments["prod"], tables["prod"], attachments["vpn"]] == [h for h in hops if h in (tgw, attachments["prod"], tables["prod"], attachments["vpn"])]
    tgw_hop = next(c for c in found["ForwardPathComponents"] if c["Component"]["Id"] == tables["prod"])
    assert tgw_hop["TransitGatewayRouteTableRoute"]["DestinationCidr"] == "192.168.0.0/16"

    # dev -> prod: dev's table has no route to prod.
    blocked = analyse(ec2, enis["dev"], destination=enis["prod"])
    assert blocked["NetworkPathFound"] is False
    assert [(e["ExplanationCode"], e["Component"]["Id"]) for e in blocked["Explanations"]] == [
        ("NO_ROUTE_TO_DESTINATION", tables["dev"])
    ]
    # shared reaches both.
    assert analyse(ec2, enis["shared"], destination=enis["prod"])["NetworkPathFound"] is True
    assert analyse(ec2, enis["shared"], destination=enis["dev"])["NetworkPathFound"] is True

    # Other sources: on-premises (the VPN connection) reaches prod through the hub
    # table; dev's attachment cannot; an internet gateway reaches its own VPC.
    inbound = analyse(ec2, vpn, destination=enis["prod"])
    assert inbound["NetworkPathFound"] is True, inbound.get("Explanations")
    assert [c["Component"]["Id"] for c in inbound["ForwardPathComponents"]][:2] == [vpn, attachments["vpn"]]
    from_dev = analyse(ec2, attachments["dev"], destination=enis["prod"])
    assert [(e["ExplanationCode"], e["Component"]["Id"]) for e in from_dev["Explanations"]] == [
        ("NO_ROUTE_TO_DESTINATION", tables["dev"])
    ]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpcs["prod"])
    assert analyse(ec2, igw, destination=enis["prod"])["NetworkPathFound"] is True
    assert analyse(ec2, igw, destination=enis["dev"])["NetworkPathFound"] is False

    # A blackhole route is named as the blocker.
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=tables["prod"], DestinationCidrBlock="10.9.0.0/16", Blackhole=True)
    hole = analyse(ec2, enis["prod"], destination_ip="10.9.1.1")
    assert [(e["ExplanationCode"], e["Component"]["Id"]) for e in hole["Explanations"]] == [("BAD_STATE_ROUTE", tables["prod"])]
    # An address nothing routes: the VPC route table says so.
    lost = analyse(ec2, enis["prod"], destination_ip="172.31.0.1")
    assert lost["Explanations"][0]["ExplanationCode"] == "NO_ROUTE_TO_DESTINATION"

    analyses = ec2.describe_network_insights_analyses(Filters=[{"Name": "path-found", "Values": ["false"]}])
    assert {a["NetworkInsightsAnalysisId"] for a in analyses["NetworkInsightsAnalyses"]} >= {
        blocked["NetworkInsightsAnalysisId"],
        hole["NetworkInsightsAnalysisId"],
    }
    path_id = found["NetworkInsightsPathId"]
    assert code(ec2.delete_network_insights_path, NetworkInsightsPathId=path_id) == "DependencyViolation"
    ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=found["NetworkInsightsAnalysisId"])
    assert ec2.delete_network_insights_path(NetworkInsightsPathId=path_id)["NetworkInsightsPathId"] == path_id
    assert code(ec2.describe_network_insights_paths, NetworkInsightsPathIds=[path_id]) == "InvalidNetworkInsightsPathId.NotFound"
    assert code(
        ec2.create_network_insights_path, Source="eni-0123456789abcdef0", Protocol="tcp", DestinationIp="10.0.0.1", ClientToken="t"
    ) == "InvalidNetworkInterfaceID.NotFound"
