"""DataSync: S3 locations, tasks and executions that really copy S3 to S3, verify, and
count, through boto3 (botocore speaks RPC v2 CBOR or JSON 1.1 to it, whichever it
prefers) and the AWS CLI."""

from __future__ import annotations

import os
import time
import uuid

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::000000000000:role/datasync-s3"


@pytest.fixture
def ds(client):
    return client("datasync")


@pytest.fixture
def s3(client):
    return client("s3")


def bucket(s3) -> str:
    name = f"ds-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def location(ds, name: str, sub: str) -> str:
    return ds.create_location_s3(
        S3BucketArn=f"arn:aws:s3:::{name}", Subdirectory=sub, S3Config={"BucketAccessRoleArn": ROLE}
    )["LocationArn"]


def run(ds, task: str, **overrides) -> dict:
    """Starts an execution with these option overrides and follows it to its end."""
    return run_with(ds, task, **({"OverrideOptions": overrides} if overrides else {}))


def error_code(exc: ClientError) -> str:
    return exc.response["Error"]["Code"]


def test_s3_to_s3_copies_verifies_and_transfers_only_changes(ds, s3):
    src, dst = bucket(s3), bucket(s3)
    files = {
        "a.txt": b"alpha",
        "dir/b.bin": os.urandom(300 * 1024),
        "dir/deeper/empty": b"",
        "\u00fcber \u2713.txt": "unicode".encode(),
    }
    for key, body in files.items():
        s3.put_object(Bucket=src, Key=f"data/{key}", Body=body)
    s3.put_object(Bucket=src, Key="elsewhere/ignored", Body=b"not under the subdirectory")

    source = location(ds, src, "/data")
    destination = location(ds, dst, "/backup/")
    assert ds.describe_location_s3(LocationArn=source)["LocationUri"] == f"s3://{src}/data/"
    task = ds.create_task(SourceLocationArn=source, DestinationLocationArn=destination, Name="nightly")["TaskArn"]
    described = ds.describe_task(TaskArn=task)
    assert (described["Status"], described["Name"]) == ("AVAILABLE", "nightly")
    assert described["Options"]["VerifyMode"] == "POINT_IN_TIME_CONSISTENT"

    first = run(ds, task)
    assert first["Status"] == "SUCCESS", first.get("Result")
    assert first["TaskExecutionArn"].startswith(f"{task}/execution/exec-")
    assert (first["FilesTransferred"], first["BytesTransferred"]) == (4, sum(map(len, files.values())))
    assert (first["EstimatedFilesToTransfer"], first["FilesVerified"]) == (4, 4)
    result = first["Result"]
    assert [result["PrepareStatus"], result["TransferStatus"], result["VerifyStatus"]] == ["SUCCESS"] * 3
    for key, body in files.items():
        assert s3.get_object(Bucket=dst, Key=f"backup/{key}")["Body"].read() == body
    listed = s3.list_objects_v2(Bucket=dst)["Contents"]
    assert sorted(o["Key"] for o in listed) == sorted(f"backup/{k}" for k in files)

    # Nothing changed: nothing moves.
    second = run(ds, task)
    assert (second["Status"], second["FilesTransferred"], second["FilesSkipped"]) == ("SUCCESS", 0, 4)

    # One file changed, one removed at the source: CHANGED copies one; REMOVE deletes one.
    s3.put_object(Bucket=src, Key="data/a.txt", Body=b"alpha, edited")
    s3.delete_object(Bucket=src, Key="data/dir/deeper/empty")
    third = run(ds, task, PreserveDeletedFiles="REMOVE")
    assert (third["Status"], third["FilesTransferred"], third["FilesDeleted"]) == ("SUCCESS", 1, 1)
    assert s3.get_object(Bucket=dst, Key="backup/a.txt")["Body"].read() == b"alpha, edited"
    with pytest.raises(ClientError):
        s3.head_object(Bucket=dst, Key="backup/dir/deeper/empty")

    # ALL copies everything again.
    assert run(ds, task, TransferMode="ALL")["FilesTransferred"] == 3

    history = ds.list_task_executions(TaskArn=task)["TaskExecutions"]
    assert [h["Status"] for h in history] == ["SUCCESS"] * 4
    assert ds.describe_task(TaskArn=task)["Status"] == "AVAILABLE"


