"""Nothing acknowledged is lost, nothing half-written is visible: `kill -9` under load.

A writer issues CreateVpc requests back to back against a server with a persistent data
directory; the server is killed with SIGKILL at a random moment; a new server starts on
the same directory. Then:

- every CreateVpc that was answered 200 is there, with the tag it was created with;
- the one request in flight when the server died ("not acknowledged") may or may not
  have happened, but nothing else appeared;
- every VPC is whole: exactly one main route table, one default network ACL, one default
  security group, and its tags; and every account has exactly one default VPC.

Twenty rounds, each killing the server the previous round restarted; at the end every
acknowledged VPC of every round is checked again.
"""

from __future__ import annotations

import collections
import functools
import http.client
import os
import random
import signal
import threading
from dataclasses import dataclass, field

import boto3
import pytest
from botocore.config import Config

from harness.landbridge import form_body, parse_aws_error, parse_xml, raw_request, sigv4_headers, xml_find_text

ROUNDS = 20
SEED = 20_240_611
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
KILL_DELAY = (0.0, 0.4)  # seconds after the writer's first request; bounded
REQUEST_TIMEOUT = 10.0
MAX_WRITES_PER_ROUND = 1000  # a bound on the writer even if the kill comes late (~800 writes/s in a debug build)


def new_account(rng: random.Random) -> str:
    return str(rng.randrange(200_000_000_000, 999_999_999_999))


@dataclass
class Writer:
    """Sends CreateVpc until the connection fails; records what the server acknowledged."""

    port: int
    round_no: int
    rng: random.Random
    acked: list = field(default_factory=list)  # (account, vpc_id, name)
    in_doubt: list = field(default_factory=list)  # (account, name): sent, no answer
    accounts: list = field(default_factory=list)
    unexpected: list = field(default_factory=list)
    first_request: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        account = new_account(self.rng)
        self.accounts.append(account)
        for i in range(MAX_WRITES_PER_ROUND):
            name = f"durability-r{self.round_no}-{i}"
            body = form_body({
                "Action": "CreateVpc",
                "Version": "2016-11-15",
                "CidrBlock": "10.0.0.0/16",
                "TagSpecification.1.ResourceType": "vpc",
                "TagSpecification.1.Tag.1.Key": "Name",
                "TagSpecification.1.Tag.1.Value": name,
            })
            headers = sigv4_headers(f"http://127.0.0.1:{self.port}/", body, FORM, "ec2", "us-east-1", account)
            self.first_request.set()
            try:
                resp = raw_request(self.port, "POST", "/", body, headers, timeout=REQUEST_TIMEOUT)
            except (OSError, http.client.HTTPException):
                self.in_doubt.append((account, name))
                return
            if resp.status == 200:
                vpc_id = xml_find_text(parse_xml(resp.body), "vpcId")
                if not vpc_id:
                    self.unexpected.append((name, resp.status, resp.body[:500]))
                    return
                self.acked.append((account, vpc_id, name))
                continue
            code = parse_aws_error(resp).code if resp.status < 500 else None
            if resp.status == 400 and code == "VpcLimitExceeded":
                # AWS's default quota is 5 VPCs per region: carry on in a fresh account.
                account = new_account(self.rng)
                self.accounts.append(account)
                continue
            self.unexpected.append((name, resp.status, resp.body[:500]))
            return
        self.first_request.set()


@functools.cache
def _session() -> boto3.session.Session:
    """One session for all clients, so the EC2 model is loaded once (made inside the test,
    under the suite's isolated AWS environment)."""
    return boto3.session.Session(region_name="us-east-1")


def ec2_client(url: str, account: str):
    config = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=60)
    return _session().client(
        "ec2", endpoint_url=url, config=config, aws_access_key_id=account, aws_secret_access_key="test"
    )


def paginate(ec2, operation: str, key: str, **params) -> list[dict]:
    items = []
    for page in ec2.get_paginator(operation).paginate(PaginationConfig={"PageSize": 100}, **params):
        items.extend(page[key])
    return items


