"""DataSync agents, activated as AWS documents it: an appliance (`landbridge world
datasync-agent`) answers curl with an activation key, CreateAgent takes the key, and the
agent is ONLINE while its appliance runs."""

from __future__ import annotations

import json
import subprocess

import pytest
from botocore.exceptions import ClientError

from harness.landbridge import landbridge_binary

from .test_datasync import ds  # noqa: F401  (fixture)


def world(landbridge, *args: str) -> dict:
    """`landbridge world ...` against the shared server; its JSON answer."""
    out = subprocess.run(
        [str(landbridge_binary()), "world", *args, "--endpoint", landbridge.url],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(out.stdout)


def curl_activation(address: str, port: int, region: str, no_redirect: bool = True) -> subprocess.CompletedProcess:
    host = address if port == 80 else f"{address}:{port}"
    url = f"http://{host}/?gatewayType=SYNC&activationRegion={region}" + ("&no_redirect" if no_redirect else "")
    return subprocess.run(
        ["curl", "-sS", "--max-time", "10", "-w", "\n%{http_code} %{redirect_url}", url],
        capture_output=True,
        text=True,
        timeout=30,
    )


def key_from(done: subprocess.CompletedProcess) -> str:
    body, status = done.stdout.rsplit("\n", 1)
    assert status.startswith("200"), done.stdout + done.stderr
    return body.strip()


def test_appliance_activation_key_creates_an_online_agent(landbridge, ds):
    appliance = world(landbridge, "datasync-agent")
    address, port = appliance["address"], appliance["port"]
    endpoints = landbridge.raw_request("GET", "/_landbridge/endpoints")
    assert {"resource_id": "datasync-agent-appliance", "protocol": "http", "address": address, "port": port} in json.loads(
        endpoints.body
    )["endpoints"]

    key = key_from(curl_activation(address, port, "us-east-1"))
    assert len(key) == 29 and key.count("-") == 4, key
    arn = ds.create_agent(ActivationKey=key, AgentName="on-prem-1", Tags=[{"Key": "site", "Value": "lab"}])["AgentArn"]
    assert arn.startswith("arn:aws:datasync:us-east-1:000000000000:agent/agent-")
    described = ds.describe_agent(AgentArn=arn)
    assert (described["Name"], described["Status"], described["EndpointType"]) == ("on-prem-1", "ONLINE", "PUBLIC")
    assert "CreationTime" in described and "LastConnectionTime" in described
    assert {"AgentArn": arn, "Name": "on-prem-1", "Status": "ONLINE"}.items() <= next(
        a for a in ds.list_agents()["Agents"] if a["AgentArn"] == arn
    ).items()
    assert ds.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "site", "Value": "lab"}]

    # A key works once.
    with pytest.raises(ClientError) as err:
        ds.create_agent(ActivationKey=key)
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"

    # The appliance stopped: the agent is OFFLINE, and back ONLINE when it runs again.
    world(landbridge, "datasync-agent", "stop", address)
    assert ds.describe_agent(AgentArn=arn)["Status"] == "OFFLINE"
    assert curl_activation(address, port, "us-east-1").returncode != 0
    world(landbridge, "datasync-agent", "start", address)
    assert ds.describe_agent(AgentArn=arn)["Status"] == "ONLINE"

    ds.update_agent(AgentArn=arn, Name="renamed")
    assert ds.describe_agent(AgentArn=arn)["Name"] == "renamed"
    ds.delete_agent(AgentArn=arn)
    with pytest.raises(ClientError) as err:
        ds.describe_agent(AgentArn=arn)
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"


def test_activation_keys_belong_to_their_appliance_and_region(landbridge, ds, client):
    appliance = world(landbridge, "datasync-agent")
    address, port = appliance["address"], appliance["port"]
    # Without no_redirect the appliance redirects to the console with the key, as a
    # real agent does for a browser.
    redirected = curl_activation(address, port, "eu-west-1", no_redirect=False)
    status, location = redirected.stdout.rsplit("\n", 1)[1].split(" ", 1)
    assert status == "302" and "activationKey=" in location, redirected.stdout
    eu_key = location.split("activationKey=")[1].split("&")[0]
    # Issued for eu-west-1: refused in us-east-1, accepted in eu-west-1.
    with pytest.raises(ClientError) as err:
        ds.create_agent(ActivationKey=eu_key)
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    assert client("datasync", region="eu-west-1").create_agent(ActivationKey=eu_key)["AgentArn"].startswith(
        "arn:aws:datasync:eu-west-1:"
    )
    # A key no appliance issued, and questions the appliance does not answer.
    with pytest.raises(ClientError) as err:
        ds.create_agent(ActivationKey="AAAAA-BBBBB-CCCCC-DDDDD-EEEEE")
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    for query in ["gatewayType=FILE_S3&activationRegion=us-east-1", "gatewayType=SYNC&activationRegion=nowhere"]:
        done = subprocess.run(
            ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", f"http://{address}:{port}/?{query}&no_redirect"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.stdout == "400", (query, done.stdout, done.stderr)
    listed = world(landbridge, "datasync-agent", "list")["appliances"]
    assert {"address": address, "port": port, "state": "running"}.items() <= next(
        a for a in listed if a["address"] == address
    ).items()


def test_agents_survive_a_restart_online(fresh_landbridge, tmp_path):
    import boto3

    server = fresh_landbridge(data_dir=tmp_path / "d")
    appliance = world(server, "datasync-agent")
    key = key_from(curl_activation(appliance["address"], appliance["port"], "us-east-1"))

    def datasync(url):
        return boto3.client(
            "datasync",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    arn = datasync(server.url).create_agent(ActivationKey=key)["AgentArn"]
    server.stop()
    server = fresh_landbridge(data_dir=tmp_path / "d")
    # The appliance came back on its address and port: the agent is ONLINE again.
    assert datasync(server.url).describe_agent(AgentArn=arn)["Status"] == "ONLINE"
    assert curl_activation(appliance["address"], appliance["port"], "us-east-1").stdout.endswith("200 ")
