"""Transit gateways through boto3: options and the default route table, VPC and VPN
attachments, associations and propagations, static and blackhole routes, the routes
propagation really puts in a table (with AWS's priority and VPN ECMP), the route search
filters, routes to a transit gateway from VPC route tables, and AWS's errors."""

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


def vpc_with_subnets(ec2, cidr: str, zones=("us-east-1a", "us-east-1b")):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    base = cidr.split("/")[0].rsplit(".", 2)[0]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"{base}.{i * 16}.0/20", AvailabilityZone=z)["Subnet"]["SubnetId"]
        for i, z in enumerate(zones)
    ]
    return vpc, subnets


def search(ec2, table, *filters):
    out = ec2.search_transit_gateway_routes(
        TransitGatewayRouteTableId=table, Filters=[{"Name": n, "Values": v} for n, v in filters]
    )
    return [
        (
            r["DestinationCidrBlock"],
            r["Type"],
            r["State"],
            sorted(a["ResourceId"] for a in r.get("TransitGatewayAttachments", [])),
        )
        for r in out["Routes"]
    ]


def test_a_gateway_has_aws_defaults_and_a_default_route_table(ec2):
    tgw = ec2.create_transit_gateway(
        Description="core",
        TagSpecifications=[{"ResourceType": "transit-gateway", "Tags": [{"Key": "env", "Value": "lab"}]}],
    )["TransitGateway"]
    assert tgw["TransitGatewayId"].startswith("tgw-") and len(tgw["TransitGatewayId"]) == 21
    assert tgw["State"] == "available" and tgw["Description"] == "core"
    o = tgw["Options"]
    assert o["AmazonSideAsn"] == 64512
    assert (o["DefaultRouteTableAssociation"], o["DefaultRouteTablePropagation"]) == ("enable", "enable")
    assert (o["VpnEcmpSupport"], o["DnsSupport"], o["AutoAcceptSharedAttachments"]) == ("enable", "enable", "disable")
    assert o["AssociationDefaultRouteTableId"] == o["PropagationDefaultRouteTableId"]
    assert tgw["TransitGatewayArn"].endswith(f":transit-gateway/{tgw['TransitGatewayId']}")
    table = ec2.describe_transit_gateway_route_tables(TransitGatewayRouteTableIds=[o["AssociationDefaultRouteTableId"]])
    table = table["TransitGatewayRouteTables"][0]
    assert table["DefaultAssociationRouteTable"] and table["DefaultPropagationRouteTable"]
    found = ec2.describe_transit_gateways(Filters=[{"Name": "tag:env", "Values": ["lab"]}])["TransitGateways"]
    assert [g["TransitGatewayId"] for g in found] == [tgw["TransitGatewayId"]]

    plain = ec2.create_transit_gateway(
        Options={
            "AmazonSideAsn": 4200000001,
            "DefaultRouteTableAssociation": "disable",
            "DefaultRouteTablePropagation": "disable",
            "TransitGatewayCidrBlocks": ["10.99.0.0/24"],
        }
    )["TransitGateway"]
    assert "AssociationDefaultRouteTableId" not in plain["Options"]
    assert plain["Options"]["TransitGatewayCidrBlocks"] == ["10.99.0.0/24"]
    assert code(ec2.create_transit_gateway, Options={"AmazonSideAsn": 7224}) == "InvalidParameterValue"
    changed = ec2.modify_transit_gateway(
        TransitGatewayId=plain["TransitGatewayId"], Options={"VpnEcmpSupport": "disable", "AmazonSideAsn": 65100}
    )["TransitGateway"]["Options"]
    assert (changed["VpnEcmpSupport"], changed["AmazonSideAsn"]) == ("disable", 65100)