def test_overwrite_never_keeps_what_the_destination_has(ds, s3):
    src, dst = bucket(s3), bucket(s3)
    s3.put_object(Bucket=src, Key="f", Body=b"new")
    s3.put_object(Bucket=dst, Key="f", Body=b"old")
    task = ds.create_task(
        SourceLocationArn=location(ds, src, "/"),
        DestinationLocationArn=location(ds, dst, "/"),
        Options={"OverwriteMode": "NEVER", "VerifyMode": "ONLY_FILES_TRANSFERRED"},
    )["TaskArn"]
    e = run(ds, task)
    assert (e["Status"], e["FilesTransferred"], e["FilesSkipped"]) == ("SUCCESS", 0, 1)
    assert s3.get_object(Bucket=dst, Key="f")["Body"].read() == b"old"


def test_lists_filters_and_errors(ds, s3):
    src, dst = bucket(s3), bucket(s3)
    source, destination = location(ds, src, "in"), location(ds, dst, "out")
    task = ds.create_task(SourceLocationArn=source, DestinationLocationArn=destination)["TaskArn"]

    found = ds.list_locations(Filters=[{"Name": "LocationUri", "Values": [f"s3://{src}"], "Operator": "BeginsWith"}])
    assert [l["LocationArn"] for l in found["Locations"]] == [source]
    typed = ds.list_locations(Filters=[{"Name": "LocationType", "Values": ["S3"], "Operator": "Equals"}])["Locations"]
    assert {source, destination} <= {l["LocationArn"] for l in typed}
    by_location = ds.list_tasks(Filters=[{"Name": "LocationId", "Values": [destination], "Operator": "Equals"}])
    assert [t["TaskArn"] for t in by_location["Tasks"]] == [task]
    page = ds.list_locations(MaxResults=1)
    assert len(page["Locations"]) == 1 and "NextToken" in page

    missing_task = task.rsplit("/", 1)[0] + "/task-0123456789abcdef0"
    missing_agent = task.split(":task/")[0] + ":agent/agent-0123456789abcdef0"
    # Tools tell "missing" from other errors by the message: Terraform looks for
    # "not found" (locations, tasks) and "does not exist" (agents).
    cases = [
        (lambda: ds.describe_task(TaskArn=missing_task), "not found"),
        (lambda: ds.delete_task(TaskArn=missing_task), "not found"),
        (lambda: ds.describe_agent(AgentArn=missing_agent), "does not exist"),
        (lambda: ds.create_location_s3(
            S3BucketArn="arn:aws:s3:::no-such-bucket-here", S3Config={"BucketAccessRoleArn": ROLE}
        ), "no-such-bucket-here"),
        (lambda: ds.create_task(SourceLocationArn=source, DestinationLocationArn=source), "differ"),
        (lambda: ds.start_task_execution(
            TaskArn=task, OverrideOptions={"TransferMode": "ALL", "PreserveDeletedFiles": "REMOVE"}
        ), "Invalid SyncOption value. Option: TransferMode,PreserveDeletedFiles, Value: ALL,REMOVE."),
        (lambda: ds.describe_location_s3(LocationArn=source.rsplit("/", 1)[0] + "/loc-0123456789abcdef0"), "not found"),
        (lambda: ds.delete_location(LocationArn=source.rsplit("/", 1)[0] + "/loc-0123456789abcdef0"), "not found"),
    ]
    for call, words in cases:
        with pytest.raises(ClientError) as exc:
            call()
        assert error_code(exc.value) == "InvalidRequestException", exc.value.response
        assert words in exc.value.response["Error"]["Message"], exc.value.response

    done = run(ds, task)
    with pytest.raises(ClientError) as exc:
        ds.cancel_task_execution(TaskExecutionArn=done["TaskExecutionArn"])
    assert error_code(exc.value) == "InvalidRequestException"

    ds.delete_task(TaskArn=task)
    ds.delete_location(LocationArn=source)
    with pytest.raises(ClientError) as exc:
        ds.describe_task(TaskArn=task)
    assert error_code(exc.value) == "InvalidRequestException"


