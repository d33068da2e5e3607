"""DataSync between file locations and S3, as a migration rehearsal runs it: an NFS
export (a `world share` mapping a server and export to a local directory, read through
an activated agent) copied to S3 and back to another export, with contents, directories,
symlinks and POSIX metadata (mode, owner, modification time) identical at the end;
incremental runs, filters, and a verification that catches a corrupted destination."""

from __future__ import annotations

import os
import stat
import time
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from .test_datasync import ROLE, bucket, ds, location, run, run_with, s3  # noqa: F401  (fixtures)
from .test_datasync_agents import curl_activation, key_from, world

MIB = 1024 * 1024
BIG = 300 * MIB
FILES = 5_000


def make_tree(root: Path) -> None:
    """5,000 files in nested directories (some empty), unicode names, a symlink to a
    file and one to a directory, one 300 MiB file; modes, owners and times varied."""
    root.mkdir(parents=True)
    n = 0
    for d in range(25):
        for s in range(8):
            sub = root / f"dir{d:02}" / f"sub{s}"
            sub.mkdir(parents=True, exist_ok=True)
            for i in range(24):
                p = sub / f"file{i:02}.txt"
                p.write_bytes(b"" if i == 0 else f"{d}/{s}/{i} ".encode() * (i + 1))
                n += 1
    (root / "empty-dir").mkdir()
    uni = root / "日本語"
    uni.mkdir()
    for name in ["über ✓.txt", "ファイル.txt", "emoji 🚀.bin", "spaces and (parens).txt"]:
        (uni / name).write_bytes(name.encode() * 3)
        n += 1
    while n < FILES - 1:
        (root / f"top{n}.dat").write_bytes(os.urandom(64))
        n += 1
    with open(root / "big.bin", "wb") as f:
        chunk = os.urandom(MIB)
        for i in range(BIG // MIB):
            f.write(chunk[:-4] + i.to_bytes(4, "big"))
    os.symlink("dir00/sub0/file05.txt", root / "link-to-file")
    os.symlink("dir01", root / "link-to-dir")
    # Metadata to carry: modes, owners (as root), times.
    os.chmod(root / "dir00" / "sub0" / "file01.txt", 0o600)
    os.chmod(root / "dir00" / "sub1", 0o750)
    if os.geteuid() == 0:
        os.chown(root / "dir00" / "sub0" / "file02.txt", 1234, 5678)
    os.utime(root / "dir00" / "sub0" / "file03.txt", ns=(1_600_000_000_111_222_333, 1_500_000_000_444_555_666))


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry: kind, content (or link target), mode, owner, mtime in ns."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            rel = str(p.relative_to(root))
            if stat.S_ISLNK(st.st_mode):
                content = os.readlink(p)
                mtime = None  # link times are not carried
            elif stat.S_ISDIR(st.st_mode):
                content, mtime = None, st.st_mtime_ns
            else:
                content = p.read_bytes() if st.st_size < MIB else ("big", st.st_size)
                mtime = st.st_mtime_ns
            out[rel] = (stat.S_IFMT(st.st_mode), content, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, mtime)
    return out


def nfs_location(ds, agent: str, path: str) -> str:
    return ds.create_location_nfs(ServerHostname="nas.example", Subdirectory=path, OnPremConfig={"AgentArns": [agent]})[
        "LocationArn"
    ]


@pytest.fixture
def agent(landbridge, ds) -> str:
    appliance = world(landbridge, "datasync-agent")
    key = key_from(curl_activation(appliance["address"], appliance["port"], "us-east-1"))
    return ds.create_agent(ActivationKey=key, AgentName="nfs-agent")["AgentArn"]


@pytest.mark.deadline(600)
def test_nfs_to_s3_and_back_keeps_contents_and_metadata(landbridge, ds, s3, agent, tmp_path):
    tag = uuid.uuid4().hex[:8]
    src, back = tmp_path / "src", tmp_path / "back"
    make_tree(src)
    back.mkdir()
    world(landbridge, "share", "add", f"nas.example:/exports/{tag}", str(tmp_path))
    bkt = bucket(s3)
    nfs_src = nfs_location(ds, agent, f"/exports/{tag}/src")
    assert ds.describe_location_nfs(LocationArn=nfs_src)["LocationUri"] == f"nfs://nas.example/exports/{tag}/src/"
    nfs_back = nfs_location(ds, agent, f"/exports/{tag}/back")
    s3_loc = location(ds, bkt, "/migrated")
    up = ds.create_task(SourceLocationArn=nfs_src, DestinationLocationArn=s3_loc)["TaskArn"]
    down = ds.create_task(SourceLocationArn=s3_loc, DestinationLocationArn=nfs_back)["TaskArn"]
    before = snapshot(src)
    entries = len(before)

    first = run_with(ds, up, deadline=300)
    assert first["Status"] == "SUCCESS", first.get("Result")
    assert (first["FilesTransferred"], first["FilesVerified"]) == (entries, entries)
    assert first["BytesTransferred"] >= BIG
    # POSIX metadata as DataSync keeps it in S3 user metadata.
    head = s3.head_object(Bucket=bkt, Key="migrated/dir00/sub0/file01.txt")
    meta = head["Metadata"]
    assert meta["file-permissions"] == "0100600"
    assert meta["file-mtime"].endswith("ns")
    assert s3.head_object(Bucket=bkt, Key="migrated/dir00/sub0/file03.txt")["Metadata"]["file-mtime"] == "1500000000444555666ns"
    assert s3.get_object(Bucket=bkt, Key="migrated/link-to-file")["Body"].read() == b"dir00/sub0/file05.txt"
    assert s3.head_object(Bucket=bkt, Key="migrated/dir00/sub1/")["Metadata"]["file-permissions"] == "0040750"

    second = run_with(ds, down, deadline=300)
    assert second["Status"] == "SUCCESS", second.get("Result")
    assert snapshot(back) == before

    # Nothing changed: nothing moves. Ten files changed: ten move.
    again = run_with(ds, up, deadline=300)
    assert (again["Status"], again["FilesTransferred"]) == ("SUCCESS", 0)
    for i in range(1, 11):
        (src / "dir03" / "sub2" / f"file{i:02}.txt").write_bytes(f"changed {i}".encode())
    changed = run_with(ds, up, deadline=300)
    assert (changed["Status"], changed["FilesTransferred"]) == ("SUCCESS", 10)
    assert s3.get_object(Bucket=bkt, Key="migrated/dir03/sub2/file07.txt")["Body"].read() == b"changed 7"


def test_filters_and_a_corrupted_destination(landbridge, ds, s3, agent, tmp_path):
    tag = uuid.uuid4().hex[:8]
    src = tmp_path / "src"
    (src / "logs").mkdir(parents=True)
    (src / "keep").mkdir()
    (src / "logs" / "a.log").write_bytes(b"log")
    (src / "keep" / "a.txt").write_bytes(b"kept")
    (src / "keep" / "b.log").write_bytes(b"log too")
    world(landbridge, "share", "add", f"fs-0123456789abcdef0:/{tag}", str(src))
    # An EFS location reaches its file system by id; no agent.
    efs = ds.create_location_efs(
        EfsFilesystemArn="arn:aws:elasticfilesystem:us-east-1:000000000000:file-system/fs-0123456789abcdef0",
        Subdirectory=f"/{tag}",
        Ec2Config={
            "SubnetArn": "arn:aws:ec2:us-east-1:000000000000:subnet/subnet-1",
            "SecurityGroupArns": ["arn:aws:ec2:us-east-1:000000000000:security-group/sg-1"],
        },
    )["LocationArn"]
    assert ds.describe_location_efs(LocationArn=efs)["LocationUri"] == f"efs://us-east-1.fs-0123456789abcdef0/{tag}/"
    bkt = bucket(s3)
    dst = location(ds, bkt, "/")
    task = ds.create_task(
        SourceLocationArn=efs,
        DestinationLocationArn=dst,
        Excludes=[{"FilterType": "SIMPLE_PATTERN", "Value": "*.log|/logs"}],
    )["TaskArn"]
    done = run_with(ds, task)
    assert done["Status"] == "SUCCESS", done.get("Result")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bkt)["Contents"])
    assert keys == ["keep/", "keep/a.txt"]

    # The destination object is corrupted and the task may not overwrite: the full
    # verification finds it.
    s3.put_object(Bucket=bkt, Key="keep/a.txt", Body=b"KEPT")
    failed = run(ds, task, OverwriteMode="NEVER")
    assert failed["Status"] == "ERROR"
    assert (failed["Result"]["ErrorCode"], failed["Result"]["VerifyStatus"]) == ("VerificationFailed", "ERROR")