def test_vpc_attachments_propagate_their_cidrs(ec2):
    tgw = ec2.create_transit_gateway()["TransitGateway"]
    tgw_id, table = tgw["TransitGatewayId"], tgw["Options"]["AssociationDefaultRouteTableId"]
    vpc_a, subnets_a = vpc_with_subnets(ec2, "10.1.0.0/16")
    vpc_b, subnets_b = vpc_with_subnets(ec2, "10.2.0.0/16")
    ec2.associate_vpc_cidr_block(VpcId=vpc_b, CidrBlock="10.3.0.0/16")
    att_a = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=vpc_a, SubnetIds=subnets_a)
    att_a = att_a["TransitGatewayVpcAttachment"]
    assert att_a["State"] == "available" and att_a["SubnetIds"] == subnets_a
    att_b = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=vpc_b, SubnetIds=subnets_b[:1])
    att_b = att_b["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    assert code(
        ec2.create_transit_gateway_vpc_attachment, TransitGatewayId=tgw_id, VpcId=vpc_a, SubnetIds=subnets_a
    ) == "DuplicateTransitGatewayAttachment"

    assert search(ec2, table, ("type", ["propagated"])) == [
        ("10.1.0.0/16", "propagated", "active", [vpc_a]),
        ("10.2.0.0/16", "propagated", "active", [vpc_b]),
        ("10.3.0.0/16", "propagated", "active", [vpc_b]),
    ]
    assoc = ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=table)["Associations"]
    assert sorted(a["ResourceId"] for a in assoc) == sorted([vpc_a, vpc_b])
    props = ec2.get_transit_gateway_route_table_propagations(TransitGatewayRouteTableId=table)
    assert len(props["TransitGatewayRouteTablePropagations"]) == 2
    by_attachment = ec2.get_transit_gateway_attachment_propagations(TransitGatewayAttachmentId=att_b)
    assert [p["TransitGatewayRouteTableId"] for p in by_attachment["TransitGatewayAttachmentPropagations"]] == [table]
    listed = ec2.describe_transit_gateway_attachments(Filters=[{"Name": "transit-gateway-id", "Values": [tgw_id]}])
    assert {(a["ResourceType"], a["Association"]["TransitGatewayRouteTableId"]) for a in listed["TransitGatewayAttachments"]} == {
        ("vpc", table)
    }

    # Search filters compare blocks.
    assert [r[0] for r in search(ec2, table, ("route-search.exact-match", ["10.2.0.0/16"]))] == ["10.2.0.0/16"]
    assert [r[0] for r in search(ec2, table, ("route-search.longest-prefix-match", ["10.1.5.0/24"]))] == ["10.1.0.0/16"]
    assert [r[0] for r in search(ec2, table, ("route-search.subnet-of-match", ["10.0.0.0/14"]))] == [
        "10.1.0.0/16",
        "10.2.0.0/16",
        "10.3.0.0/16",
    ]
    assert [r[0] for r in search(ec2, table, ("route-search.supernet-of-match", ["10.3.7.0/24"]))] == ["10.3.0.0/16"]
    assert search(ec2, table, ("attachment.resource-id", [vpc_a])) == [("10.1.0.0/16", "propagated", "active", [vpc_a])]
    assert code(ec2.search_transit_gateway_routes, TransitGatewayRouteTableId=table, Filters=[]) == "MissingParameter"

    # Static routes win over propagated ones; blackholes drop traffic.
    att_a_id = att_a["TransitGatewayAttachmentId"]
    ec2.create_transit_gateway_route(
        TransitGatewayRouteTableId=table, DestinationCidrBlock="10.2.0.0/16", TransitGatewayAttachmentId=att_a_id
    )
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="192.168.0.0/16", Blackhole=True)
    assert search(ec2, table, ("route-search.exact-match", ["10.2.0.0/16", "192.168.0.0/16"])) == [
        ("10.2.0.0/16", "static", "active", [vpc_a]),
        ("192.168.0.0/16", "static", "blackhole", []),
    ]
    assert code(
        ec2.create_transit_gateway_route, TransitGatewayRouteTableId=table, DestinationCidrBlock="192.168.0.0/16", Blackhole=True
    ) == "RouteAlreadyExists"
    ec2.replace_transit_gateway_route(
        TransitGatewayRouteTableId=table, DestinationCidrBlock="192.168.0.0/16", TransitGatewayAttachmentId=att_b
    )
    assert search(ec2, table, ("state", ["blackhole"])) == []
    deleted = ec2.delete_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="10.2.0.0/16")
    assert deleted["Route"]["State"] == "deleted"
    assert search(ec2, table, ("route-search.exact-match", ["10.2.0.0/16"])) == [
        ("10.2.0.0/16", "propagated", "active", [vpc_b])
    ]
    assert code(
        ec2.delete_transit_gateway_route, TransitGatewayRouteTableId=table, DestinationCidrBlock="10.2.0.0/16"
    ) == "InvalidRoute.NotFound"

    # A route to the gateway from a VPC route table is active where the VPC is attached.
    rtb = ec2.create_route_table(VpcId=vpc_a)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=tgw_id)
    routes = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
    assert [(r["DestinationCidrBlock"], r["TransitGatewayId"], r["State"]) for r in routes if "TransitGatewayId" in r] == [
        ("10.0.0.0/8", tgw_id, "active")
    ]
    assert code(
        ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="172.16.0.0/12", TransitGatewayId="tgw-0123456789abcdef0"
    ) == "InvalidTransitGatewayID.NotFound"
    for call, kwargs in (
        (ec2.describe_transit_gateway_attachments, {"TransitGatewayAttachmentIds": ["tgw-attach-0123456789abcdef0"]}),
        (ec2.delete_transit_gateway_vpc_attachment, {"TransitGatewayAttachmentId": "tgw-attach-0123456789abcdef0"}),
        (ec2.associate_transit_gateway_route_table,
         {"TransitGatewayRouteTableId": table, "TransitGatewayAttachmentId": "tgw-attach-0123456789abcdef0"}),
    ):
        assert code(call, **kwargs) == "InvalidTransitGatewayAttachmentID.NotFound", call

    # Deleting: attachments first.
    assert code(ec2.delete_transit_gateway, TransitGatewayId=tgw_id) == "IncorrectState"
    ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att_b)
    assert search(ec2, table, ("type", ["propagated"])) == [("10.1.0.0/16", "propagated", "active", [vpc_a])]
    assert search(ec2, table, ("route-search.exact-match", ["192.168.0.0/16"])) == [
        ("192.168.0.0/16", "static", "blackhole", [vpc_b])
    ], "a route to a deleted attachment is a blackhole that still names it"
    ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att_a_id)
    routes = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
    assert [r["State"] for r in routes if "TransitGatewayId" in r] == ["blackhole"]
    assert ec2.delete_transit_gateway(TransitGatewayId=tgw_id)["TransitGateway"]["State"] == "deleted"