def test_the_cli_lists_locations(aws, ds, s3):
    arn = location(ds, bucket(s3), "cli")
    out = aws("datasync", "list-locations")
    assert arn in [l["LocationArn"] for l in out["Locations"]]


def test_filters_pick_what_moves(ds, s3):
    src, dst = bucket(s3), bucket(s3)
    for key in ["keep/a.txt", "keep/b.tmp", "keep/sub/c.txt", "skip/d.txt", "top.txt"]:
        s3.put_object(Bucket=src, Key=key, Body=key.encode())
    task = ds.create_task(
        SourceLocationArn=location(ds, src, "/"),
        DestinationLocationArn=location(ds, dst, "/"),
        Includes=[{"FilterType": "SIMPLE_PATTERN", "Value": "/keep|/top.txt"}],
        Excludes=[{"FilterType": "SIMPLE_PATTERN", "Value": "*.tmp"}],
    )["TaskArn"]
    described = ds.describe_task(TaskArn=task)
    assert described["Includes"] == [{"FilterType": "SIMPLE_PATTERN", "Value": "/keep|/top.txt"}]
    e = run(ds, task)
    assert (e["Status"], e["FilesTransferred"]) == ("SUCCESS", 3)
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=dst)["Contents"])
    assert keys == ["keep/a.txt", "keep/sub/c.txt", "top.txt"]

    # An execution's own filters replace the task's.
    e = run_with(ds, task, Includes=[{"FilterType": "SIMPLE_PATTERN", "Value": "/skip"}])
    assert (e["Status"], e["FilesTransferred"]) == ("SUCCESS", 1)


def run_with(ds, task: str, deadline: float = 60, **kwargs) -> dict:
    """Starts an execution (StartTaskExecution's arguments) and follows it to its end,
    within `deadline` seconds."""
    arn = ds.start_task_execution(TaskArn=task, **kwargs)["TaskExecutionArn"]
    deadline = time.monotonic() + deadline
    while time.monotonic() < deadline:
        e = ds.describe_task_execution(TaskExecutionArn=arn)
        if e["Status"] in ("SUCCESS", "ERROR"):
            return e
        time.sleep(0.05)
    raise AssertionError(f"{arn} did not finish")


def test_tags(ds, s3):
    arn = ds.create_location_s3(
        S3BucketArn=f"arn:aws:s3:::{bucket(s3)}",
        S3Config={"BucketAccessRoleArn": ROLE},
        Tags=[{"Key": "team", "Value": "net"}],
    )["LocationArn"]
    ds.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "test"}])
    assert ds.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "env", "Value": "test"},
        {"Key": "team", "Value": "net"},
    ]
    ds.untag_resource(ResourceArn=arn, Keys=["team"])
    assert ds.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "test"}]
    with pytest.raises(ClientError) as exc:
        ds.tag_resource(ResourceArn=arn, Tags=[{"Key": "aws:reserved", "Value": "x"}])
    assert error_code(exc.value) == "InvalidRequestException"


def test_updates_a_location_and_a_running_executions_bandwidth(ds, s3):
    src, dst = bucket(s3), bucket(s3)
    s3.put_object(Bucket=src, Key="big", Body=os.urandom(256 * 1024))
    source = location(ds, src, "/old")
    ds.update_location_s3(LocationArn=source, Subdirectory="/")
    assert ds.describe_location_s3(LocationArn=source)["LocationUri"] == f"s3://{src}/"
    task = ds.create_task(SourceLocationArn=source, DestinationLocationArn=location(ds, dst, "/"))["TaskArn"]

    # At 1 KiB/s this would take minutes; lifting the limit lets it finish now.
    arn = ds.start_task_execution(TaskArn=task, OverrideOptions={"BytesPerSecond": 1024})["TaskExecutionArn"]
    deadline = time.monotonic() + 30
    while ds.describe_task_execution(TaskExecutionArn=arn)["FilesTransferred"] < 1:
        assert time.monotonic() < deadline, "the copy did not start"
        time.sleep(0.05)
    assert ds.describe_task_execution(TaskExecutionArn=arn)["Status"] == "TRANSFERRING"
    assert ds.describe_task(TaskArn=task)["Status"] == "RUNNING"
    with pytest.raises(ClientError) as exc:
        ds.update_task_execution(TaskExecutionArn=arn, Options={"VerifyMode": "NONE"})
    assert error_code(exc.value) == "InvalidRequestException"
    ds.update_task_execution(TaskExecutionArn=arn, Options={"BytesPerSecond": -1})
    deadline = time.monotonic() + 30
    while (e := ds.describe_task_execution(TaskExecutionArn=arn))["Status"] not in ("SUCCESS", "ERROR"):
        assert time.monotonic() < deadline, e
        time.sleep(0.05)
    assert (e["Status"], e["Options"]["BytesPerSecond"]) == ("SUCCESS", -1)