def test_file_location_errors(landbridge, ds, agent, tmp_path):
    def code(call, **kw):
        with pytest.raises(ClientError) as err:
            call(**kw)
        return err.value.response["Error"]["Code"], err.value.response["Error"]["Message"]

    assert code(
        ds.create_location_nfs,
        ServerHostname="nas",
        Subdirectory="relative/path",
        OnPremConfig={"AgentArns": [agent]},
    )[0] == "InvalidRequestException"
    missing = agent.rsplit("/", 1)[0] + "/agent-0000000000000000a"
    assert code(
        ds.create_location_nfs, ServerHostname="nas", Subdirectory="/x", OnPremConfig={"AgentArns": [missing]}
    )[0] == "InvalidRequestException"
    assert code(
        ds.create_location_smb, ServerHostname="smb", Subdirectory="/share", AgentArns=[agent], User="u"
    )[0] == "InvalidRequestException"
    smb = ds.create_location_smb(
        ServerHostname="smb.example", Subdirectory="/share/dir", AgentArns=[agent], User="u", Password="p", Domain="CORP"
    )["LocationArn"]
    d = ds.describe_location_smb(LocationArn=smb)
    assert (d["LocationUri"], d["User"], d["Domain"], d["AgentArns"]) == ("smb://smb.example/share/dir/", "u", "CORP", [agent])
    assert "Password" not in d
    ds.update_location_smb(LocationArn=smb, Subdirectory="/share/other")
    assert ds.describe_location_smb(LocationArn=smb)["LocationUri"] == "smb://smb.example/share/other/"
    types = {l["LocationUri"].split(":")[0] for l in ds.list_locations(Filters=[{"Name": "LocationType", "Values": ["SMB"], "Operator": "Equals"}])["Locations"]}
    assert types == {"smb"}

    # No share maps the server: the execution fails to mount, as an agent would.
    nfs = ds.create_location_nfs(ServerHostname="unmapped.example", Subdirectory="/x", OnPremConfig={"AgentArns": [agent]})[
        "LocationArn"
    ]
    task = ds.create_task(SourceLocationArn=nfs, DestinationLocationArn=smb)["TaskArn"]
    failed = run_with(ds, task)
    assert failed["Status"] == "ERROR", failed["Result"]
    # AWS's form: "Task failed to access location loc-…: x40016: mount…"
    loc_id = nfs.rsplit("/", 1)[1]
    assert failed["Result"]["ErrorDetail"].startswith(f"Task failed to access location {loc_id}: x40016: mount"), failed["Result"]


