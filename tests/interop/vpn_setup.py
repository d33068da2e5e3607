"""Building a VPN the way a user would, with boto3, and reading what the API shows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Vpn:
    vpn_id: str
    tunnels: list[str]
    vpc_id: str
    vpc_cidr: str
    route_table_id: str | None = None
    vgw_id: str | None = None
    tgw_id: str | None = None
    tgw_route_table_id: str | None = None
    attachment_id: str | None = None


def vgw_vpn(ec2, vpc_cidr: str, customer_asn: int, customer_ip: str, amazon_asn: int = 64512) -> Vpn:
    """A VPC with a virtual private gateway, a route table propagating from it, and a
    dynamically routed VPN connection to a customer gateway."""
    vpc = ec2.create_vpc(CidrBlock=vpc_cidr)["Vpc"]["VpcId"]
    vgw = ec2.create_vpn_gateway(Type="ipsec.1", AmazonSideAsn=amazon_asn)["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpnGatewayId=vgw, VpcId=vpc)
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.enable_vgw_route_propagation(RouteTableId=rt, GatewayId=vgw)
    vpn_id, tunnels = dynamic_vpn(ec2, customer_asn, customer_ip, VpnGatewayId=vgw)
    return Vpn(vpn_id, tunnels, vpc, vpc_cidr, route_table_id=rt, vgw_id=vgw)


def tgw_vpn(ec2, vpc_cidr: str, customer_asn: int, customer_ip: str, amazon_asn: int = 64513) -> Vpn:
    """A transit gateway (default association and propagation on) with a VPC
    attachment and a dynamically routed VPN attachment."""
    tgw = ec2.create_transit_gateway(Options={"AmazonSideAsn": amazon_asn})["TransitGateway"]
    tgw_id = tgw["TransitGatewayId"]
    table = ec2.describe_transit_gateways(TransitGatewayIds=[tgw_id])["TransitGateways"][0]["Options"][
        "AssociationDefaultRouteTableId"
    ]
    vpc = ec2.create_vpc(CidrBlock=vpc_cidr)["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=vpc_cidr.replace("0.0/16", "1.0/24"))["Subnet"]["SubnetId"]
    ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=vpc, SubnetIds=[subnet])
    vpn_id, tunnels = dynamic_vpn(ec2, customer_asn, customer_ip, TransitGatewayId=tgw_id)
    attachment = ec2.describe_transit_gateway_attachments(
        Filters=[{"Name": "resource-id", "Values": [vpn_id]}]
    )["TransitGatewayAttachments"][0]["TransitGatewayAttachmentId"]
    return Vpn(
        vpn_id, tunnels, vpc, vpc_cidr, tgw_id=tgw_id, tgw_route_table_id=table, attachment_id=attachment
    )


def dynamic_vpn(ec2, customer_asn: int, customer_ip: str, **gateway) -> tuple[str, list[str]]:
    """A customer gateway and a BGP-routed VPN connection from it to `gateway`
    (`VpnGatewayId=` or `TransitGatewayId=`): the connection id and its tunnels'
    outside addresses."""
    cgw = ec2.create_customer_gateway(Type="ipsec.1", BgpAsn=customer_asn, IpAddress=customer_ip)
    conn = ec2.create_vpn_connection(
        Type="ipsec.1",
        CustomerGatewayId=cgw["CustomerGateway"]["CustomerGatewayId"],
        Options={"StaticRoutesOnly": False},
        **gateway,
    )["VpnConnection"]
    return conn["VpnConnectionId"], [t["OutsideIpAddress"] for t in conn["Options"]["TunnelOptions"]]


def telemetry(ec2, vpn: Vpn) -> dict[str, dict]:
    """Outside address -> that tunnel's VgwTelemetry."""
    conn = ec2.describe_vpn_connections(VpnConnectionIds=[vpn.vpn_id])["VpnConnections"][0]
    return {t["OutsideIpAddress"]: t for t in conn["VgwTelemetry"]}


def propagated_routes(ec2, vpn: Vpn) -> set[str]:
    """Destinations the VPC route table has from VGW route propagation."""
    table = ec2.describe_route_tables(RouteTableIds=[vpn.route_table_id])["RouteTables"][0]
    return {
        r["DestinationCidrBlock"]
        for r in table["Routes"]
        if r.get("Origin") == "EnableVgwRoutePropagation" and r.get("GatewayId") == vpn.vgw_id
    }


def tgw_routes_via_vpn(ec2, vpn: Vpn) -> set[str]:
    """Destinations the transit gateway route table sends to the VPN attachment."""
    routes = ec2.search_transit_gateway_routes(
        TransitGatewayRouteTableId=vpn.tgw_route_table_id,
        Filters=[{"Name": "attachment.transit-gateway-attachment-id", "Values": [vpn.attachment_id]}],
    )["Routes"]
    return {r["DestinationCidrBlock"] for r in routes if r["State"] == "active" and r["Type"] == "propagated"}
