"""Site-to-Site VPN connections through boto3: two tunnels with outside addresses on the
loopback fabric, tunnel options with AWS's defaults and validation, static routes that
propagate into route tables, telemetry, the customer gateway configuration document,
and the errors AWS answers."""

from __future__ import annotations

import ipaddress
import random
import xml.etree.ElementTree as ET

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

RESERVED_INSIDE = ["169.254.0.0/30", "169.254.5.0/30", "169.254.169.252/30"]


@pytest.fixture(scope="module")
def ec2(landbridge):
    account = str(random.Random().randrange(10**11, 10**12))
    session = boto3.session.Session(aws_access_key_id=account, aws_secret_access_key="x", region_name="us-east-1")
    return session.client("ec2", endpoint_url=landbridge.url, config=Config(retries={"total_max_attempts": 1}))


def code(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response["Error"]["Code"]


@pytest.fixture
def gateways(ec2):
    """(vpc, attached vgw, cgw): a fresh set per test, unique addresses and ASNs."""
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    vgw = ec2.create_vpn_gateway(Type="ipsec.1", AmazonSideAsn=64620)["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpnGatewayId=vgw, VpcId=vpc)
    ip = f"203.0.113.{random.randrange(1, 255)}"
    cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress=ip, BgpAsn=random.randrange(65001, 65500))
    return vpc, vgw, cgw["CustomerGateway"]


def test_a_connection_has_two_tunnels_with_aws_defaults(ec2, gateways):
    _, vgw, cgw = gateways
    conn = ec2.create_vpn_connection(
        Type="ipsec.1",
        CustomerGatewayId=cgw["CustomerGatewayId"],
        VpnGatewayId=vgw,
        TagSpecifications=[{"ResourceType": "vpn-connection", "Tags": [{"Key": "site", "Value": "lab"}]}],
    )["VpnConnection"]
    vpn_id = conn["VpnConnectionId"]
    assert vpn_id.startswith("vpn-") and len(vpn_id) == 21
    assert (conn["State"], conn["Type"], conn["Category"]) == ("available", "ipsec.1", "VPN")
    assert conn["Options"]["StaticRoutesOnly"] is False
    assert conn["Options"]["LocalIpv4NetworkCidr"] == "0.0.0.0/0"
    tunnels = conn["Options"]["TunnelOptions"]
    assert len(tunnels) == 2
    outside = [t["OutsideIpAddress"] for t in tunnels]
    assert len(set(outside)) == 2 and all(ipaddress.ip_address(a).is_loopback for a in outside)
    for t in tunnels:
        inside = ipaddress.ip_network(t["TunnelInsideCidr"])
        assert inside.prefixlen == 30 and inside.subnet_of(ipaddress.ip_network("169.254.0.0/16"))
        assert str(inside) not in RESERVED_INSIDE
        key = t["PreSharedKey"]
        assert 8 <= len(key) <= 64 and not key.startswith("0")
        assert all(c.isalnum() or c in "._" for c in key)
        assert (t["Phase1LifetimeSeconds"], t["Phase2LifetimeSeconds"]) == (28800, 3600)
        assert (t["RekeyMarginTimeSeconds"], t["RekeyFuzzPercentage"], t["ReplayWindowSize"]) == (270, 100, 1024)
        assert (t["DpdTimeoutSeconds"], t["DpdTimeoutAction"], t["StartupAction"]) == (30, "clear", "add")
        assert [v["Value"] for v in t["Phase1EncryptionAlgorithms"]] == ["AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"]
        assert [v["Value"] for v in t["Phase2DHGroupNumbers"]] == [2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]
        assert [v["Value"] for v in t["IkeVersions"]] == ["ikev1", "ikev2"]
    assert tunnels[0]["TunnelInsideCidr"] != tunnels[1]["TunnelInsideCidr"]
    telemetry = conn["VgwTelemetry"]
    assert [(v["OutsideIpAddress"], v["Status"], v["AcceptedRouteCount"]) for v in telemetry] == [
        (outside[0], "DOWN", 0),
        (outside[1], "DOWN", 0),
    ]

    found = ec2.describe_vpn_connections(Filters=[{"Name": "tag:site", "Values": ["lab"]}])["VpnConnections"]
    assert [c["VpnConnectionId"] for c in found] == [vpn_id]
    assert found[0]["Options"]["TunnelOptions"] == tunnels
    by_gateway = ec2.describe_vpn_connections(Filters=[{"Name": "vpn-gateway-id", "Values": [vgw]}])
    assert [c["VpnConnectionId"] for c in by_gateway["VpnConnections"]] == [vpn_id]


def test_the_customer_gateway_configuration_carries_the_real_values(ec2, gateways):
    _, vgw, cgw = gateways
    conn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"], VpnGatewayId=vgw)
    conn = conn["VpnConnection"]
    doc = ET.fromstring(conn["CustomerGatewayConfiguration"])
    assert doc.tag == "vpn_connection" and doc.get("id") == conn["VpnConnectionId"]
    assert doc.findtext("customer_gateway_id") == cgw["CustomerGatewayId"]
    assert doc.findtext("vpn_gateway_id") == vgw
    xml_tunnels = doc.findall("ipsec_tunnel")
    assert len(xml_tunnels) == 2
    for xt, t in zip(xml_tunnels, conn["Options"]["TunnelOptions"]):
        inside = ipaddress.ip_network(t["TunnelInsideCidr"])
        aws_inside, customer_inside = str(inside[1]), str(inside[2])
        assert xt.findtext("vpn_gateway/tunnel_outside_address/ip_address") == t["OutsideIpAddress"]
        assert xt.findtext("vpn_gateway/tunnel_inside_address/ip_address") == aws_inside
        assert xt.findtext("customer_gateway/tunnel_outside_address/ip_address") == cgw["IpAddress"]
        assert xt.findtext("customer_gateway/tunnel_inside_address/ip_address") == customer_inside
        assert xt.findtext("ike/pre_shared_key") == t["PreSharedKey"]
        assert xt.findtext("ike/lifetime") == "28800" and xt.findtext("ipsec/lifetime") == "3600"
        # Dynamic routing: both ends' ASNs and AWS's hold time.
        assert xt.findtext("vpn_gateway/bgp/asn") == "64620"
        assert xt.findtext("customer_gateway/bgp/asn") == cgw["BgpAsn"]
        assert xt.findtext("vpn_gateway/bgp/hold_time") == "30"


def test_tunnel_options_are_validated_as_aws_does(ec2, gateways):
    _, vgw, cgw = gateways

    def create(**tunnel):
        return ec2.create_vpn_connection(
            Type="ipsec.1",
            CustomerGatewayId=cgw["CustomerGatewayId"],
            VpnGatewayId=vgw,
            Options={"TunnelOptions": [tunnel]},
        )

    for cidr in RESERVED_INSIDE + ["169.254.10.0/29", "10.0.0.0/30"]:
        assert code(create, TunnelInsideCidr=cidr) == "InvalidParameterValue", cidr
    for key in ["short", "0startswithzero", "has-a-dash-in-it"]:
        assert code(create, PreSharedKey=key) == "InvalidParameterValue", key
    assert code(create, Phase1LifetimeSeconds=100) == "InvalidParameterValue"
    assert code(create, Phase2DHGroupNumbers=[{"Value": 3}]) == "InvalidParameterValue"
    assert code(create, DPDTimeoutAction="explode") == "InvalidParameterValue"

    chosen = create(
        TunnelInsideCidr="169.254.44.0/30",
        PreSharedKey="my.shared_key.123",
        Phase1EncryptionAlgorithms=[{"Value": "AES256"}],
        Phase1DHGroupNumbers=[{"Value": 20}],
        IKEVersions=[{"Value": "ikev2"}],
        DPDTimeoutAction="restart",
        StartupAction="start",
    )["VpnConnection"]
    first = chosen["Options"]["TunnelOptions"][0]
    assert (first["TunnelInsideCidr"], first["PreSharedKey"]) == ("169.254.44.0/30", "my.shared_key.123")
    assert [v["Value"] for v in first["Phase1EncryptionAlgorithms"]] == ["AES256"]
    assert [v["Value"] for v in first["Phase1DHGroupNumbers"]] == [20]
    assert [v["Value"] for v in first["IkeVersions"]] == ["ikev2"]
    assert (first["DpdTimeoutAction"], first["StartupAction"]) == ("restart", "start")
    doc = ET.fromstring(chosen["CustomerGatewayConfiguration"])
    assert doc.find("ipsec_tunnel/ike/encryption_protocol").text == "aes-256-cbc"
    assert doc.find("ipsec_tunnel/ike/perfect_forward_secrecy").text == "group20"
    # Inside CIDRs are unique per virtual private gateway.
    assert code(create, TunnelInsideCidr="169.254.44.0/30") == "InvalidParameterValue"


def test_static_routes_propagate_into_route_tables(ec2, gateways):
    vpc, vgw, cgw = gateways
    conn = ec2.create_vpn_connection(
        Type="ipsec.1",
        CustomerGatewayId=cgw["CustomerGatewayId"],
        VpnGatewayId=vgw,
        Options={"StaticRoutesOnly": True},
    )["VpnConnection"]
    vpn_id = conn["VpnConnectionId"]
    doc = ET.fromstring(conn["CustomerGatewayConfiguration"])
    assert doc.find("ipsec_tunnel/vpn_gateway/bgp") is None, "static routing has no BGP section"
    ec2.create_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="192.168.10.0/24")
    ec2.create_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="192.168.20.0/24")
    assert code(
        ec2.create_vpn_connection_route, VpnConnectionId=vpn_id, DestinationCidrBlock="192.168.10.0/24"
    ) == "RouteAlreadyExists"
    routes = ec2.describe_vpn_connections(VpnConnectionIds=[vpn_id])["VpnConnections"][0]["Routes"]
    assert [(r["DestinationCidrBlock"], r["Source"], r["State"]) for r in routes] == [
        ("192.168.10.0/24", "Static", "available"),
        ("192.168.20.0/24", "Static", "available"),
    ]

    main = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"][0]["RouteTableId"]

    def propagated():
        table = ec2.describe_route_tables(RouteTableIds=[main])["RouteTables"][0]
        return sorted(
            (r["DestinationCidrBlock"], r["GatewayId"], r["State"])
            for r in table["Routes"]
            if r["Origin"] == "EnableVgwRoutePropagation"
        )

    assert propagated() == [], "nothing propagates before propagation is enabled"
    ec2.enable_vgw_route_propagation(RouteTableId=main, GatewayId=vgw)
    assert propagated() == [("192.168.10.0/24", vgw, "active"), ("192.168.20.0/24", vgw, "active")]
    by_route = ec2.describe_route_tables(Filters=[{"Name": "route.destination-cidr-block", "Values": ["192.168.20.0/24"]}])
    assert [t["RouteTableId"] for t in by_route["RouteTables"]] == [main]

    ec2.delete_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="192.168.10.0/24")
    assert propagated() == [("192.168.20.0/24", vgw, "active")]
    assert code(
        ec2.delete_vpn_connection_route, VpnConnectionId=vpn_id, DestinationCidrBlock="192.168.10.0/24"
    ) == "InvalidRoute.NotFound"
    ec2.delete_vpn_connection(VpnConnectionId=vpn_id)
    assert propagated() == [], "a deleted connection's routes stop propagating"