def test_custom_route_tables_associations_and_propagations(ec2):
    tgw_id = ec2.create_transit_gateway(
        Options={"DefaultRouteTableAssociation": "disable", "DefaultRouteTablePropagation": "disable"}
    )["TransitGateway"]["TransitGatewayId"]
    vpc, subnets = vpc_with_subnets(ec2, "10.7.0.0/16")
    att = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=vpc, SubnetIds=subnets)
    att = att["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    table = ec2.create_transit_gateway_route_table(TransitGatewayId=tgw_id)["TransitGatewayRouteTable"]
    table_id = table["TransitGatewayRouteTableId"]
    assert table["DefaultAssociationRouteTable"] is False and table["State"] == "available"
    assert search(ec2, table_id, ("type", ["propagated"])) == [], "nothing propagates by default here"

    out = ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=table_id, TransitGatewayAttachmentId=att)
    assert out["Association"]["State"] == "associated"
    assert code(
        ec2.associate_transit_gateway_route_table, TransitGatewayRouteTableId=table_id, TransitGatewayAttachmentId=att
    ) == "Resource.AlreadyAssociated"
    prop = ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=table_id, TransitGatewayAttachmentId=att)
    assert prop["Propagation"]["State"] == "enabled"
    assert search(ec2, table_id, ("type", ["propagated"])) == [("10.7.0.0/16", "propagated", "active", [vpc])]
    ec2.disable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=table_id, TransitGatewayAttachmentId=att)
    assert search(ec2, table_id, ("type", ["propagated"])) == []
    assert code(ec2.delete_transit_gateway_route_table, TransitGatewayRouteTableId=table_id) == "IncorrectState"
    ec2.disassociate_transit_gateway_route_table(TransitGatewayRouteTableId=table_id, TransitGatewayAttachmentId=att)
    ec2.delete_transit_gateway_route_table(TransitGatewayRouteTableId=table_id)
    assert code(
        ec2.search_transit_gateway_routes,
        TransitGatewayRouteTableId=table_id,
        Filters=[{"Name": "type", "Values": ["static"]}],
    ) == "InvalidRouteTableID.NotFound"
    # One subnet per availability zone.
    other_vpc, _ = vpc_with_subnets(ec2, "10.8.0.0/16", zones=("us-east-1a",))
    s1 = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.8.100.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    s0 = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [other_vpc]}])["Subnets"]
    assert code(
        ec2.create_transit_gateway_vpc_attachment,
        TransitGatewayId=tgw_id,
        VpcId=other_vpc,
        SubnetIds=[s["SubnetId"] for s in s0 if s["SubnetId"] != s1] + [s1],
    ) == "DuplicateSubnetsInSameZone"