def check_account(url: str, account: str, acked: list, in_doubt: list) -> None:
    """`acked`: [(vpc_id, name)] answered 200; `in_doubt`: [name] sent without an answer."""
    ec2 = ec2_client(url, account)
    vpcs = paginate(ec2, "describe_vpcs", "Vpcs")
    by_id = {v["VpcId"]: v for v in vpcs}
    assert len(by_id) == len(vpcs), f"{account}: a VPC listed twice"

    defaults = [v for v in vpcs if v["IsDefault"]]
    assert len(defaults) == 1, f"{account}: {len(defaults)} default VPCs"

    # Everything acknowledged is there, by id too, with the tag it was created with.
    for vpc_id, name in acked:
        assert vpc_id in by_id, f"{account}: acknowledged {vpc_id} ({name}) is gone"
        assert {t["Key"]: t["Value"] for t in by_id[vpc_id].get("Tags", [])} == {"Name": name}, by_id[vpc_id]
    if acked:
        ids = [vpc_id for vpc_id, _ in acked]
        for start in range(0, len(ids), 100):
            found = ec2.describe_vpcs(VpcIds=ids[start:start + 100])["Vpcs"]
            assert sorted(v["VpcId"] for v in found) == sorted(ids[start:start + 100])

    # Nothing appeared that was not asked for; an unanswered request is whole or absent.
    acked_ids = {vpc_id for vpc_id, _ in acked}
    extra = [v for v in vpcs if not v["IsDefault"] and v["VpcId"] not in acked_ids]
    allowed = set(in_doubt)
    for v in extra:
        name = {t["Key"]: t["Value"] for t in v.get("Tags", [])}.get("Name")
        assert name in allowed, f"{account}: unexpected VPC {v} (in doubt: {sorted(allowed)})"
        allowed.discard(name)

    # Every VPC is whole.
    mains = collections.Counter(
        t["VpcId"] for t in paginate(ec2, "describe_route_tables", "RouteTables", Filters=[{"Name": "association.main", "Values": ["true"]}])
    )
    acls = collections.Counter(
        a["VpcId"] for a in paginate(ec2, "describe_network_acls", "NetworkAcls", Filters=[{"Name": "default", "Values": ["true"]}])
    )
    groups = collections.Counter(
        g["VpcId"] for g in paginate(ec2, "describe_security_groups", "SecurityGroups", Filters=[{"Name": "group-name", "Values": ["default"]}])
    )
    for what, counter in (("main route table", mains), ("default network ACL", acls), ("default security group", groups)):
        wrong = {vpc_id: counter.get(vpc_id, 0) for vpc_id in by_id if counter.get(vpc_id, 0) != 1}
        assert not wrong, f"{account}: VPCs without exactly one {what}: {wrong}"
        orphans = set(counter) - set(by_id)
        assert not orphans, f"{account}: {what} of VPCs that do not exist: {orphans}"


@pytest.mark.deadline(300)
def test_kill_9_loses_nothing_acknowledged(fresh_landbridge, tmp_path):
    rng = random.Random(SEED)
    data_dir = tmp_path / "state"
    server = fresh_landbridge(data_dir=data_dir)
    history: dict[str, dict] = collections.defaultdict(lambda: {"acked": [], "in_doubt": []})
    total_acked = 0

    for round_no in range(ROUNDS):
        writer = Writer(server.port, round_no, random.Random(rng.random()))
        thread = threading.Thread(target=writer.run, name=f"writer-{round_no}", daemon=True)
        thread.start()
        assert writer.first_request.wait(timeout=30), "the writer never started"
        delay = rng.uniform(*KILL_DELAY)
        killed = threading.Event()
        # The kill moment is the variable under test, not a wait for a condition.
        def kill(pid=server.pid):
            os.kill(pid, signal.SIGKILL)  # the child is not reaped yet, so the PID is still ours
            killed.set()

        timer = threading.Timer(delay, kill)
        timer.start()
        thread.join(timeout=REQUEST_TIMEOUT * 3 + delay)
        timer.join(timeout=5)
        assert not thread.is_alive(), "the writer did not notice the server's death"
        assert not writer.unexpected, f"round {round_no}: unexpected answers {writer.unexpected}"
        if not killed.is_set():
            kill()  # the timer did not fire (it cannot be late by 5 s, but be sure)
        status = server.stop()
        assert status == -signal.SIGKILL, (
            f"round {round_no}: the server ended with {status}, not our SIGKILL; stderr:\n{server.stderr_tail()}"
        )

        for account, vpc_id, name in writer.acked:
            history[account]["acked"].append((vpc_id, name))
        for account, name in writer.in_doubt:
            history[account]["in_doubt"].append(name)
        total_acked += len(writer.acked)

        server = fresh_landbridge(data_dir=data_dir)
        for account in writer.accounts:
            check_account(server.url, account, history[account]["acked"], history[account]["in_doubt"])

    # After twenty crashes, everything from every round is still there and whole.
    for account, record in history.items():
        check_account(server.url, account, record["acked"], record["in_doubt"])
    assert total_acked > 0, "no CreateVpc was ever acknowledged: the test tested nothing"