def test_routes_need_static_routing(ec2, gateways):
    _, vgw, cgw = gateways
    vpn_id = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"], VpnGatewayId=vgw)[
        "VpnConnection"
    ]["VpnConnectionId"]
    assert code(
        ec2.create_vpn_connection_route, VpnConnectionId=vpn_id, DestinationCidrBlock="10.9.0.0/16"
    ) == "InvalidVpnConnection.InvalidType"


def test_deleting_frees_the_gateways_and_is_described(ec2, gateways):
    _, vgw, cgw = gateways
    cgw_id = cgw["CustomerGatewayId"]
    conn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw_id, VpnGatewayId=vgw)["VpnConnection"]
    vpn_id = conn["VpnConnectionId"]
    assert code(ec2.delete_customer_gateway, CustomerGatewayId=cgw_id) == "IncorrectState"
    ec2.delete_vpn_connection(VpnConnectionId=vpn_id)
    gone = ec2.describe_vpn_connections(VpnConnectionIds=[vpn_id])["VpnConnections"][0]
    assert gone["State"] == "deleted" and "CustomerGatewayConfiguration" not in gone
    assert code(ec2.delete_vpn_connection, VpnConnectionId=vpn_id) == "InvalidVpnConnectionID.NotFound"
    ec2.delete_customer_gateway(CustomerGatewayId=cgw_id)


