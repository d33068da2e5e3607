"""`landbridge datasync watch`: follows an execution through the DataSync API to its
end, printing its phases and a summary, and exits 1 when it ends in ERROR."""

from __future__ import annotations

import subprocess

from harness.landbridge import landbridge_binary

from .test_datasync import bucket, location
from .test_datasync_files import ds, s3  # noqa: F401  (fixtures)


def watch(landbridge, arn: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(landbridge_binary()), "datasync", "watch", arn, "--endpoint", landbridge.url],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_watch_follows_an_execution_to_success(landbridge, ds, s3):
    src, dst = bucket(s3), bucket(s3)
    for i in range(4):
        s3.put_object(Bucket=src, Key=f"k{i}", Body=bytes(100_000))
    task = ds.create_task(SourceLocationArn=location(ds, src, "/"), DestinationLocationArn=location(ds, dst, "/"))["TaskArn"]
    # 400 kB at 400 kB/s: about a second of transfer to follow.
    arn = ds.start_task_execution(TaskArn=task, OverrideOptions={"BytesPerSecond": 400_000})["TaskExecutionArn"]
    done = watch(landbridge, arn)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "TRANSFERRING" in lines and "SUCCESS" not in lines, lines
    assert lines[-1].startswith("SUCCESS: 4 files, 390.62 KiB transferred, 4 verified"), lines
    assert ds.describe_task_execution(TaskExecutionArn=arn)["Status"] == "SUCCESS"


def test_watch_exits_1_on_error_and_refuses_what_is_not_an_execution(landbridge, ds, s3):
    dst = bucket(s3)
    nfs_missing_share = ds.create_location_efs(
        EfsFilesystemArn="arn:aws:elasticfilesystem:us-east-1:000000000000:file-system/fs-00000000000000404",
        Ec2Config={
            "SubnetArn": "arn:aws:ec2:us-east-1:000000000000:subnet/subnet-1",
            "SecurityGroupArns": ["arn:aws:ec2:us-east-1:000000000000:security-group/sg-1"],
        },
    )["LocationArn"]
    task = ds.create_task(SourceLocationArn=nfs_missing_share, DestinationLocationArn=location(ds, dst, "/"))["TaskArn"]
    arn = ds.start_task_execution(TaskArn=task)["TaskExecutionArn"]
    failed = watch(landbridge, arn)
    assert failed.returncode == 1
    assert failed.stdout.splitlines()[-1].startswith("ERROR: 0 files")
    assert "MountError" in failed.stderr

    wrong = watch(landbridge, task)
    assert wrong.returncode != 0 and "not a DataSync task execution ARN" in wrong.stderr
    gone = watch(landbridge, task + "/execution/exec-0123456789abcdef0")
    assert gone.returncode != 0 and "InvalidRequestException" in gone.stderr