def test_cancelling_a_running_and_a_queued_execution(ds, s3):
    src, dst = bucket(s3), bucket(s3)
    s3.put_object(Bucket=src, Key="slow-1", Body=os.urandom(64 * 1024))
    s3.put_object(Bucket=src, Key="slow-2", Body=os.urandom(64 * 1024))
    task = ds.create_task(SourceLocationArn=location(ds, src, "/"), DestinationLocationArn=location(ds, dst, "/"))["TaskArn"]
    running = ds.start_task_execution(TaskArn=task, OverrideOptions={"BytesPerSecond": 1024})["TaskExecutionArn"]
    queued = ds.start_task_execution(TaskArn=task)["TaskExecutionArn"]
    deadline = time.monotonic() + 30
    while ds.describe_task_execution(TaskExecutionArn=running)["FilesTransferred"] < 1:
        assert time.monotonic() < deadline, "the copy did not start"
        time.sleep(0.05)
    assert ds.describe_task_execution(TaskExecutionArn=queued)["Status"] == "QUEUED"
    assert ds.describe_task(TaskArn=task)["Status"] == "RUNNING"

    ds.cancel_task_execution(TaskExecutionArn=queued)
    ds.cancel_task_execution(TaskExecutionArn=running)
    deadline = time.monotonic() + 30
    while (e := ds.describe_task_execution(TaskExecutionArn=running))["Status"] != "ERROR":
        assert time.monotonic() < deadline, e
        time.sleep(0.05)
    assert e["Result"]["ErrorCode"] == "OpCancelled"
    assert e["FilesTransferred"] == 1  # stopped before the second file
    q = ds.describe_task_execution(TaskExecutionArn=queued)
    assert (q["Status"], q["FilesTransferred"]) == ("ERROR", 0)
    with pytest.raises(ClientError):
        s3.head_object(Bucket=dst, Key="slow-2")
    assert ds.describe_task(TaskArn=task)["Status"] == "AVAILABLE"


def test_object_tags_follow_the_objecttags_option(ds, s3):
    src, kept, untagged = bucket(s3), bucket(s3), bucket(s3)
    s3.put_object(Bucket=src, Key="invoice.pdf", Body=b"%PDF-1.7", Tagging="class=finance&retain=7y")
    tags = lambda name: {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=name, Key="invoice.pdf")["TagSet"]}  # noqa: E731

    task = ds.create_task(SourceLocationArn=location(ds, src, "/"), DestinationLocationArn=location(ds, kept, "/"))["TaskArn"]
    assert ds.describe_task(TaskArn=task)["Options"]["ObjectTags"] == "PRESERVE"
    assert run(ds, task)["Status"] == "SUCCESS"
    assert tags(kept) == {"class": "finance", "retain": "7y"}

    task = ds.create_task(
        SourceLocationArn=location(ds, src, "/"), DestinationLocationArn=location(ds, untagged, "/"),
        Options={"ObjectTags": "NONE"},
    )["TaskArn"]
    assert run(ds, task)["Status"] == "SUCCESS"
    assert s3.get_object(Bucket=untagged, Key="invoice.pdf")["Body"].read() == b"%PDF-1.7"
    assert tags(untagged) == {}