def test_outside_addresses_are_unique_across_accounts(landbridge, ec2, gateways):
    _, vgw, cgw = gateways
    mine = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"], VpnGatewayId=vgw)
    other_session = boto3.session.Session(aws_access_key_id="868686868686", aws_secret_access_key="x", region_name="eu-west-1")
    other = other_session.client("ec2", endpoint_url=landbridge.url, config=Config(retries={"total_max_attempts": 1}))
    ovgw = other.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ocgw = other.create_customer_gateway(Type="ipsec.1", IpAddress="198.51.100.99", BgpAsn=65099)["CustomerGateway"]
    theirs = other.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=ocgw["CustomerGatewayId"], VpnGatewayId=ovgw)
    addresses = [
        t["OutsideIpAddress"]
        for c in (mine, theirs)
        for t in c["VpnConnection"]["Options"]["TunnelOptions"]
    ]
    assert len(set(addresses)) == 4


def test_missing_or_unknown_gateways(ec2, gateways):
    _, vgw, cgw = gateways
    assert code(
        ec2.create_vpn_connection, Type="ipsec.1", CustomerGatewayId="cgw-0123456789abcdef0", VpnGatewayId=vgw
    ) == "InvalidCustomerGatewayID.NotFound"
    assert code(
        ec2.create_vpn_connection,
        Type="ipsec.1",
        CustomerGatewayId=cgw["CustomerGatewayId"],
        VpnGatewayId="vgw-0123456789abcdef0",
    ) == "InvalidVpnGatewayID.NotFound"
    assert code(ec2.describe_vpn_connections, VpnConnectionIds=["vpn-0123456789abcdef0"]) == (
        "InvalidVpnConnectionID.NotFound"
    )


