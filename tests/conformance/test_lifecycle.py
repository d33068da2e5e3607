"""`--lifecycle realistic`: asynchronous resources go through AWS's states in AWS's order,
with delays scaled by `--time-scale`, and a resource caught mid-transition by a restart
carries on from where it was. Waiting uses botocore's own waiters, as users do."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config


def ec2_client(server, account="123456789012"):
    session = boto3.session.Session(aws_access_key_id=account, aws_secret_access_key="test", region_name="us-east-1")
    cfg = Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=30)
    return session.client("ec2", endpoint_url=server.url, config=cfg)


def vpc_state(ec2, vpc_id):
    return ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["State"]


def test_health_reports_the_lifecycle(fresh_landbridge):
    server = fresh_landbridge(extra_args=("--lifecycle", "realistic", "--time-scale", "0.5"))
    status, _, body = server.raw_request("GET", "/_landbridge/health")
    assert status == 200
    assert json.loads(body)["lifecycle"] == {"mode": "realistic", "time_scale": 0.5}


def test_instant_is_the_default(client):
    ec2 = client("ec2", access_key="210987654321")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]
    assert vpc["State"] == "available"
    assert vpc["CidrBlockAssociationSet"][0]["CidrBlockState"]["State"] == "associated"


@pytest.mark.deadline(120)
def test_realistic_vpc_is_pending_then_available(fresh_landbridge):
    # AWS keeps a new VPC pending for about a second; scaled by 3 here.
    server = fresh_landbridge(extra_args=("--lifecycle", "realistic", "--time-scale", "3"))
    ec2 = ec2_client(server)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    assert vpc["State"] == "pending"
    assert vpc["CidrBlockAssociationSet"][0]["CidrBlockState"]["State"] == "associating"
    pending = ec2.describe_vpcs(Filters=[{"Name": "state", "Values": ["pending"]}])["Vpcs"]
    assert [v["VpcId"] for v in pending] == [vpc["VpcId"]]
    # The default VPC existed before anyone asked: never pending.
    default = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert [v["State"] for v in default] == ["available"]

    ec2.get_waiter("vpc_available").wait(VpcIds=[vpc["VpcId"]], WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    assert vpc_state(ec2, vpc["VpcId"]) == "available"


@pytest.mark.deadline(120)
def test_a_restart_resumes_a_transition(fresh_landbridge, tmp_path):
    """The transition's start is stored: after a restart the VPC is still where its
    clock says, and it completes by that same clock (here sped up by restarting with
    a smaller time scale), not from scratch."""
    data_dir = tmp_path / "state"
    slow = ("--lifecycle", "realistic", "--time-scale", "600")  # pending for ten minutes
    first = fresh_landbridge(data_dir=data_dir, extra_args=slow)
    vpc_id = ec2_client(first).create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    assert first.stop(term_timeout=10) == 0, first.stderr_tail()

    second = fresh_landbridge(data_dir=data_dir, extra_args=slow)
    assert vpc_state(ec2_client(second), vpc_id) == "pending", "the transition restarted or jumped ahead"
    assert second.stop(term_timeout=10) == 0, second.stderr_tail()

    fast = fresh_landbridge(data_dir=data_dir, extra_args=("--lifecycle", "realistic", "--time-scale", "0"))
    assert vpc_state(ec2_client(fast), vpc_id) == "available"
