"""DataSync task reports written to S3, files that fail (retried, counted, reported,
and the execution in ERROR while the others still move), and task schedules."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from .test_datasync import ROLE, bucket, location, run_with
from .test_datasync_agents import world
from .test_datasync_files import ds, s3  # noqa: F401  (fixtures)


def report_config(name: str, output: str = "STANDARD", level: str = "SUCCESSES_AND_ERRORS", **extra) -> dict:
    return {
        "Destination": {"S3": {"S3BucketArn": f"arn:aws:s3:::{name}", "Subdirectory": "reports", "BucketAccessRoleArn": ROLE}},
        "OutputType": output,
        "ReportLevel": level,
        **extra,
    }


def read_json(s3, name: str, key: str) -> dict:
    return json.loads(s3.get_object(Bucket=name, Key=key)["Body"].read())


def report_keys(s3, name: str) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=name, Prefix="reports/").get("Contents", []))


def test_standard_report_lists_what_moved_was_verified_and_skipped(ds, s3):
    src, dst, reports = bucket(s3), bucket(s3), bucket(s3)
    for i in range(3):
        s3.put_object(Bucket=src, Key=f"data/f{i}.txt", Body=f"file {i}".encode())
    task = ds.create_task(
        SourceLocationArn=location(ds, src, "/data"),
        DestinationLocationArn=location(ds, dst, "/"),
        TaskReportConfig=report_config(reports),
    )["TaskArn"]
    assert ds.describe_task(TaskArn=task)["TaskReportConfig"]["OutputType"] == "STANDARD"
    done = run_with(ds, task)
    assert done["Status"] == "SUCCESS", done.get("Result")
    assert done["ReportResult"]["Status"] == "SUCCESS"
    assert done["TaskReportConfig"]["Destination"]["S3"]["S3BucketArn"] == f"arn:aws:s3:::{reports}"
    task_id, exec_id = task.rsplit("/", 1)[1], done["TaskExecutionArn"].rsplit("/", 1)[1]
    keys = report_keys(s3, reports)
    summary_key = f"reports/Summary-Reports/{task_id}/{exec_id}/{exec_id}.summary-v1.json"
    assert summary_key in keys, keys
    summary = read_json(s3, reports, summary_key)
    assert summary["TaskExecutionArn"] == done["TaskExecutionArn"]
    assert summary["Result"]["Status"] == "SUCCESS"
    assert summary["Transferred"]["FilesCount"] == 3 and summary["Verified"]["FilesCount"] == 3
    assert summary["SourceLocation"]["LocationUri"] == f"s3://{src}/data/"
    detail = f"reports/Detailed-Reports/{task_id}/{exec_id}/{exec_id}"
    transferred = read_json(s3, reports, f"{detail}.files-transferred-v1-00001.json")["Transferred"]
    assert sorted(t["RelativePath"] for t in transferred) == ["/f0.txt", "/f1.txt", "/f2.txt"]
    assert {t["TransferStatus"] for t in transferred} == {"SUCCESS"}
    assert transferred[0]["SrcMetadata"]["ContentSize"] == 6
    verified = read_json(s3, reports, f"{detail}.files-verified-v1-00001.json")["Verified"]
    assert len(verified) == 3

    # The second run skips all three; the report says so.
    again = run_with(ds, task)
    exec2 = again["TaskExecutionArn"].rsplit("/", 1)[1]
    skipped = read_json(
        s3, reports, f"reports/Detailed-Reports/{task_id}/{exec2}/{exec2}.files-skipped-v1-00001.json"
    )["Skipped"]
    assert sorted(t["RelativePath"] for t in skipped) == ["/f0.txt", "/f1.txt", "/f2.txt"]


def test_summary_only_report_from_an_execution_override(ds, s3):
    src, dst, reports = bucket(s3), bucket(s3), bucket(s3)
    s3.put_object(Bucket=src, Key="one", Body=b"1")
    task = ds.create_task(SourceLocationArn=location(ds, src, "/"), DestinationLocationArn=location(ds, dst, "/"))["TaskArn"]
    done = run_with(ds, task, TaskReportConfig=report_config(reports, output="SUMMARY_ONLY"))
    assert done["Status"] == "SUCCESS"
    keys = report_keys(s3, reports)
    assert len(keys) == 1 and "/Summary-Reports/" in keys[0], keys


def test_a_file_that_keeps_failing_is_counted_reported_and_fails_the_execution(landbridge, ds, s3, tmp_path):
    tag = uuid.uuid4().hex[:8]
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    for name in ["a.txt", "b.txt", "clash"]:
        (src / name).write_bytes(name.encode())
    # Where the source has a file, the destination has a directory with
    # something in it: the file cannot be put there, however often it is tried.
    (dst / "clash").mkdir(parents=True)
    (dst / "clash" / "inside").write_bytes(b"x")
    fs = "fs-0fa11ed0000000000"
    world(landbridge, "share", "add", f"{fs}:/{tag}", str(tmp_path))

    def efs(sub: str) -> str:
        return ds.create_location_efs(
            EfsFilesystemArn=f"arn:aws:elasticfilesystem:us-east-1:000000000000:file-system/{fs}",
            Subdirectory=f"/{tag}/{sub}",
            Ec2Config={
                "SubnetArn": "arn:aws:ec2:us-east-1:000000000000:subnet/subnet-1",
                "SecurityGroupArns": ["arn:aws:ec2:us-east-1:000000000000:security-group/sg-1"],
            },
        )["LocationArn"]

    reports = bucket(s3)
    task = ds.create_task(
        SourceLocationArn=efs("src"), DestinationLocationArn=efs("dst"), TaskReportConfig=report_config(reports, level="ERRORS_ONLY")
    )["TaskArn"]
    done = run_with(ds, task)
    assert done["Status"] == "ERROR"
    assert (done["Result"]["ErrorCode"], done["Result"]["TransferStatus"]) == ("TransferError", "ERROR"), done["Result"]
    assert done["FilesFailed"]["Transfer"] == 1
    assert done["FilesTransferred"] == 2
    assert (dst / "a.txt").read_bytes() == b"a.txt" and (dst / "b.txt").read_bytes() == b"b.txt"
    assert done["ReportResult"]["Status"] == "SUCCESS"
    task_id, exec_id = task.rsplit("/", 1)[1], done["TaskExecutionArn"].rsplit("/", 1)[1]
    transferred = read_json(
        s3, reports, f"reports/Detailed-Reports/{task_id}/{exec_id}/{exec_id}.files-transferred-v1-00001.json"
    )["Transferred"]
    # Errors only: the one that failed, with why.
    assert [(t["RelativePath"], t["TransferStatus"], t["ErrorCode"]) for t in transferred] == [("/clash", "FAILED", "TransferFailed")]
    summary = read_json(s3, reports, f"reports/Summary-Reports/{task_id}/{exec_id}/{exec_id}.summary-v1.json")
    assert summary["Failed"]["Transfer"] == 1 and summary["Result"]["Status"] == "ERROR"


def test_report_config_errors(ds, s3):
    src, dst = bucket(s3), bucket(s3)
    code = lambda **kw: pytest.raises(ClientError, ds.create_task, SourceLocationArn=location(ds, src, "/"), DestinationLocationArn=location(ds, dst, "/"), **kw).value.response["Error"]["Code"]  # noqa: E731
    assert code(TaskReportConfig=report_config(f"missing-{uuid.uuid4().hex[:8]}")) == "InvalidRequestException"
    no_output = report_config(dst)
    del no_output["OutputType"]
    assert code(TaskReportConfig=no_output) == "InvalidRequestException"


def test_schedules_are_kept_checked_and_switched(ds, s3):
    src, dst = bucket(s3), bucket(s3)
    task = ds.create_task(
        SourceLocationArn=location(ds, src, "/"),
        DestinationLocationArn=location(ds, dst, "/"),
        Schedule={"ScheduleExpression": "cron(0 2 ? * MON-FRI *)"},
    )["TaskArn"]
    d = ds.describe_task(TaskArn=task)
    assert d["Schedule"] == {"ScheduleExpression": "cron(0 2 ? * MON-FRI *)", "Status": "ENABLED"}
    assert "StatusUpdateTime" in d["ScheduleDetails"]

    ds.update_task(TaskArn=task, Schedule={"ScheduleExpression": "rate(12 hours)", "Status": "DISABLED"})
    d = ds.describe_task(TaskArn=task)
    assert d["Schedule"]["Status"] == "DISABLED" and d["ScheduleDetails"]["DisabledBy"] == "USER"
    ds.update_task(TaskArn=task, Schedule={"ScheduleExpression": ""})
    assert "Schedule" not in ds.describe_task(TaskArn=task)

    for bad in ["rate(5 minutes)", "cron(0 2 * * *)", "cron(* 2 ? * MON *)", "cron(0 2 * * MON *)", "daily"]:
        with pytest.raises(ClientError) as err:
            ds.update_task(TaskArn=task, Schedule={"ScheduleExpression": bad})
        assert err.value.response["Error"]["Code"] == "InvalidRequestException", bad
