"""Transfer Family's API through boto3: servers (defaults, AWS's rules on protocols and
identity providers, host keys, states), users and their SSH keys, security policies,
tags, and the errors AWS answers."""

from __future__ import annotations

import json
import subprocess
import uuid

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::000000000000:role/transfer"


@pytest.fixture
def transfer(client):
    return client("transfer")


def code(call, **kw) -> str:
    with pytest.raises(ClientError) as err:
        call(**kw)
    return err.value.response["Error"]["Code"]


def public_key(tmp_path, kind: str = "ed25519") -> str:
    key = tmp_path / f"k-{uuid.uuid4().hex[:6]}"
    subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-f", str(key)], check=True, timeout=60)
    return (tmp_path / f"{key.name}.pub").read_text().strip()


def test_a_server_with_defaults_is_online_with_a_host_key(landbridge, transfer):
    sid = transfer.create_server()["ServerId"]
    assert sid.startswith("s-") and len(sid) == 19
    s = transfer.describe_server(ServerId=sid)["Server"]
    assert s["Arn"] == f"arn:aws:transfer:us-east-1:000000000000:server/{sid}"
    assert (s["State"], s["Protocols"], s["IdentityProviderType"], s["Domain"], s["EndpointType"]) == (
        "ONLINE",
        ["SFTP"],
        "SERVICE_MANAGED",
        "S3",
        "PUBLIC",
    )
    assert s["SecurityPolicyName"] == "TransferSecurityPolicy-2024-01"  # AWS's default through the API
    assert s["HostKeyFingerprint"].startswith("SHA256:") and s["UserCount"] == 0
    assert sid in [x["ServerId"] for x in transfer.list_servers()["Servers"]]
    endpoints = json.loads(landbridge.raw_request("GET", "/_landbridge/endpoints").body)["endpoints"]
    assert [e["protocol"] for e in endpoints if e["resource_id"] == sid] == ["sftp"]

    transfer.stop_server(ServerId=sid)
    assert transfer.describe_server(ServerId=sid)["Server"]["State"] == "OFFLINE"
    assert code(transfer.stop_server, ServerId=sid) == "InvalidRequestException"
    transfer.start_server(ServerId=sid)
    assert transfer.describe_server(ServerId=sid)["Server"]["State"] == "ONLINE"
    transfer.delete_server(ServerId=sid)
    assert code(transfer.describe_server, ServerId=sid) == "ResourceNotFoundException"
    endpoints = json.loads(landbridge.raw_request("GET", "/_landbridge/endpoints").body)["endpoints"]
    assert all(e["resource_id"] != sid for e in endpoints)


def test_a_given_host_key_is_used_and_fingerprinted(transfer, tmp_path):
    key = tmp_path / "host"
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", str(key)], check=True, timeout=60)
    sid = transfer.create_server(HostKey=key.read_text())["ServerId"]
    printed = subprocess.run(["ssh-keygen", "-l", "-f", str(key)], capture_output=True, text=True, check=True).stdout
    assert transfer.describe_server(ServerId=sid)["Server"]["HostKeyFingerprint"] in printed
    assert code(transfer.create_server, HostKey="not a key") == "InvalidRequestException"


