"""DataSync against rclone: the same local trees copied to the same Landbridge S3, once
by a DataSync task (NFS location over a `world share`, through an activated agent) and
once by `rclone sync` (Debian's), in one run; times, ratios, and Landbridge's peak RSS.

Trees: SMALL files of 4 KiB, and one file of BIG_MIB MiB. Then, in a second Landbridge
of its own, a tree of WIDE tiny files copied file location to file location: its peak
RSS shows what the engine holds as a tree grows (the object layer keeps S3 records in
memory, so an S3 side would measure that instead). DataSync runs with
VerifyMode NONE: rclone checks each upload's MD5 against the ETag as it goes and does no
second pass, so a full DataSync verification would time a different job (its time is
printed too). rclone runs with its defaults (4 transfers) and --s3-upload-cutoff/
--s3-chunk-size 64M, the part size DataSync's engine does not need (it streams one PUT).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
import uuid

import boto3

from api import start_landbridge

KIB = 1024
MIB = 1024 * KIB


def peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def control(port: int, method: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body or {}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data if method != "GET" else None, method=method)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def make_trees(root: str, small: int, big_mib: int) -> None:
    os.makedirs(f"{root}/small")
    for i in range(small):
        d = f"{root}/small/d{i // 1000:02}"
        os.makedirs(d, exist_ok=True)
        with open(f"{d}/f{i:05}", "wb") as f:
            f.write(os.urandom(4 * KIB))
    os.makedirs(f"{root}/big")
    chunk = os.urandom(MIB)
    with open(f"{root}/big/one.bin", "wb") as f:
        for i in range(big_mib):
            f.write(chunk[:-4] + i.to_bytes(4, "big"))
        f.flush()
        os.fsync(f.fileno())
    subprocess.run(["sync"], check=True)


def datasync_copy(ds, s3, agent: str, tree: str, verify: str) -> float:
    bucket = f"ds-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    src = ds.create_location_nfs(
        ServerHostname="bench-nas", Subdirectory=f"/trees/{tree}", OnPremConfig={"AgentArns": [agent]}
    )["LocationArn"]
    dst = ds.create_location_s3(
        S3BucketArn=f"arn:aws:s3:::{bucket}", S3Config={"BucketAccessRoleArn": "arn:aws:iam::000000000000:role/b"}
    )["LocationArn"]
    task = ds.create_task(SourceLocationArn=src, DestinationLocationArn=dst, Options={"VerifyMode": verify})["TaskArn"]
    t0 = time.monotonic()
    arn = ds.start_task_execution(TaskArn=task)["TaskExecutionArn"]
    deadline = t0 + 1800
    while time.monotonic() < deadline:
        e = ds.describe_task_execution(TaskExecutionArn=arn)
        if e["Status"] in ("SUCCESS", "ERROR"):
            break
        time.sleep(0.02)
    elapsed = time.monotonic() - t0
    if e["Status"] != "SUCCESS":
        raise SystemExit(f"DataSync execution ended {e['Status']}: {e.get('Result')}")
    return elapsed


def make_wide(root: str, entries: int) -> None:
    per_dir = 500
    for d in range(max(1, entries // per_dir)):
        os.makedirs(f"{root}/d{d:04}")
        for i in range(per_dir):
            with open(f"{root}/d{d:04}/f{i:03}", "wb") as f:
                f.write(b"0123456789abcdef")


def wide_copy(landbridge: str, work: str, entries: int) -> tuple[int, float, float]:
    """Copies WIDE entries between two EFS locations; (files, seconds, peak RSS MiB)."""
    make_wide(f"{work}/wide/src", entries)
    os.makedirs(f"{work}/wide/dst")
    server = start_landbridge(landbridge, work)
    try:
        port = server.port
        ds = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1").client(
            "datasync", endpoint_url=f"http://127.0.0.1:{port}"
        )
        fs = "fs-0be0c4000000000aa"
        control(port, "POST", "/_landbridge/world/shares", {"server": fs, "export": "/", "localDir": f"{work}/wide"})
        ec2 = {
            "SubnetArn": "arn:aws:ec2:us-east-1:000000000000:subnet/subnet-1",
            "SecurityGroupArns": ["arn:aws:ec2:us-east-1:000000000000:security-group/sg-1"],
        }
        loc = lambda sub: ds.create_location_efs(  # noqa: E731
            EfsFilesystemArn=f"arn:aws:elasticfilesystem:us-east-1:000000000000:file-system/{fs}", Subdirectory=sub, Ec2Config=ec2
        )["LocationArn"]
        task = ds.create_task(SourceLocationArn=loc("/src"), DestinationLocationArn=loc("/dst"))["TaskArn"]
        t0 = time.monotonic()
        arn = ds.start_task_execution(TaskArn=task)["TaskExecutionArn"]
        while time.monotonic() < t0 + 3600:
            e = ds.describe_task_execution(TaskExecutionArn=arn)
            if e["Status"] in ("SUCCESS", "ERROR"):
                break
            time.sleep(0.2)
        if e["Status"] != "SUCCESS":
            raise SystemExit(f"the wide copy ended {e['Status']}: {e.get('Result')}")
        return e["FilesTransferred"], time.monotonic() - t0, peak_rss_mib(server.proc.pid)
    finally:
        server.stop()


def rclone_copy(port: int, s3, root: str, tree: str) -> float:
    bucket = f"rc-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    remote = (
        f":s3,provider=Other,endpoint='http://127.0.0.1:{port}',access_key_id=test,"
        f"secret_access_key=test,force_path_style=true:{bucket}"
    )
    # rclone's S3 client reads AWS_* too (AWS_CA_BUNDLE breaks plain http).
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    t0 = time.monotonic()
    subprocess.run(
        ["rclone", "sync", f"{root}/{tree}", remote, "--s3-upload-cutoff", "64M", "--s3-chunk-size", "64M",
         "--retries", "1", "--low-level-retries", "1"],
        check=True,
        timeout=1800,
        env=env,
    )
    return time.monotonic() - t0


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--landbridge", required=True)
    p.add_argument("--small", type=int, default=10_000)
    p.add_argument("--big-mib", type=int, default=2048)
    p.add_argument("--wide", type=int, default=200_000)
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="landbridge-bench-ds-", dir="/var/tmp")
    os.environ["TMPDIR"] = work
    server = None
    try:
        make_trees(f"{work}/trees", args.small, args.big_mib)
        server = start_landbridge(args.landbridge, work)
        port = server.port
        session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
        ds = session.client("datasync", endpoint_url=f"http://127.0.0.1:{port}")
        s3 = session.client("s3", endpoint_url=f"http://127.0.0.1:{port}")
        appliance = control(port, "POST", "/_landbridge/world/datasync-agents")
        url = f"http://{appliance['address']}:{appliance['port']}/?gatewayType=SYNC&activationRegion=us-east-1&no_redirect"
        key = urllib.request.urlopen(url, timeout=30).read().decode().strip()
        agent = ds.create_agent(ActivationKey=key)["AgentArn"]
        control(port, "POST", "/_landbridge/world/shares", {"server": "bench-nas", "export": "/trees", "localDir": f"{work}/trees"})
        rows = []
        for tree, label in [("small", f"{args.small} x 4 KiB"), ("big", f"1 x {args.big_mib} MiB")]:
            d = datasync_copy(ds, s3, agent, tree, "NONE")
            r = rclone_copy(port, s3, f"{work}/trees", tree)
            full = datasync_copy(ds, s3, agent, tree, "POINT_IN_TIME_CONSISTENT")
            rows.append((label, d, r, full))
        rss = peak_rss_mib(server.proc.pid)
        print(f"\nDataSync task vs rclone sync, local tree -> Landbridge S3 (release build), one run:")
        print(f"{'tree':<18}{'datasync s':>12}{'rclone s':>12}{'speed ratio':>13}{'datasync+verify s':>20}")
        for label, d, r, full in rows:
            print(f"{label:<18}{d:>12.2f}{r:>12.2f}{r / d:>12.2f}x{full:>20.2f}")
        print(f"Landbridge peak RSS over the whole run (VmHWM): {rss:.1f} MiB")
        small, big = rows
        print(
            f"targets: small files >= 2x rclone: {'met' if small[2] / small[1] >= 2 else 'NOT met'} ({small[2] / small[1]:.2f}x); "
            f"large file >= 1x: {'met' if big[2] / big[1] >= 1 else 'NOT met'} ({big[2] / big[1]:.2f}x); "
            f"peak RSS <= 200 MB: {'met' if rss * MIB <= 200e6 else 'NOT met'} ({rss * MIB / 1e6:.0f} MB)"
        )
        server.stop()
        server = None
        if args.wide:
            files, secs, wide_rss = wide_copy(args.landbridge, work, args.wide)
            print(
                f"Wide tree, EFS location -> EFS location: {files} entries in {secs:.1f} s "
                f"(with full verification), peak RSS {wide_rss:.1f} MiB"
            )
    finally:
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