@pytest.mark.parametrize("ecmp", ["enable", "disable"])
def test_vpn_attachments_propagate_static_routes_with_ecmp(ec2, ecmp):
    tgw = ec2.create_transit_gateway(Options={"VpnEcmpSupport": ecmp, "AmazonSideAsn": 64700})["TransitGateway"]
    tgw_id, table = tgw["TransitGatewayId"], tgw["Options"]["AssociationDefaultRouteTableId"]
    vpns = []
    for i in range(2):
        cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress=f"198.51.100.{60 + i}", BgpAsn=65060 + i)
        conn = ec2.create_vpn_connection(
            Type="ipsec.1",
            CustomerGatewayId=cgw["CustomerGateway"]["CustomerGatewayId"],
            TransitGatewayId=tgw_id,
            Options={"StaticRoutesOnly": True},
        )["VpnConnection"]
        assert conn["TransitGatewayId"] == tgw_id and "VpnGatewayId" not in conn
        ec2.create_vpn_connection_route(VpnConnectionId=conn["VpnConnectionId"], DestinationCidrBlock="172.20.0.0/16")
        vpns.append(conn["VpnConnectionId"])
    attachments = ec2.describe_transit_gateway_attachments(Filters=[{"Name": "resource-type", "Values": ["vpn"]}])
    assert sorted(a["ResourceId"] for a in attachments["TransitGatewayAttachments"] if a["TransitGatewayId"] == tgw_id) == sorted(vpns)
    routes = search(ec2, table, ("route-search.exact-match", ["172.20.0.0/16"]))
    expected = sorted(vpns) if ecmp == "enable" else [vpns[0]]
    assert routes == [("172.20.0.0/16", "propagated", "active", expected)]
    # Deleting a connection removes its attachment and its routes.
    ec2.delete_vpn_connection(VpnConnectionId=vpns[0])
    assert search(ec2, table, ("route-search.exact-match", ["172.20.0.0/16"])) == [
        ("172.20.0.0/16", "propagated", "active", [vpns[1]])
    ]


def test_a_vpn_connection_moves_between_a_virtual_private_and_a_transit_gateway(ec2):
    tgw = ec2.create_transit_gateway()["TransitGateway"]
    tgw_id, table = tgw["TransitGatewayId"], tgw["Options"]["AssociationDefaultRouteTableId"]
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="198.51.100.80", BgpAsn=65080)["CustomerGateway"]
    conn = ec2.create_vpn_connection(
        Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"], VpnGatewayId=vgw, Options={"StaticRoutesOnly": True}
    )["VpnConnection"]
    vpn_id = conn["VpnConnectionId"]
    ec2.create_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="172.30.0.0/16")

    moved = ec2.modify_vpn_connection(VpnConnectionId=vpn_id, TransitGatewayId=tgw_id)["VpnConnection"]
    assert moved["TransitGatewayId"] == tgw_id and "VpnGatewayId" not in moved
    assert search(ec2, table, ("route-search.exact-match", ["172.30.0.0/16"])) == [
        ("172.30.0.0/16", "propagated", "active", [vpn_id])
    ]
    back = ec2.modify_vpn_connection(VpnConnectionId=vpn_id, VpnGatewayId=vgw)["VpnConnection"]
    assert back["VpnGatewayId"] == vgw and "TransitGatewayId" not in back
    assert search(ec2, table, ("route-search.exact-match", ["172.30.0.0/16"])) == []
    gone = ec2.describe_transit_gateway_attachments(Filters=[{"Name": "resource-id", "Values": [vpn_id]}])
    assert [a["State"] for a in gone["TransitGatewayAttachments"]] == ["deleted"]


def client_for(landbridge, account: str, region: str):
    session = boto3.session.Session(aws_access_key_id=account, aws_secret_access_key="x", region_name=region)
    return session.client("ec2", endpoint_url=landbridge.url, config=Config(retries={"total_max_attempts": 1}))