def test_aws_rules_on_protocols_and_identity_providers(landbridge, transfer):
    gateway = {"Url": "https://example.execute-api.us-east-1.amazonaws.com/prod", "InvocationRole": ROLE}
    cert = "arn:aws:acm:us-east-1:000000000000:certificate/0a1b2c3d-0000-1111-2222-333344445555"
    assert code(transfer.create_server, Protocols=["FTP"]) == "InvalidRequestException"
    assert code(transfer.create_server, Protocols=["FTPS"], IdentityProviderType="API_GATEWAY", IdentityProviderDetails=gateway) == (
        "InvalidRequestException"
    )
    assert code(
        transfer.create_server, Protocols=["FTP"], IdentityProviderType="API_GATEWAY", IdentityProviderDetails=gateway, EndpointType="PUBLIC"
    ) == "InvalidRequestException"
    assert code(transfer.create_server, IdentityProviderType="API_GATEWAY") == "InvalidRequestException"
    assert code(transfer.create_server, IdentityProviderType="AWS_DIRECTORY_SERVICE") == "InvalidRequestException"
    assert code(transfer.create_server, SecurityPolicyName="TransferSecurityPolicy-1999-01") == "InvalidRequestException"
    sid = transfer.create_server(
        Protocols=["SFTP", "FTPS"],
        IdentityProviderType="API_GATEWAY",
        IdentityProviderDetails=gateway,
        Certificate=cert,
        PreAuthenticationLoginBanner="Authorised use only",
    )["ServerId"]
    s = transfer.describe_server(ServerId=sid)["Server"]
    assert s["IdentityProviderDetails"] == gateway and s["Certificate"] == cert
    assert s["ProtocolDetails"]["SetStatOption"] == "ENABLE_NO_OP"
    transfer.update_server(ServerId=sid, ProtocolDetails={"PassiveIp": "AUTO", "TlsSessionResumptionMode": "ENFORCED"})
    details = transfer.describe_server(ServerId=sid)["Server"]["ProtocolDetails"]
    assert (details["PassiveIp"], details["TlsSessionResumptionMode"]) == ("AUTO", "ENFORCED")
    assert s["PreAuthenticationLoginBanner"] == "Authorised use only"
    # Users belong to service-managed servers only.
    assert code(transfer.create_user, ServerId=sid, UserName="alice", Role=ROLE) == "InvalidRequestException"
    protocols = lambda: sorted(  # noqa: E731
        e["protocol"] for e in json.loads(landbridge.raw_request("GET", "/_landbridge/endpoints").body)["endpoints"]
        if e["resource_id"] == sid
    )
    assert protocols() == ["ftp", "sftp"]
    # Other protocols, other listeners.
    transfer.update_server(ServerId=sid, Protocols=["SFTP"])
    assert protocols() == ["sftp"]
    transfer.update_server(ServerId=sid, SecurityPolicyName="TransferSecurityPolicy-2024-01")
    assert transfer.describe_server(ServerId=sid)["Server"]["SecurityPolicyName"] == "TransferSecurityPolicy-2024-01"
    assert code(transfer.update_server, ServerId=sid, Protocols=["FTP"]) == "InvalidRequestException"
    assert code(transfer.describe_server, ServerId="s-00000000000000000") == "ResourceNotFoundException"


def test_users_and_their_keys(transfer, tmp_path):
    sid = transfer.create_server()["ServerId"]
    first = public_key(tmp_path)
    transfer.create_user(ServerId=sid, UserName="alice", Role=ROLE, HomeDirectory="/bucket/home/alice", SshPublicKeyBody=first)
    u = transfer.describe_user(ServerId=sid, UserName="alice")
    assert u["ServerId"] == sid
    user = u["User"]
    assert user["Arn"] == f"arn:aws:transfer:us-east-1:000000000000:user/{sid}/alice"
    assert (user["HomeDirectory"], user["HomeDirectoryType"], user["Role"]) == ("/bucket/home/alice", "PATH", ROLE)
    assert [k["SshPublicKeyBody"] for k in user["SshPublicKeys"]] == [first]
    assert code(transfer.create_user, ServerId=sid, UserName="alice", Role=ROLE) == "ResourceExistsException"

    second = public_key(tmp_path, "rsa")
    key_id = transfer.import_ssh_public_key(ServerId=sid, UserName="alice", SshPublicKeyBody=second)["SshPublicKeyId"]
    assert key_id.startswith("key-")
    assert code(transfer.import_ssh_public_key, ServerId=sid, UserName="alice", SshPublicKeyBody=second) == "ResourceExistsException"
    assert code(transfer.import_ssh_public_key, ServerId=sid, UserName="alice", SshPublicKeyBody="ssh-ed25519 AAAAnotakey") == (
        "InvalidRequestException"
    )
    listed = transfer.list_users(ServerId=sid)["Users"]
    assert [(x["UserName"], x["SshPublicKeyCount"]) for x in listed] == [("alice", 2)]
    transfer.delete_ssh_public_key(ServerId=sid, UserName="alice", SshPublicKeyId=key_id)
    assert len(transfer.describe_user(ServerId=sid, UserName="alice")["User"]["SshPublicKeys"]) == 1
    assert code(transfer.delete_ssh_public_key, ServerId=sid, UserName="alice", SshPublicKeyId=key_id) == "ResourceNotFoundException"

    mappings = [{"Entry": "/", "Target": "/bucket/home/alice"}]
    transfer.update_user(ServerId=sid, UserName="alice", HomeDirectoryType="LOGICAL", HomeDirectoryMappings=mappings,
                         PosixProfile={"Uid": 1000, "Gid": 100})
    user = transfer.describe_user(ServerId=sid, UserName="alice")["User"]
    assert user["HomeDirectoryType"] == "LOGICAL" and user["HomeDirectoryMappings"] == mappings
    assert user["PosixProfile"] == {"Uid": 1000, "Gid": 100}
    assert code(transfer.create_user, ServerId=sid, UserName="bob", Role=ROLE, HomeDirectoryType="LOGICAL") == "InvalidRequestException"
    assert code(transfer.describe_user, ServerId=sid, UserName="nobody") == "ResourceNotFoundException"
    assert transfer.describe_server(ServerId=sid)["Server"]["UserCount"] == 1
    transfer.delete_user(ServerId=sid, UserName="alice")
    assert transfer.list_users(ServerId=sid)["Users"] == []