def test_the_cli_builds_a_static_vpn(aws):
    env = {"AWS_ACCESS_KEY_ID": str(random.Random().randrange(10**11, 10**12))}
    vpc = aws("ec2", "create-vpc", "--cidr-block", "10.40.0.0/16", env=env)["Vpc"]["VpcId"]
    vgw = aws("ec2", "create-vpn-gateway", "--type", "ipsec.1", env=env)["VpnGateway"]["VpnGatewayId"]
    aws("ec2", "attach-vpn-gateway", "--vpn-gateway-id", vgw, "--vpc-id", vpc, env=env)
    cgw = aws(
        "ec2", "create-customer-gateway", "--type", "ipsec.1", "--ip-address", "198.51.100.40", "--bgp-asn", "65040",
        env=env,
    )["CustomerGateway"]["CustomerGatewayId"]
    conn = aws(
        "ec2", "create-vpn-connection", "--type", "ipsec.1", "--customer-gateway-id", cgw,
        "--vpn-gateway-id", vgw, "--options", '{"StaticRoutesOnly": true}',
        env=env,
    )["VpnConnection"]
    aws(
        "ec2", "create-vpn-connection-route", "--vpn-connection-id", conn["VpnConnectionId"],
        "--destination-cidr-block", "172.16.0.0/16",
        env=env,
    )
    described = aws("ec2", "describe-vpn-connections", "--vpn-connection-ids", conn["VpnConnectionId"], env=env)
    got = described["VpnConnections"][0]
    assert got["Options"]["StaticRoutesOnly"] is True
    assert [r["DestinationCidrBlock"] for r in got["Routes"]] == ["172.16.0.0/16"]
    assert len(got["VgwTelemetry"]) == 2


