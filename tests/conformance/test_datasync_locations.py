"""DataSync's other locations: FSx (Windows, Lustre, OpenZFS, ONTAP) and HDFS, reached
through `world share` like NFS, and object storage, which speaks S3 over the network to
any endpoint: here a second Landbridge, whose own S3 API then shows what arrived."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from .test_datasync import bucket, location, run_with
from .test_datasync_agents import world
from .test_datasync_files import agent, ds, s3, snapshot  # noqa: F401  (fixtures)

ACCOUNT = "000000000000"
SG = f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/sg-0123456789abcdef0"
FS = "fs-0123456789abcdef0"
FS_ARN = f"arn:aws:fsx:us-east-1:{ACCOUNT}:file-system/{FS}"
SVM_ARN = f"arn:aws:fsx:us-east-1:{ACCOUNT}:storage-virtual-machine/{FS}/svm-0123456789abcdef0"


def failure(call, **kw) -> tuple[str, str]:
    with pytest.raises(ClientError) as err:
        call(**kw)
    return err.value.response["Error"]["Code"], err.value.response["Error"]["Message"]


def small_tree(root: Path) -> None:
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "one.txt").write_bytes(b"one")
    (root / "a" / "b" / "two.bin").write_bytes(os.urandom(10_000))
    (root / "top.txt").write_bytes(b"top")
    big = os.urandom(1024 * 1024)
    (root / "a" / "big.bin").write_bytes(big * 20)  # 20 MiB: a multipart upload
    os.chmod(root / "a" / "one.txt", 0o640)
    os.utime(root / "top.txt", ns=(1_600_000_000_000_000_001, 1_500_000_000_000_000_002))
    os.symlink("a/one.txt", root / "link")


def test_fsx_locations_describe_update_and_errors(ds):
    win = ds.create_location_fsx_windows(
        FsxFilesystemArn=FS_ARN, SecurityGroupArns=[SG], User="Admin", Password="secret", Domain="CORP", Subdirectory="/share"
    )["LocationArn"]
    d = ds.describe_location_fsx_windows(LocationArn=win)
    assert (d["LocationUri"], d["User"], d["Domain"], d["SecurityGroupArns"]) == (
        f"fsxw://us-east-1.{FS}/share/",
        "Admin",
        "CORP",
        [SG],
    )
    assert "Password" not in d
    ds.update_location_fsx_windows(LocationArn=win, Subdirectory="/share/dept", User="Other")
    d = ds.describe_location_fsx_windows(LocationArn=win)
    assert (d["LocationUri"], d["User"]) == (f"fsxw://us-east-1.{FS}/share/dept/", "Other")

    lustre = ds.create_location_fsx_lustre(FsxFilesystemArn=FS_ARN, SecurityGroupArns=[SG])["LocationArn"]
    assert ds.describe_location_fsx_lustre(LocationArn=lustre)["LocationUri"] == f"fsxl://us-east-1.{FS}/"
    ds.update_location_fsx_lustre(LocationArn=lustre, Subdirectory="/scratch")
    assert ds.describe_location_fsx_lustre(LocationArn=lustre)["LocationUri"] == f"fsxl://us-east-1.{FS}/scratch/"

    zfs = ds.create_location_fsx_open_zfs(
        FsxFilesystemArn=FS_ARN, SecurityGroupArns=[SG], Protocol={"NFS": {"MountOptions": {"Version": "NFS4_1"}}}, Subdirectory="/fsx/vol1"
    )["LocationArn"]
    d = ds.describe_location_fsx_open_zfs(LocationArn=zfs)
    assert (d["LocationUri"], d["Protocol"]) == (f"fsxz://us-east-1.{FS}/fsx/vol1/", {"NFS": {"MountOptions": {"Version": "NFS4_1"}}})
    code, message = failure(
        ds.create_location_fsx_open_zfs, FsxFilesystemArn=FS_ARN, SecurityGroupArns=[SG], Protocol={"NFS": {}}, Subdirectory="/vol1"
    )
    assert code == "InvalidRequestException" and "/fsx" in message
    assert failure(
        ds.create_location_fsx_open_zfs, FsxFilesystemArn=FS_ARN, SecurityGroupArns=[SG], Protocol={"SMB": {"User": "u", "Password": "p"}}
    )[0] == "InvalidRequestException"

    ontap = ds.create_location_fsx_ontap(
        StorageVirtualMachineArn=SVM_ARN,
        SecurityGroupArns=[SG],
        Protocol={"SMB": {"User": "u", "Password": "p", "Domain": "CORP"}},
        Subdirectory="/vol1",
    )["LocationArn"]
    d = ds.describe_location_fsx_ontap(LocationArn=ontap)
    assert d["FsxFilesystemArn"] == FS_ARN and d["StorageVirtualMachineArn"] == SVM_ARN
    assert d["Protocol"]["SMB"]["User"] == "u" and "Password" not in d["Protocol"]["SMB"]
    assert d["LocationUri"] == f"fsxn-smb://us-east-1.{FS}/vol1/"
    ds.update_location_fsx_ontap(LocationArn=ontap, Protocol={"SMB": {"User": "v"}})
    assert ds.describe_location_fsx_ontap(LocationArn=ontap)["Protocol"]["SMB"]["User"] == "v"
    assert failure(ds.update_location_fsx_ontap, LocationArn=ontap, Protocol={"NFS": {}})[0] == "InvalidRequestException"
    assert failure(
        ds.create_location_fsx_ontap, StorageVirtualMachineArn=SVM_ARN, SecurityGroupArns=[SG], Protocol={"NFS": {}, "SMB": {"User": "u", "Password": "p"}}
    )[0] == "InvalidRequestException"

    # AWS's patterns: an FSx ARN that is not one is refused before anything else.
    assert failure(ds.create_location_fsx_lustre, FsxFilesystemArn="arn:aws:s3:::bucket", SecurityGroupArns=[SG])[0] == (
        "InvalidRequestException"
    )
    # A describe of another type's location.
    assert failure(ds.describe_location_fsx_lustre, LocationArn=win)[0] == "InvalidRequestException"

    listed = ds.list_locations(Filters=[{"Name": "LocationUri", "Values": [f"fsx"], "Operator": "BeginsWith"}])["Locations"]
    assert {win, lustre, zfs, ontap} <= {l["LocationArn"] for l in listed}


def test_hdfs_location_describe_update_and_errors(client, ds, agent):
    hdfs = ds.create_location_hdfs(
        NameNodes=[{"Hostname": "namenode.example", "Port": 8020}],
        AuthenticationType="SIMPLE",
        SimpleUser="hadoop",
        AgentArns=[agent],
        Subdirectory="/data",
    )["LocationArn"]
    d = ds.describe_location_hdfs(LocationArn=hdfs)
    assert d["LocationUri"] == "hdfs://namenode.example:8020/data/"
    assert (d["BlockSize"], d["ReplicationFactor"], d["SimpleUser"], d["AgentArns"]) == (134217728, 3, "hadoop", [agent])
    assert d["QopConfiguration"] == {"RpcProtection": "PRIVACY", "DataTransferProtection": "PRIVACY"}
    ds.update_location_hdfs(LocationArn=hdfs, ReplicationFactor=2, NameNodes=[{"Hostname": "nn2.example", "Port": 9000}])
    d = ds.describe_location_hdfs(LocationArn=hdfs)
    assert (d["ReplicationFactor"], d["LocationUri"]) == (2, "hdfs://nn2.example:9000/data/")

    code, message = failure(
        ds.create_location_hdfs, NameNodes=[{"Hostname": "nn", "Port": 8020}], AuthenticationType="SIMPLE", AgentArns=[agent]
    )
    assert code == "InvalidRequestException" and "SimpleUser" in message
    assert failure(
        ds.create_location_hdfs,
        NameNodes=[{"Hostname": "nn", "Port": 8020}],
        AuthenticationType="KERBEROS",
        KerberosPrincipal="hdfs@EXAMPLE.COM",
        AgentArns=[agent],
    )[0] == "InvalidRequestException"
    # Out of AWS's range, judged by the server (botocore would refuse it first).
    unchecked = client("datasync", validate=False)
    assert failure(
        unchecked.create_location_hdfs,
        NameNodes=[{"Hostname": "nn", "Port": 8020}],
        AuthenticationType="SIMPLE",
        SimpleUser="h",
        AgentArns=[agent],
        BlockSize=1024,
    )[0] == "InvalidRequestException"


def test_fsx_and_hdfs_locations_move_data_through_their_shares(landbridge, ds, s3, agent, tmp_path):
    tag = uuid.uuid4().hex[:8]
    src = tmp_path / "lustre"
    small_tree(src)
    out = tmp_path / "hdfs"
    out.mkdir()
    world(landbridge, "share", "add", f"{FS}:/{tag}", str(src))
    world(landbridge, "share", "add", f"namenode.example:/{tag}", str(out))
    lustre = ds.create_location_fsx_lustre(FsxFilesystemArn=FS_ARN, SecurityGroupArns=[SG], Subdirectory=f"/{tag}")["LocationArn"]
    hdfs = ds.create_location_hdfs(
        NameNodes=[{"Hostname": "namenode.example", "Port": 8020}],
        AuthenticationType="SIMPLE",
        SimpleUser="hadoop",
        AgentArns=[agent],
        Subdirectory=f"/{tag}",
    )["LocationArn"]
    task = ds.create_task(SourceLocationArn=lustre, DestinationLocationArn=hdfs)["TaskArn"]
    done = run_with(ds, task)
    assert done["Status"] == "SUCCESS", done.get("Result")
    assert snapshot(out) == snapshot(src)


@pytest.fixture
def other(fresh_landbridge):
    """A second Landbridge: the object-storage server, reached only over the network."""
    server = fresh_landbridge(extra_args=("--enforce-sigv4", "--credential", "AKIDOBJECTSTORE:object-store-secret"))
    s3 = boto3.client(
        "s3",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="AKIDOBJECTSTORE",
        aws_secret_access_key="object-store-secret",
        config=Config(retries={"max_attempts": 0}, s3={"addressing_style": "path"}),
    )
    return server, s3


def test_object_storage_location_speaks_s3_to_another_endpoint(landbridge, ds, agent, other, tmp_path):
    server, remote = other
    name = f"objstore-{uuid.uuid4().hex[:8]}"
    remote.create_bucket(Bucket=name)
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    tag = uuid.uuid4().hex[:8]
    src, back = tmp_path / "src", tmp_path / "back"
    small_tree(src)
    back.mkdir()
    world(landbridge, "share", "add", f"nas.example:/{tag}", str(tmp_path))
    nfs = lambda sub: ds.create_location_nfs(  # noqa: E731
        ServerHostname="nas.example", Subdirectory=f"/{tag}/{sub}", OnPremConfig={"AgentArns": [agent]}
    )["LocationArn"]
    obj = ds.create_location_object_storage(
        ServerHostname=host,
        ServerPort=int(port),
        ServerProtocol="HTTP",
        BucketName=name,
        Subdirectory="/landed",
        AccessKey="AKIDOBJECTSTORE",
        SecretKey="object-store-secret",
        AgentArns=[agent],
    )["LocationArn"]
    d = ds.describe_location_object_storage(LocationArn=obj)
    assert d["LocationUri"] == f"object-storage://{host}/{name}/landed/"
    assert (d["ServerPort"], d["ServerProtocol"], d["AccessKey"]) == (int(port), "HTTP", "AKIDOBJECTSTORE")
    assert "SecretKey" not in d

    up = ds.create_task(SourceLocationArn=nfs("src"), DestinationLocationArn=obj)["TaskArn"]
    done = run_with(ds, up)
    assert done["Status"] == "SUCCESS", done.get("Result")
    keys = sorted(o["Key"] for o in remote.list_objects_v2(Bucket=name)["Contents"])
    assert keys == ["landed/a/b/two.bin", "landed/a/big.bin", "landed/a/one.txt", "landed/link", "landed/top.txt"]
    assert remote.get_object(Bucket=name, Key="landed/a/big.bin")["Body"].read() == (src / "a" / "big.bin").read_bytes()
    meta = remote.head_object(Bucket=name, Key="landed/a/one.txt")["Metadata"]
    assert meta["file-permissions"] == "0100640"
    assert remote.head_object(Bucket=name, Key="landed/top.txt")["Metadata"]["file-mtime"] == "1500000000000000002ns"

    # Nothing changed: nothing moves (the metadata read back says so).
    again = run_with(ds, up)
    assert (again["Status"], again["FilesTransferred"]) == ("SUCCESS", 0), again

    down = ds.create_task(SourceLocationArn=obj, DestinationLocationArn=nfs("back"))["TaskArn"]
    done = run_with(ds, down)
    assert done["Status"] == "SUCCESS", done.get("Result")
    files = {k: v for k, v in snapshot(back).items()}
    expected = {k: v for k, v in snapshot(src).items()}
    # Directories are implied on object storage: their own times are not carried.
    for snap in (files, expected):
        for k, v in list(snap.items()):
            if v[1] is None:
                snap[k] = v[:5]
    assert files == expected

    # Wrong keys: the other server refuses them, and the execution says so.
    ds.update_location_object_storage(LocationArn=obj, SecretKey="wrong")
    failed = run_with(ds, up)
    assert failed["Status"] == "ERROR", failed


def test_object_storage_location_errors(ds, agent):
    assert failure(ds.create_location_object_storage, ServerHostname="minio.example", BucketName="bkt", AccessKey="only-the-id")[0] == (
        "InvalidRequestException"
    )
    assert failure(
        ds.create_location_object_storage, ServerHostname="minio.example", BucketName="bkt", ServerProtocol="HTTP", ServerCertificate=b"x"
    )[0] == "InvalidRequestException"
    loc = ds.create_location_object_storage(ServerHostname="minio.example", BucketName="bkt", AgentArns=[agent])["LocationArn"]
    d = ds.describe_location_object_storage(LocationArn=loc)
    assert (d["ServerPort"], d["ServerProtocol"], d["LocationUri"]) == (443, "HTTPS", "object-storage://minio.example/bkt/")
    ds.update_location_object_storage(LocationArn=loc, ServerProtocol="HTTP")
    assert ds.describe_location_object_storage(LocationArn=loc)["ServerPort"] == 80
    typed = ds.list_locations(Filters=[{"Name": "LocationType", "Values": ["OBJECT_STORAGE"], "Operator": "Equals"}])["Locations"]
    assert loc in {l["LocationArn"] for l in typed}
    ds.delete_location(LocationArn=loc)
    assert failure(ds.describe_location_object_storage, LocationArn=loc)[0] == "InvalidRequestException"


def test_updates_of_nfs_efs_and_openzfs_locations(ds, agent):
    nfs = ds.create_location_nfs(ServerHostname="nas.example", Subdirectory="/a", OnPremConfig={"AgentArns": [agent]})["LocationArn"]
    ds.update_location_nfs(LocationArn=nfs, ServerHostname="nas2.example", Subdirectory="/b", MountOptions={"Version": "NFS4_0"})
    d = ds.describe_location_nfs(LocationArn=nfs)
    assert (d["LocationUri"], d["MountOptions"], d["OnPremConfig"]) == (
        "nfs://nas2.example/b/",
        {"Version": "NFS4_0"},
        {"AgentArns": [agent]},
    )
    assert failure(ds.update_location_nfs, LocationArn=nfs, Subdirectory="relative")[0] == "InvalidRequestException"

    efs = ds.create_location_efs(
        EfsFilesystemArn=f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/fs-0123456789abcdef0",
        Ec2Config={"SubnetArn": f"arn:aws:ec2:us-east-1:{ACCOUNT}:subnet/subnet-1", "SecurityGroupArns": [SG]},
    )["LocationArn"]
    ds.update_location_efs(LocationArn=efs, Subdirectory="/projects", InTransitEncryption="TLS1_2")
    d = ds.describe_location_efs(LocationArn=efs)
    assert (d["LocationUri"], d["InTransitEncryption"]) == ("efs://us-east-1.fs-0123456789abcdef0/projects/", "TLS1_2")

    zfs = ds.create_location_fsx_open_zfs(FsxFilesystemArn=FS_ARN, SecurityGroupArns=[SG], Protocol={"NFS": {}})["LocationArn"]
    assert ds.describe_location_fsx_open_zfs(LocationArn=zfs)["LocationUri"] == f"fsxz://us-east-1.{FS}/fsx/"
    ds.update_location_fsx_open_zfs(LocationArn=zfs, Subdirectory="/fsx/vol2", Protocol={"NFS": {"MountOptions": {"Version": "NFS3"}}})
    d = ds.describe_location_fsx_open_zfs(LocationArn=zfs)
    assert (d["LocationUri"], d["Protocol"]["NFS"]["MountOptions"]["Version"]) == (f"fsxz://us-east-1.{FS}/fsx/vol2/", "NFS3")
    assert failure(ds.update_location_fsx_open_zfs, LocationArn=zfs, Subdirectory="/elsewhere")[0] == "InvalidRequestException"
    # An update of another type's location.
    assert failure(ds.update_location_fsx_open_zfs, LocationArn=nfs, Subdirectory="/fsx")[0] == "InvalidRequestException"


def test_object_storage_over_https_trusts_the_server_certificate_it_is_given(landbridge, ds, agent, other, tmp_path):
    from harness.tls_proxy import TlsProxy

    server, remote = other
    name = f"objtls-{uuid.uuid4().hex[:8]}"
    remote.create_bucket(Bucket=name)
    upstream = int(server.url.rsplit(":", 1)[1])
    tag = uuid.uuid4().hex[:8]
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "ledger.csv").write_bytes(b"id,amount\n1,100\n")
    world(landbridge, "share", "add", f"nas.example:/{tag}", str(tmp_path))
    nfs = ds.create_location_nfs(
        ServerHostname="nas.example", Subdirectory=f"/{tag}/src", OnPremConfig={"AgentArns": [agent]}
    )["LocationArn"]
    (tmp_path / "certs").mkdir()
    with TlsProxy(upstream, tmp_path / "certs") as proxy:
        common = dict(ServerHostname="127.0.0.1", ServerPort=proxy.port, ServerProtocol="HTTPS", BucketName=name,
                      AccessKey="AKIDOBJECTSTORE", SecretKey="object-store-secret", AgentArns=[agent])
        # Without the private authority's certificate the server is not trusted.
        untrusted = ds.create_location_object_storage(Subdirectory="/untrusted", **common)["LocationArn"]
        failed = run_with(ds, ds.create_task(SourceLocationArn=nfs, DestinationLocationArn=untrusted)["TaskArn"])
        assert failed["Status"] == "ERROR", failed
        assert proxy.handshakes_failed >= 1
        assert "Contents" not in remote.list_objects_v2(Bucket=name)

        # With it (ServerCertificate, PEM), the files cross over TLS.
        trusted = ds.create_location_object_storage(
            Subdirectory="/trusted", ServerCertificate=proxy.authority.read_bytes(), **common
        )["LocationArn"]
        d = ds.describe_location_object_storage(LocationArn=trusted)
        assert d["ServerProtocol"] == "HTTPS" and d["ServerCertificate"] == proxy.authority.read_bytes()
        done = run_with(ds, ds.create_task(SourceLocationArn=nfs, DestinationLocationArn=trusted)["TaskArn"])
        assert done["Status"] == "SUCCESS", done.get("Result")
    assert remote.get_object(Bucket=name, Key="trusted/ledger.csv")["Body"].read() == b"id,amount\n1,100\n"