def test_security_policies_and_tags(transfer):
    names = transfer.list_security_policies()["SecurityPolicyNames"]
    assert "TransferSecurityPolicy-2018-11" in names and "TransferSecurityPolicy-FIPS-2020-06" in names
    p = transfer.describe_security_policy(SecurityPolicyName="TransferSecurityPolicy-2024-01")["SecurityPolicy"]
    assert "aes256-ctr" in p["SshCiphers"] and p["Fips"] is False
    assert p["SshMacs"] == ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com"]
    assert {"TransferSecurityPolicy-FIPS-2024-01", "TransferSecurityPolicy-SshAuditCompliant-2025-02",
            "TransferSecurityPolicy-Restricted-2018-11"} <= set(names)
    restricted = transfer.describe_security_policy(SecurityPolicyName="TransferSecurityPolicy-Restricted-2018-11")
    assert "chacha20-poly1305@openssh.com" not in restricted["SecurityPolicy"]["SshCiphers"]
    assert code(transfer.describe_security_policy, SecurityPolicyName="TransferSecurityPolicy-1999-01") == "ResourceNotFoundException"

    sid = transfer.create_server(Tags=[{"Key": "team", "Value": "edi"}])["ServerId"]
    arn = transfer.describe_server(ServerId=sid)["Server"]["Arn"]
    transfer.tag_resource(Arn=arn, Tags=[{"Key": "env", "Value": "test"}])
    assert transfer.list_tags_for_resource(Arn=arn)["Tags"] == [{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "edi"}]
    transfer.untag_resource(Arn=arn, TagKeys=["team"])
    assert transfer.describe_server(ServerId=sid)["Server"]["Tags"] == [{"Key": "env", "Value": "test"}]
    assert code(transfer.tag_resource, Arn=arn + "x", Tags=[{"Key": "a", "Value": "b"}]) == "ResourceNotFoundException"