def test_metadata_options_decide_what_a_file_destination_keeps(landbridge, ds, s3, agent, tmp_path):
    tag = uuid.uuid4().hex[:8]
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    f = src / "payroll.csv"
    f.write_bytes(b"name,amount\n")
    os.chmod(f, 0o640)
    os.utime(f, ns=(1_500_000_000_000_000_000, 1_500_000_000_000_000_000))
    world(landbridge, "share", "add", f"nas.example:/{tag}", str(tmp_path))
    bkt = bucket(s3)
    up = ds.create_task(SourceLocationArn=nfs_location(ds, agent, f"/{tag}/src"), DestinationLocationArn=location(ds, bkt, "/"))
    assert run_with(ds, up["TaskArn"])["Status"] == "SUCCESS"

    # Back to files without owners, permissions or times: the writer's are kept.
    none = {"PosixPermissions": "NONE", "Uid": "NONE", "Gid": "NONE", "Mtime": "NONE", "Atime": "NONE"}
    down = ds.create_task(
        SourceLocationArn=location(ds, bkt, "/"), DestinationLocationArn=nfs_location(ds, agent, f"/{tag}/out"), Options=none
    )["TaskArn"]
    options = ds.describe_task(TaskArn=down)["Options"]
    assert {k: options[k] for k in none} == none
    assert options["PreserveDevices"] == "NONE" and options["ObjectTags"] == "PRESERVE"
    before = time.time()
    assert run_with(ds, down)["Status"] == "SUCCESS"
    back = (out / "payroll.csv").stat()
    assert (out / "payroll.csv").read_bytes() == b"name,amount\n"
    assert stat.S_IMODE(back.st_mode) != 0o640
    assert back.st_mtime >= before - 1
    # With the defaults they come back.
    ds.update_task(TaskArn=down, Options={"PosixPermissions": "PRESERVE", "Mtime": "PRESERVE", "Atime": "BEST_EFFORT"})
    assert run_with(ds, down)["Status"] == "SUCCESS"
    back = (out / "payroll.csv").stat()
    assert stat.S_IMODE(back.st_mode) == 0o640 and back.st_mtime_ns == 1_500_000_000_000_000_000

    def message(call, **kwargs) -> str:
        with pytest.raises(ClientError) as err:
            call(**kwargs)
        assert err.value.response["Error"]["Code"] == "InvalidRequestException"
        return err.value.response["Error"]["Message"]

    # Access times only with modification times.
    assert message(ds.update_task, TaskArn=down, Options={"Mtime": "NONE"}) == (
        "Invalid SyncOption value. Option: Atime,Mtime, Value: BEST_EFFORT,NONE."
    )
    # Between object stores there are no POSIX owners to keep.
    s3_to_s3 = {"SourceLocationArn": location(ds, bkt, "/"), "DestinationLocationArn": location(ds, bucket(s3), "/")}
    assert message(ds.create_task, Options={"PosixPermissions": "PRESERVE"}, **s3_to_s3) == (
        "Invalid SyncOption value. Option: PosixPermissions, Value: PRESERVE invalid for non-POSIX transfer. please use NONE."
    )
    assert message(ds.create_task, Options={"Uid": "INT_VALUE"}, **s3_to_s3) == (
        "Invalid SyncOption value. Option: Uid, Value: INT_VALUE invalid for non-POSIX transfer. please use NONE."
    )
    ds.create_task(Options={"PosixPermissions": "NONE", "Uid": "NONE", "Gid": "NONE"}, **s3_to_s3)