def test_connections_and_their_addresses_survive_a_restart(fresh_landbridge, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()

    def client(server):
        session = boto3.session.Session(aws_access_key_id="474747474747", aws_secret_access_key="x", region_name="us-east-1")
        return session.client("ec2", endpoint_url=server.url, config=Config(retries={"total_max_attempts": 1}))

    server = fresh_landbridge(data_dir=data_dir)
    ec2 = client(server)
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="198.51.100.47", BgpAsn=65047)["CustomerGateway"]
    first = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"], VpnGatewayId=vgw)
    first = first["VpnConnection"]
    server.stop()

    ec2 = client(fresh_landbridge(data_dir=data_dir))
    again = ec2.describe_vpn_connections(VpnConnectionIds=[first["VpnConnectionId"]])["VpnConnections"][0]
    assert again["Options"]["TunnelOptions"] == first["Options"]["TunnelOptions"]
    assert again["CustomerGatewayConfiguration"] == first["CustomerGatewayConfiguration"]
    second = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"], VpnGatewayId=vgw)
    taken = {t["OutsideIpAddress"] for t in first["Options"]["TunnelOptions"]}
    fresh = {t["OutsideIpAddress"] for t in second["VpnConnection"]["Options"]["TunnelOptions"]}
    assert not taken & fresh, "addresses held before the restart are not handed out again"
    inside = {t["TunnelInsideCidr"] for t in first["Options"]["TunnelOptions"]}
    assert not inside & {t["TunnelInsideCidr"] for t in second["VpnConnection"]["Options"]["TunnelOptions"]}