def test_servers_and_users_survive_a_restart_on_the_same_address(fresh_landbridge, tmp_path):
    import boto3

    data = tmp_path / "data"

    def transfer_of(server):
        return boto3.client("transfer", endpoint_url=server.url, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")

    def sftp_endpoint(server, sid):
        listed = json.loads(server.raw_request("GET", "/_landbridge/endpoints").body)["endpoints"]
        return [(e["address"], e["port"]) for e in listed if e["resource_id"] == sid]

    first = fresh_landbridge(data_dir=data, extra_args=("--fabric-pool", "127.120.0.0/16"))
    t = transfer_of(first)
    online = t.create_server()["ServerId"]
    stopped = t.create_server()["ServerId"]
    t.stop_server(ServerId=stopped)
    t.create_user(ServerId=online, UserName="alice", Role=ROLE, HomeDirectory="/b/home/alice", SshPublicKeyBody=public_key(tmp_path))
    before = sftp_endpoint(first, online)
    fingerprint = t.describe_server(ServerId=online)["Server"]["HostKeyFingerprint"]
    first.close()

    second = fresh_landbridge(data_dir=data, extra_args=("--fabric-pool", "127.120.0.0/16"))
    t = transfer_of(second)
    assert t.describe_server(ServerId=online)["Server"]["State"] == "ONLINE"
    assert t.describe_server(ServerId=online)["Server"]["HostKeyFingerprint"] == fingerprint
    assert t.describe_server(ServerId=stopped)["Server"]["State"] == "OFFLINE"
    assert sftp_endpoint(second, online) == before and sftp_endpoint(second, stopped) == []
    assert [u["UserName"] for u in t.list_users(ServerId=online)["Users"]] == ["alice"]


def test_test_identity_provider_asks_the_url_as_aws_does(transfer):
    from harness.identity_provider import IdentityProvider

    with IdentityProvider() as idp:
        idp.users["carol"] = {"password": "s3cret", "Role": ROLE, "HomeDirectory": "/bucket/carol"}
        sid = transfer.create_server(
            IdentityProviderType="API_GATEWAY", IdentityProviderDetails={"Url": idp.url, "InvocationRole": ROLE}
        )["ServerId"]
        ok = transfer.test_identity_provider(ServerId=sid, UserName="carol", UserPassword="s3cret", SourceIp="192.0.2.7")
        assert ok["StatusCode"] == 200 and ok["Url"].startswith(f"{idp.url}/servers/{sid}/users/carol/config")
        assert json.loads(ok["Response"]) == {"Role": ROLE, "HomeDirectory": "/bucket/carol"}
        assert idp.requests[-1]["password"] == "s3cret"
        assert idp.requests[-1]["query"] == {"protocol": "SFTP", "sourceIp": "192.0.2.7"}
        wrong = transfer.test_identity_provider(ServerId=sid, UserName="carol", UserPassword="nope")
        assert wrong["StatusCode"] == 200 and json.loads(wrong["Response"]) == {} and wrong["Message"]
    managed = transfer.create_server()["ServerId"]
    assert code(transfer.test_identity_provider, ServerId=managed, UserName="carol") == "InvalidRequestException"


def test_host_keys_are_imported_listed_described_updated_and_deleted(landbridge, transfer, tmp_path):
    sid = transfer.create_server()["ServerId"]
    (first,) = transfer.list_host_keys(ServerId=sid)["HostKeys"]
    assert first["Type"] == "ssh-ed25519" and first["HostKeyId"].startswith("hostkey-")
    assert first["Fingerprint"] == transfer.describe_server(ServerId=sid)["Server"]["HostKeyFingerprint"]

    key = tmp_path / "rsa"
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", str(key)], check=True, timeout=60)
    kid = transfer.import_host_key(ServerId=sid, HostKeyBody=key.read_text(), Description="rotation 2026",
                                   Tags=[{"Key": "k", "Value": "v"}])["HostKeyId"]
    d = transfer.describe_host_key(ServerId=sid, HostKeyId=kid)["HostKey"]
    printed = subprocess.run(["ssh-keygen", "-l", "-f", str(key)], capture_output=True, text=True, check=True).stdout
    assert d["HostKeyFingerprint"] in printed and d["Type"] == "ssh-rsa" and d["Description"] == "rotation 2026"
    assert d["Arn"] == f"arn:aws:transfer:us-east-1:000000000000:host-key/{sid}/{kid}"
    assert transfer.list_tags_for_resource(Arn=d["Arn"])["Tags"] == [{"Key": "k", "Value": "v"}]
    assert code(transfer.import_host_key, ServerId=sid, HostKeyBody=key.read_text()) == "ResourceExistsException"

    # The server now offers both keys: a client asking for RSA gets the imported one.
    listed = json.loads(landbridge.raw_request("GET", "/_landbridge/endpoints").body)["endpoints"]
    (ep,) = [e for e in listed if e["resource_id"] == sid]
    scanned = subprocess.run(["ssh-keyscan", "-p", str(ep["port"]), "-t", "rsa", ep["address"]], capture_output=True, text=True, timeout=30)
    line = next(l for l in scanned.stdout.splitlines() if "ssh-rsa" in l)
    assert d["HostKeyFingerprint"] in subprocess.run(["ssh-keygen", "-l", "-f", "-"], input=line, capture_output=True, text=True).stdout

    transfer.update_host_key(ServerId=sid, HostKeyId=kid, Description="renamed")
    assert transfer.describe_host_key(ServerId=sid, HostKeyId=kid)["HostKey"]["Description"] == "renamed"
    transfer.delete_host_key(ServerId=sid, HostKeyId=first["HostKeyId"])
    assert [k["HostKeyId"] for k in transfer.list_host_keys(ServerId=sid)["HostKeys"]] == [kid]
    assert transfer.describe_server(ServerId=sid)["Server"]["HostKeyFingerprint"] == d["HostKeyFingerprint"]
    assert code(transfer.delete_host_key, ServerId=sid, HostKeyId=kid) == "InvalidRequestException"
    assert code(transfer.describe_host_key, ServerId=sid, HostKeyId="hostkey-00000000000000000") == "ResourceNotFoundException"


def test_aws_lambda_providers_are_invoked_through_the_lambda_endpoint(fresh_landbridge, tmp_path):
    import boto3
    from harness.identity_provider import IdentityProvider

    with IdentityProvider() as idp:
        idp.users["gina"] = {"password": "gina-pw", "Role": ROLE, "HomeDirectory": "/bucket/gina"}
        server = fresh_landbridge(extra_args=("--lambda-endpoint", idp.endpoint, "--fabric-pool", "127.121.0.0/16"))
        t = boto3.client("transfer", endpoint_url=server.url, region_name="us-east-1",
                         aws_access_key_id="test", aws_secret_access_key="test")
        function = "arn:aws:lambda:us-east-1:000000000000:function:transfer-idp"
        sid = t.create_server(IdentityProviderType="AWS_LAMBDA", IdentityProviderDetails={"Function": function})["ServerId"]
        ok = t.test_identity_provider(ServerId=sid, UserName="gina", UserPassword="gina-pw", SourceIp="192.0.2.9")
        assert ok["StatusCode"] == 200 and json.loads(ok["Response"])["HomeDirectory"] == "/bucket/gina"
        assert ok["Url"].endswith("/invocations") and not ok.get("Message")
        asked = idp.requests[-1]
        assert asked["function"] == function.replace(":", "%3A")
        assert asked["event"] == {"username": "gina", "password": "gina-pw", "protocol": "SFTP", "serverId": sid, "sourceIp": "192.0.2.9"}
        assert json.loads(t.test_identity_provider(ServerId=sid, UserName="gina", UserPassword="no")["Response"]) == {}


def test_accesses_of_directory_groups(transfer):
    sid = transfer.create_server(IdentityProviderType="AWS_DIRECTORY_SERVICE", IdentityProviderDetails={"DirectoryId": "d-0123456789"})["ServerId"]
    group = "S-1-5-21-1004336348-1177238915-682003330-512"
    transfer.create_access(ServerId=sid, ExternalId=group, Role=ROLE, HomeDirectory="/bucket/team",
                           PosixProfile={"Uid": 2000, "Gid": 2000})
    a = transfer.describe_access(ServerId=sid, ExternalId=group)
    assert a["ServerId"] == sid
    assert (a["Access"]["ExternalId"], a["Access"]["HomeDirectory"], a["Access"]["Role"]) == (group, "/bucket/team", ROLE)
    assert a["Access"]["PosixProfile"] == {"Uid": 2000, "Gid": 2000}
    assert code(transfer.create_access, ServerId=sid, ExternalId=group, Role=ROLE) == "ResourceExistsException"
    transfer.update_access(ServerId=sid, ExternalId=group, HomeDirectoryType="LOGICAL",
                           HomeDirectoryMappings=[{"Entry": "/", "Target": "/bucket/team"}])
    listed = transfer.list_accesses(ServerId=sid)["Accesses"]
    assert [(x["ExternalId"], x["HomeDirectoryType"]) for x in listed] == [(group, "LOGICAL")]
    transfer.delete_access(ServerId=sid, ExternalId=group)
    assert code(transfer.describe_access, ServerId=sid, ExternalId=group) == "ResourceNotFoundException"
    managed = transfer.create_server()["ServerId"]
    assert code(transfer.create_access, ServerId=managed, ExternalId=group, Role=ROLE) == "InvalidRequestException"
