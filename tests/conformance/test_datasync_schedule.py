"""DataSync schedules that really start executions. Schedules run at most hourly, so the
test moves Landbridge's clock forward (`POST /_landbridge/clock`) instead of waiting an
hour; that is why it has a server of its own."""

from __future__ import annotations

import json
import time

import pytest

from .conftest import start_server
from .test_datasync import bucket, location, ds, s3  # noqa: F401  (fixtures)
from .test_datasync_agents import world


@pytest.fixture(scope="module")
def landbridge():
    """A server of this module's own: its clock is moved forward."""
    server = start_server()
    try:
        yield server
    finally:
        server.close()


def advance(landbridge, seconds: float) -> dict:
    answer = landbridge.raw_request(
        "POST", "/_landbridge/clock", body=json.dumps({"advanceSeconds": seconds}).encode()
    )
    assert answer.status == 200, answer.body
    return json.loads(answer.body)


def executions(ds, task: str) -> list[dict]:
    return ds.list_task_executions(TaskArn=task)["TaskExecutions"]


def test_the_clock_only_moves_forward(landbridge):
    before = json.loads(landbridge.raw_request("GET", "/_landbridge/clock").body)
    moved = advance(landbridge, 60)
    assert moved["offsetSeconds"] == pytest.approx(before["offsetSeconds"] + 60)
    assert moved["now"] > before["now"]
    # The same through the command line, with units.
    assert world(landbridge, "clock", "advance", "2m")["offsetSeconds"] == pytest.approx(moved["offsetSeconds"] + 120)
    assert world(landbridge, "clock")["offsetSeconds"] == pytest.approx(moved["offsetSeconds"] + 120)
    for bad in [b'{"advanceSeconds": -5}', b'{"advanceSeconds": 0}', b"{}", b"not json"]:
        assert landbridge.raw_request("POST", "/_landbridge/clock", body=bad).status == 400


def test_an_hourly_schedule_starts_an_execution_when_the_hour_comes(landbridge, ds, s3):
    src, dst = bucket(s3), bucket(s3)
    s3.put_object(Bucket=src, Key="report.csv", Body=b"a,b\n1,2\n")
    task = ds.create_task(
        SourceLocationArn=location(ds, src, "/"),
        DestinationLocationArn=location(ds, dst, "/"),
        Schedule={"ScheduleExpression": "rate(1 hour)"},
    )["TaskArn"]
    assert executions(ds, task) == []
    # The hour comes: the scheduler starts an execution, which copies the bucket.
    advance(landbridge, 3600 + 60)
    deadline = time.monotonic() + 90
    while not executions(ds, task) and time.monotonic() < deadline:
        time.sleep(0.2)
    (started,) = executions(ds, task)
    while time.monotonic() < deadline:
        d = ds.describe_task_execution(TaskExecutionArn=started["TaskExecutionArn"])
        if d["Status"] in ("SUCCESS", "ERROR"):
            break
        time.sleep(0.2)
    assert d["Status"] == "SUCCESS", d
    assert s3.get_object(Bucket=dst, Key="report.csv")["Body"].read() == b"a,b\n1,2\n"

    # A disabled schedule starts nothing, however long it waits.
    ds.update_task(TaskArn=task, Schedule={"ScheduleExpression": "rate(1 hour)", "Status": "DISABLED"})
    advance(landbridge, 3 * 3600)
    # An execution the scheduler would start appears within one look; a later
    # enabled task proves a look has happened since the clock moved.
    probe = ds.create_task(
        SourceLocationArn=location(ds, src, "/"),
        DestinationLocationArn=location(ds, bucket(s3), "/"),
        Schedule={"ScheduleExpression": "rate(1 hour)"},
    )["TaskArn"]
    advance(landbridge, 3600 + 60)
    deadline = time.monotonic() + 90
    while not executions(ds, probe) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(executions(ds, probe)) == 1
    assert len(executions(ds, task)) == 1


def test_the_clock_runs_at_most_a_hundred_years_ahead(landbridge):
    """Last in the module: it leaves this server's clock decades ahead."""
    year = 365 * 86_400
    ahead = json.loads(landbridge.raw_request("GET", "/_landbridge/clock").body)["offsetSeconds"]
    advance(landbridge, 99 * year - ahead - 3600)
    refused = landbridge.raw_request("POST", "/_landbridge/clock", body=b'{"advanceSeconds": 63072000}')
    assert refused.status == 400 and b"hundred years" in refused.body
    now = json.loads(landbridge.raw_request("GET", "/_landbridge/clock").body)
    assert now["offsetSeconds"] == pytest.approx(99 * year - 3600)
    assert now["now"].startswith("21")  # the twenty-second century, still written