def test_device_sample_configurations(ec2, gateways, tmp_path):
    _, vgw, cgw = gateways
    types = ec2.get_vpn_connection_device_types()["VpnConnectionDeviceTypes"]
    by_software = {t["Software"]: t["VpnConnectionDeviceTypeId"] for t in types}
    assert {t["Vendor"] for t in types} >= {"Generic", "Strongswan"}
    bird_type = next(i for s, i in by_software.items() if "BIRD" in s)
    frr_type = next(i for s, i in by_software.items() if "FRR" in s)
    generic_type = by_software["Vendor Agnostic"]

    conn = ec2.create_vpn_connection(
        Type="ipsec.1",
        CustomerGatewayId=cgw["CustomerGatewayId"],
        VpnGatewayId=vgw,
        Options={"TunnelOptions": [{"IKEVersions": [{"Value": "ikev2"}]}, {"IKEVersions": [{"Value": "ikev2"}]}]},
    )["VpnConnection"]
    vpn_id = conn["VpnConnectionId"]
    tunnels = conn["Options"]["TunnelOptions"]

    def sample(device, **kwargs):
        return ec2.get_vpn_connection_device_sample_configuration(
            VpnConnectionId=vpn_id, VpnConnectionDeviceTypeId=device, **kwargs
        )["VpnConnectionDeviceSampleConfiguration"]

    swan = sample(bird_type)
    for t in tunnels:
        assert f"remote_addrs = {t['OutsideIpAddress']}" in swan
        assert f'secret = "{t["PreSharedKey"]}"' in swan
        aws_inside = str(ipaddress.ip_network(t["TunnelInsideCidr"])[1])
        assert f"neighbor {aws_inside} as 64620;" in swan
    assert f"local_addrs = {cgw['IpAddress']}" in swan and "version = 2" in swan

    # The BIRD part is a configuration BIRD itself accepts.
    from harness.peers import ensure_debian_packages

    ensure_debian_packages("bird2")
    bird_part = swan.split("# BIRD 2 (bird.conf)", 1)[1].split("\n", 1)[1]
    conf = tmp_path / "bird.conf"
    conf.write_text(
        "router id 192.0.2.10;\nprotocol device {}\n"
        "protocol static { ipv4; route 10.99.0.0/16 blackhole; }\n" + bird_part
    )
    import subprocess

    parsed = subprocess.run(["bird", "-p", "-c", str(conf)], capture_output=True, text=True, timeout=60)
    assert parsed.returncode == 0, parsed.stderr + parsed.stdout + "\n" + conf.read_text()

    frr = sample(frr_type)
    assert f"router bgp {cgw['BgpAsn']}" in frr
    for t in tunnels:
        aws_inside = str(ipaddress.ip_network(t["TunnelInsideCidr"])[1])
        assert f" neighbor {aws_inside} remote-as 64620" in frr
    generic = sample(generic_type)
    assert all(t["PreSharedKey"] in generic for t in tunnels)

    assert code(
        ec2.get_vpn_connection_device_sample_configuration,
        VpnConnectionId=vpn_id,
        VpnConnectionDeviceTypeId=bird_type,
        InternetKeyExchangeVersion="ikev1",
    ) == "InvalidParameterValue"
    assert code(
        ec2.get_vpn_connection_device_sample_configuration,
        VpnConnectionId=vpn_id,
        VpnConnectionDeviceTypeId="00000000",
    ) == "InvalidParameterValue"
    assert code(
        ec2.get_vpn_connection_device_sample_configuration,
        VpnConnectionId="vpn-0123456789abcdef0",
        VpnConnectionDeviceTypeId=bird_type,
    ) == "InvalidVpnConnectionID.NotFound"


def test_modifying_a_tunnel_keeps_what_was_not_named(ec2, gateways):
    _, vgw, cgw = gateways
    conn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"], VpnGatewayId=vgw)
    conn = conn["VpnConnection"]
    vpn_id = conn["VpnConnectionId"]
    before = conn["Options"]["TunnelOptions"]
    ip = before[1]["OutsideIpAddress"]
    changed = ec2.modify_vpn_tunnel_options(
        VpnConnectionId=vpn_id,
        VpnTunnelOutsideIpAddress=ip,
        TunnelOptions={
            "PreSharedKey": "rotated.key_2026",
            "Phase2LifetimeSeconds": 1800,
            "Phase2EncryptionAlgorithms": [{"Value": "AES256-GCM-16"}],
        },
    )["VpnConnection"]["Options"]["TunnelOptions"]
    assert changed[0] == before[0], "the other tunnel is untouched"
    second = changed[1]
    assert (second["PreSharedKey"], second["Phase2LifetimeSeconds"]) == ("rotated.key_2026", 1800)
    assert [v["Value"] for v in second["Phase2EncryptionAlgorithms"]] == ["AES256-GCM-16"]
    for kept in ("TunnelInsideCidr", "OutsideIpAddress", "Phase1LifetimeSeconds", "Phase1EncryptionAlgorithms"):
        assert second[kept] == before[1][kept], kept
    described = ec2.describe_vpn_connections(VpnConnectionIds=[vpn_id])["VpnConnections"][0]
    assert described["Options"]["TunnelOptions"] == changed
    assert ET.fromstring(described["CustomerGatewayConfiguration"]).findall("ipsec_tunnel")[1].findtext(
        "ike/pre_shared_key"
    ) == "rotated.key_2026"

    # A rekey margin must stay within half of phase 2's lifetime.
    assert code(
        ec2.modify_vpn_tunnel_options,
        VpnConnectionId=vpn_id,
        VpnTunnelOutsideIpAddress=ip,
        TunnelOptions={"RekeyMarginTimeSeconds": 1000},
    ) == "InvalidParameterValue"
    assert code(
        ec2.modify_vpn_tunnel_options,
        VpnConnectionId=vpn_id,
        VpnTunnelOutsideIpAddress="127.0.0.99",
        TunnelOptions={"PreSharedKey": "another.key_1"},
    ) == "InvalidParameterValue"
    # The other tunnel's inside CIDR is taken; the tunnel's own is not.
    assert code(
        ec2.modify_vpn_tunnel_options,
        VpnConnectionId=vpn_id,
        VpnTunnelOutsideIpAddress=ip,
        TunnelOptions={"TunnelInsideCidr": before[0]["TunnelInsideCidr"]},
    ) == "InvalidParameterValue"
    ec2.modify_vpn_tunnel_options(
        VpnConnectionId=vpn_id, VpnTunnelOutsideIpAddress=ip, TunnelOptions={"TunnelInsideCidr": before[1]["TunnelInsideCidr"]}
    )

    status = ec2.get_active_vpn_tunnel_status(VpnConnectionId=vpn_id, VpnTunnelOutsideIpAddress=ip)
    assert status["ActiveVpnTunnelStatus"]["ProvisioningStatus"] == "available"
    assert ec2.replace_vpn_tunnel(VpnConnectionId=vpn_id, VpnTunnelOutsideIpAddress=ip)["Return"] is True