def test_peering_across_accounts_and_regions(landbridge):
    a_account, b_account = (str(random.Random().randrange(10**11, 10**12)) for _ in range(2))
    a = client_for(landbridge, a_account, "us-east-1")
    b = client_for(landbridge, b_account, "eu-west-1")
    tgw_a = a.create_transit_gateway()["TransitGateway"]
    tgw_b = b.create_transit_gateway(Options={"AmazonSideAsn": 64601})["TransitGateway"]["TransitGatewayId"]
    peering = a.create_transit_gateway_peering_attachment(
        TransitGatewayId=tgw_a["TransitGatewayId"], PeerTransitGatewayId=tgw_b, PeerAccountId=b_account, PeerRegion="eu-west-1"
    )["TransitGatewayPeeringAttachment"]
    pid = peering["TransitGatewayAttachmentId"]
    assert peering["State"] == "pendingAcceptance"
    assert (peering["RequesterTgwInfo"]["OwnerId"], peering["AccepterTgwInfo"]["Region"]) == (a_account, "eu-west-1")
    seen_by_b = b.describe_transit_gateway_peering_attachments(TransitGatewayAttachmentIds=[pid])
    assert seen_by_b["TransitGatewayPeeringAttachments"][0]["State"] == "pendingAcceptance"
    assert code(a.accept_transit_gateway_peering_attachment, TransitGatewayAttachmentId=pid) == "IncorrectState"

    accepted = b.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=pid)
    assert accepted["TransitGatewayPeeringAttachment"]["State"] == "available"
    mine = a.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=[pid])["TransitGatewayAttachments"][0]
    assert (mine["State"], mine["ResourceType"], mine["ResourceId"]) == ("available", "peering", tgw_b)

    table = tgw_a["Options"]["AssociationDefaultRouteTableId"]
    a.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="10.200.0.0/16", TransitGatewayAttachmentId=pid)
    assert search(a, table, ("route-search.exact-match", ["10.200.0.0/16"])) == [
        ("10.200.0.0/16", "static", "active", [tgw_b])
    ]
    assert code(
        a.enable_transit_gateway_route_table_propagation, TransitGatewayRouteTableId=table, TransitGatewayAttachmentId=pid
    ) == "InvalidParameterValue"

    b.delete_transit_gateway_peering_attachment(TransitGatewayAttachmentId=pid)
    for side in (a, b):
        got = side.describe_transit_gateway_peering_attachments(TransitGatewayAttachmentIds=[pid])
        assert got["TransitGatewayPeeringAttachments"][0]["State"] == "deleted"
    assert search(a, table, ("route-search.exact-match", ["10.200.0.0/16"]))[0][2] == "blackhole"

    second = a.create_transit_gateway_peering_attachment(
        TransitGatewayId=tgw_a["TransitGatewayId"], PeerTransitGatewayId=tgw_b, PeerAccountId=b_account, PeerRegion="eu-west-1"
    )["TransitGatewayPeeringAttachment"]["TransitGatewayAttachmentId"]
    rejected = b.reject_transit_gateway_peering_attachment(TransitGatewayAttachmentId=second)
    assert rejected["TransitGatewayPeeringAttachment"]["State"] == "rejected"
    assert a.describe_transit_gateway_peering_attachments(TransitGatewayAttachmentIds=[second])[
        "TransitGatewayPeeringAttachments"
    ][0]["State"] == "rejected"
    assert code(
        a.create_transit_gateway_peering_attachment,
        TransitGatewayId=tgw_a["TransitGatewayId"],
        PeerTransitGatewayId="tgw-0123456789abcdef0",
        PeerAccountId=b_account,
        PeerRegion="eu-west-1",
    ) == "InvalidTransitGatewayID.NotFound"


def test_next_hop_answers_for_vpc_and_transit_gateway_tables(landbridge):
    """`GET /_landbridge/next-hop`: the route a packet takes, by AWS's evaluation order."""
    import json

    account = str(random.Random().randrange(10**11, 10**12))
    ec2 = client_for(landbridge, account, "us-east-1")

    def hop(table, dest):
        status, _, body = landbridge.raw_request(
            "GET", f"/_landbridge/next-hop?routeTableId={table}&destination={dest}&account={account}&region=us-east-1"
        )
        return status, json.loads(body)

    tgw = ec2.create_transit_gateway()["TransitGateway"]
    tgw_id, tgw_table = tgw["TransitGatewayId"], tgw["Options"]["AssociationDefaultRouteTableId"]
    vpc, subnets = vpc_with_subnets(ec2, "10.60.0.0/16")
    att = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=vpc, SubnetIds=subnets)
    att = att["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=tgw_id)

    status, body = hop(rtb, "10.60.3.3")
    assert status == 200 and body["nextHop"]["kind"] == "local", "the local route wins over 10.0.0.0/8"
    assert hop(rtb, "10.61.0.1")[1]["nextHop"] == {
        "routeTableId": rtb,
        "destinationCidrBlock": "10.0.0.0/8",
        "targets": [tgw_id],
        "kind": "static",
        "state": "active",
    }
    assert hop(rtb, "192.0.2.1")[1]["nextHop"] is None
    assert hop(tgw_table, "10.60.9.9")[1]["nextHop"] == {
        "routeTableId": tgw_table,
        "destinationCidrBlock": "10.60.0.0/16",
        "targets": [att],
        "kind": "propagated",
        "state": "active",
    }
    assert hop("rtb-0123456789abcdef0", "10.0.0.1")[0] == 404
    assert hop(rtb, "not-an-ip")[0] == 400