def test_connection_options_and_gateways_can_change(ec2, gateways):
    vpc, vgw, cgw = gateways
    conn = ec2.create_vpn_connection(
        Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"], VpnGatewayId=vgw, Options={"StaticRoutesOnly": True}
    )["VpnConnection"]
    vpn_id = conn["VpnConnectionId"]
    out = ec2.modify_vpn_connection_options(
        VpnConnectionId=vpn_id, LocalIpv4NetworkCidr="192.168.0.0/16", RemoteIpv4NetworkCidr="10.30.0.0/16"
    )["VpnConnection"]["Options"]
    assert (out["LocalIpv4NetworkCidr"], out["RemoteIpv4NetworkCidr"]) == ("192.168.0.0/16", "10.30.0.0/16")
    assert code(
        ec2.modify_vpn_connection_options, VpnConnectionId=vpn_id, LocalIpv4NetworkCidr="not-a-cidr"
    ) == "InvalidParameterValue"

    other_vgw = ec2.create_vpn_gateway(Type="ipsec.1", AmazonSideAsn=64700)["VpnGateway"]["VpnGatewayId"]
    other_cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="198.51.100.201", BgpAsn=65201)["CustomerGateway"]
    moved = ec2.modify_vpn_connection(
        VpnConnectionId=vpn_id, VpnGatewayId=other_vgw, CustomerGatewayId=other_cgw["CustomerGatewayId"]
    )["VpnConnection"]
    assert (moved["VpnGatewayId"], moved["CustomerGatewayId"]) == (other_vgw, other_cgw["CustomerGatewayId"])
    assert [t["OutsideIpAddress"] for t in moved["Options"]["TunnelOptions"]] == [
        t["OutsideIpAddress"] for t in conn["Options"]["TunnelOptions"]
    ]
    doc = ET.fromstring(moved["CustomerGatewayConfiguration"])
    assert doc.findtext("vpn_gateway_id") == other_vgw
    assert doc.findtext("ipsec_tunnel/customer_gateway/tunnel_outside_address/ip_address") == "198.51.100.201"
    # The first gateways are free again.
    ec2.delete_customer_gateway(CustomerGatewayId=cgw["CustomerGatewayId"])
    assert code(ec2.modify_vpn_connection, VpnConnectionId=vpn_id, VpnGatewayId="vgw-0123456789abcdef0") == (
        "InvalidVpnGatewayID.NotFound"
    )
