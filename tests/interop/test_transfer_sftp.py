"""Transfer Family's SFTP endpoint against OpenSSH's `sftp`: a service-managed user
signs in with their key, uploads, downloads, lists, renames, makes directories and
removes; what arrives is in S3 byte for byte (and back); paths never leave the home;
a wrong key is refused; a stopped server closes its sessions and refuses new ones."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from harness.awscli import run_aws_text
from harness.landbridge import LandbridgeServer, landbridge_binary

from .conftest import _pools

MIB = 1024 * 1024


def client(server, service: str):
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, s3={"addressing_style": "path"}),
    )


@pytest.fixture(scope="module")
def landbridge(tmp_path_factory):
    """A server of this module's own, with a data directory to find its logs in."""
    block = f"127.{next(_pools)}"
    data = tmp_path_factory.mktemp("landbridge-data")
    server = LandbridgeServer(landbridge_binary(), extra_args=("--fabric-pool", f"{block}.0.0/16"), data_dir=data).start()
    try:
        yield server
    finally:
        server.close()


def keypair(directory: Path, name: str) -> tuple[Path, str]:
    key = directory / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True, timeout=30)
    return key, (directory / f"{name}.pub").read_text().strip()


def endpoint(server, server_id: str, protocol: str = "sftp") -> tuple[str, int]:
    """Where `server_id` listens, from /_landbridge/endpoints (FTP and FTPS share one port)."""
    listed = json.loads(server.raw_request("GET", "/_landbridge/endpoints").body)["endpoints"]
    (e,) = [e for e in listed if e["resource_id"] == server_id and e["protocol"] == protocol]
    return e["address"], e["port"]


def sftp(address: str, port: int, key: Path, user: str, commands: str, cwd: Path) -> subprocess.CompletedProcess:
    """OpenSSH's sftp in batch mode; a command prefixed with `-` may fail."""
    batch = cwd / f"batch-{uuid.uuid4().hex[:6]}"
    batch.write_text(commands)
    return subprocess.run(
        [
            "sftp", "-b", str(batch), "-P", str(port), "-i", str(key),
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
            f"{user}@{address}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def setup(landbridge, tmp_path_factory):
    work = tmp_path_factory.mktemp("sftp")
    s3 = client(landbridge, "s3")
    transfer = client(landbridge, "transfer")
    bucket = f"sftp-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    key, public = keypair(work, "alice")
    server_id = transfer.create_server(Protocols=["SFTP"], IdentityProviderType="SERVICE_MANAGED")["ServerId"]
    transfer.create_user(
        ServerId=server_id,
        UserName="alice",
        Role="arn:aws:iam::000000000000:role/transfer",
        HomeDirectory=f"/{bucket}/home/alice",
        SshPublicKeyBody=public,
    )
    return {"work": work, "s3": s3, "transfer": transfer, "bucket": bucket, "key": key, "server": server_id}


def test_the_server_is_online_on_its_own_address(landbridge, setup):
    d = setup["transfer"].describe_server(ServerId=setup["server"])["Server"]
    assert d["State"] == "ONLINE"
    assert d["HostKeyFingerprint"].startswith("SHA256:")
    address, port = endpoint(landbridge, setup["server"])
    assert address.startswith("127.") and address != "127.0.0.1"
    # The client sees the same host key the API reports.
    scanned = subprocess.run(["ssh-keyscan", "-p", str(port), "-t", "ed25519", address], capture_output=True, text=True, timeout=30)
    line = next(l for l in scanned.stdout.splitlines() if "ssh-ed25519" in l)
    printed = subprocess.run(["ssh-keygen", "-l", "-f", "-"], input=line, capture_output=True, text=True, timeout=30).stdout
    assert d["HostKeyFingerprint"] in printed


def test_upload_download_list_rename_mkdir_and_remove(landbridge, setup):
    work, s3, bucket = setup["work"], setup["s3"], setup["bucket"]
    address, port = endpoint(landbridge, setup["server"])
    small = work / "small.txt"
    small.write_bytes(b"hello from sftp\n")
    big = work / "big.bin"
    with open(big, "wb") as f:
        f.write(os.urandom(24 * MIB))
    done = sftp(
        address, port, setup["key"], "alice",
        "pwd\nput small.txt\nput big.bin\nmkdir reports\nput small.txt reports/r1.txt\n"
        "rename small.txt renamed.txt\nls -l\nget big.bin big-back.bin\nget reports/r1.txt\n",
        work,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert f"/{bucket}/home/alice" in done.stdout
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == ["home/alice/big.bin", "home/alice/renamed.txt", "home/alice/reports/", "home/alice/reports/r1.txt"]
    assert s3.get_object(Bucket=bucket, Key="home/alice/big.bin")["Body"].read() == big.read_bytes()
    listed = run_aws_text("s3", "ls", f"s3://{bucket}/home/alice/", endpoint_url=landbridge.url).stdout
    assert f"{24 * MIB} big.bin" in listed and "PRE reports/" in listed, listed
    assert (work / "big-back.bin").read_bytes() == big.read_bytes()
    assert (work / "r1.txt").read_bytes() == small.read_bytes()
    assert "renamed.txt" in done.stdout and "reports" in done.stdout

    # What arrives through S3 is visible over SFTP, byte for byte.
    s3.put_object(Bucket=bucket, Key="home/alice/from-s3.bin", Body=b"\x00\x01" * 5000)
    done = sftp(address, port, setup["key"], "alice", "get from-s3.bin\nrm renamed.txt\nrm reports/r1.txt\nrmdir reports\n", work)
    assert done.returncode == 0, done.stderr
    assert (work / "from-s3.bin").read_bytes() == b"\x00\x01" * 5000
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == ["home/alice/big.bin", "home/alice/from-s3.bin"]

    # Every session's events are in the server's log.
    logs = Path(landbridge.data_dir) / "transfer-logs" / f"{setup['server']}.log"
    events = [json.loads(l) for l in logs.read_text().splitlines()]
    kinds = {e["activity-type"] for e in events}
    assert {"CONNECTED", "AUTH_SUCCESS", "OPEN", "CLOSE", "RENAME", "DELETE", "MKDIR", "EXIT"} <= kinds
    closes = [e for e in events if e["activity-type"] == "CLOSE" and e["path"].endswith("/big.bin") and "bytes-in" in e]
    assert closes and closes[0]["bytes-in"] == 24 * MIB and closes[0]["user"] == "alice"


def test_paths_stay_in_the_home(landbridge, setup):
    work, s3, bucket = setup["work"], setup["s3"], setup["bucket"]
    s3.put_object(Bucket=bucket, Key="home/bob/secret.txt", Body=b"bob's")
    s3.put_object(Bucket=bucket, Key="top-secret.txt", Body=b"root's")
    address, port = endpoint(landbridge, setup["server"])
    for attempt in [
        "get ../bob/secret.txt",
        f"get /{bucket}/home/bob/secret.txt",
        f"get /{bucket}/top-secret.txt",
        "get ../../top-secret.txt",
        "ls ..",
        "cd /",
        "put small.txt ../bob/planted.txt",
        "get %2e%2e/bob/secret.txt",
    ]:
        done = sftp(address, port, setup["key"], "alice", attempt + "\n", work)
        assert done.returncode != 0, attempt
    assert not (work / "secret.txt").exists() and not (work / "top-secret.txt").exists()
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert "home/bob/planted.txt" not in keys


def test_wrong_key_is_refused_and_a_stopped_server_refuses(landbridge, setup):
    work, transfer = setup["work"], setup["transfer"]
    address, port = endpoint(landbridge, setup["server"])
    other, _ = keypair(work, "mallory")
    done = sftp(address, port, other, "alice", "ls\n", work)
    # Service-managed users sign in with keys and nothing else, and are told so.
    assert done.returncode != 0 and "Permission denied (publickey)." in done.stderr, done.stderr
    done = sftp(address, port, setup["key"], "nobody", "ls\n", work)
    assert done.returncode != 0

    # A session in progress ends when the server stops.
    session = subprocess.Popen(
        ["sftp", "-P", str(port), "-i", str(setup["key"]), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
         "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", f"alice@{address}"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        session.stdin.write("pwd\n")
        session.stdin.flush()
        # Without a terminal sftp may echo the command first.
        lines = [session.stdout.readline()]
        if "Remote working directory" not in lines[0]:
            lines.append(session.stdout.readline())
        assert "Remote working directory" in lines[-1], lines
        transfer.stop_server(ServerId=setup["server"])
        assert transfer.describe_server(ServerId=setup["server"])["Server"]["State"] == "OFFLINE"
        # sftp notices the closed connection when it next sends a command.
        try:
            session.stdin.write("ls\n")
            session.stdin.flush()
        except BrokenPipeError:
            pass
        assert session.wait(timeout=30) != 0
        assert "Connection closed" in session.stderr.read()
    finally:
        if session.poll() is None:
            session.kill()
    done = sftp(address, port, setup["key"], "alice", "ls\n", work)
    assert done.returncode != 0
    assert all(e["resource_id"] != setup["server"] for e in json.loads(landbridge.raw_request("GET", "/_landbridge/endpoints").body)["endpoints"])

    transfer.start_server(ServerId=setup["server"])
    assert transfer.describe_server(ServerId=setup["server"])["Server"]["State"] == "ONLINE"
    assert endpoint(landbridge, setup["server"]) == (address, port)
    done = sftp(address, port, setup["key"], "alice", "ls\n", work)
    assert done.returncode == 0, done.stderr


def test_passwords_through_a_custom_identity_provider_with_curl_and_lftp(landbridge, setup):
    from harness.identity_provider import IdentityProvider
    from harness.peers import ensure_debian_packages

    ensure_debian_packages("lftp", "curl")
    work, s3, transfer, bucket = setup["work"], setup["s3"], setup["transfer"], setup["bucket"]
    role = "arn:aws:iam::000000000000:role/transfer"
    _, public = keypair(work, "dave")
    with IdentityProvider() as idp:
        idp.users["carol"] = {
            "password": "carol-pw", "Role": role, "HomeDirectoryType": "LOGICAL",
            "HomeDirectoryDetails": json.dumps([{"Entry": "/", "Target": f"/{bucket}/carol"}]),
        }
        idp.users["dave"] = {"password": "unused", "Role": role, "HomeDirectory": f"/{bucket}/dave", "PublicKeys": [public]}
        # curl's libssh2 (1.10 in Debian 12) has no encrypt-then-MAC MACs, the only
        # ones 2023-05 and later policies (the default is 2024-01) offer: as on AWS,
        # such clients need an older policy.
        sid = transfer.create_server(
            IdentityProviderType="API_GATEWAY", IdentityProviderDetails={"Url": idp.url, "InvocationRole": role},
            SecurityPolicyName="TransferSecurityPolicy-2020-06",
        )["ServerId"]
        address, port = endpoint(landbridge, sid)
        payload = work / "curl.bin"
        payload.write_bytes(os.urandom(3 * MIB + 17))

        # curl over SFTP with a password: the logical home's "/" is the bucket prefix.
        up = subprocess.run(["curl", "-sS", "-k", "--user", "carol:carol-pw", "-T", str(payload), f"sftp://{address}:{port}/curl.bin"],
                            capture_output=True, text=True, timeout=120)
        assert up.returncode == 0, up.stderr
        assert s3.get_object(Bucket=bucket, Key="carol/curl.bin")["Body"].read() == payload.read_bytes()
        down = subprocess.run(["curl", "-sS", "-k", "--user", "carol:carol-pw", f"sftp://{address}:{port}/curl.bin"],
                              capture_output=True, timeout=120)
        assert down.returncode == 0 and down.stdout == payload.read_bytes()
        wrong = subprocess.run(["curl", "-sS", "-k", "--user", "carol:nope", f"sftp://{address}:{port}/curl.bin"],
                               capture_output=True, timeout=120)
        assert wrong.returncode != 0
        assert any(r["password"] == "carol-pw" and r["query"]["protocol"] == "SFTP" for r in idp.requests)

        # lftp over SFTP with a password.
        (work / "lftp.txt").write_bytes(b"via lftp\n")
        ssh = "ssh -a -x -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no"
        lftp = subprocess.run(
            ["lftp", "-u", "carol,carol-pw", "-e",
             f'set sftp:auto-confirm yes; set sftp:connect-program "{ssh}"; put lftp.txt; ls; bye',
             f"sftp://{address}:{port}"],
            capture_output=True, text=True, timeout=120, cwd=work,
        )
        assert lftp.returncode == 0, lftp.stderr + lftp.stdout
        assert "curl.bin" in lftp.stdout
        assert s3.get_object(Bucket=bucket, Key="carol/lftp.txt")["Body"].read() == b"via lftp\n"

        # OpenSSH asks again after a mistyped password, on the same connection.
        tries = work / "askpass-tries"
        askpass = work / "askpass.sh"
        askpass.write_text(f'#!/bin/sh\necho try >> {tries}\n'
                           f'if [ "$(wc -l < {tries})" -ge 2 ]; then echo carol-pw; else echo mistyped; fi\n')
        askpass.chmod(0o755)
        retried = subprocess.run(
            ["sftp", "-P", str(port), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
             "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=3", f"carol@{address}"],
            input="put lftp.txt retried.txt\nbye\n", capture_output=True, text=True, timeout=120, cwd=work,
            env={**os.environ, "SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"},
        )
        assert retried.returncode == 0, retried.stderr
        assert tries.read_text().count("try") == 2
        assert s3.get_object(Bucket=bucket, Key="carol/retried.txt")["Body"].read() == b"via lftp\n"

        # The provider's PublicKeys sign dave in with OpenSSH.
        done = sftp(address, port, work / "dave", "dave", "put lftp.txt\n", work)
        assert done.returncode == 0 and "fsetstat" not in done.stderr, done.stderr
        assert s3.get_object(Bucket=bucket, Key="dave/lftp.txt")["Body"].read() == b"via lftp\n"


@pytest.mark.deadline(300)  # a debug build ciphers 1 GiB slowly (AES-CTR under the default policy)
def test_a_1_gib_upload_arrives_intact(landbridge, setup, tmp_path):
    import hashlib

    s3, bucket = setup["s3"], setup["bucket"]
    address, port = endpoint(landbridge, setup["server"])
    big = tmp_path / "one-gib.bin"
    md5 = hashlib.md5()
    block = os.urandom(MIB)
    with open(big, "wb") as f:
        for i in range(1024):
            chunk = block[:-4] + i.to_bytes(4, "big")
            md5.update(chunk)
            f.write(chunk)
    done = sftp(address, port, setup["key"], "alice", "put one-gib.bin\n", tmp_path)
    assert done.returncode == 0, done.stderr
    head = s3.head_object(Bucket=bucket, Key="home/alice/one-gib.bin")
    assert head["ContentLength"] == 1024 * MIB
    assert head["ETag"].strip('"') == md5.hexdigest()
    big.unlink()
    s3.delete_object(Bucket=bucket, Key="home/alice/one-gib.bin")


def efs_user(landbridge, setup, fs: str, name: str, uid: int, gid: int) -> tuple[Path, str, int, Path]:
    """A new EFS-domain server with user `name` (home /fs/home/name, POSIX uid:gid): the
    user's key, the server's address and port, and where the home is on this machine."""
    key, public = keypair(setup["work"], name)
    sid = setup["transfer"].create_server(Domain="EFS")["ServerId"]
    setup["transfer"].create_user(
        ServerId=sid, UserName=name, Role="arn:aws:iam::000000000000:role/transfer",
        HomeDirectory=f"/{fs}/home/{name}", PosixProfile={"Uid": uid, "Gid": gid}, SshPublicKeyBody=public,
    )
    address, port = endpoint(landbridge, sid)
    return key, address, port, Path(landbridge.data_dir) / "efs" / fs / "home" / name


def test_the_efs_domain_writes_files_owned_by_the_posix_profile(landbridge, setup):
    work = setup["work"]
    key, address, port, home = efs_user(landbridge, setup, "fs-0123456789abcdef0", "erin", 1234, 5678)
    (work / "part1").write_bytes(b"A" * 100_000)
    (work / "part2").write_bytes(b"B" * 50_000)
    # reput resumes an upload: it writes at the offset where the file ends,
    # which EFS (unlike S3) allows.
    (work / "whole").write_bytes(b"A" * 100_000 + b"B" * 50_000)
    done = sftp(address, port, key, "erin",
                "put part1 whole\nreput whole\nmkdir sub\nput part2 sub/p2\nrename sub/p2 sub/q2\nls -n\n", work)
    assert done.returncode == 0, done.stderr + done.stdout
    assert (home / "whole").read_bytes() == b"A" * 100_000 + b"B" * 50_000
    assert (home / "sub" / "q2").read_bytes() == b"B" * 50_000
    for p in [home, home / "whole", home / "sub", home / "sub" / "q2"]:
        st = p.stat()
        assert (st.st_uid, st.st_gid) == (1234, 5678), p
    assert "1234" in done.stdout and "5678" in done.stdout

    # A symlink planted on the server's side leads nowhere.
    outside = work / "outside-secret"
    outside.write_bytes(b"secret")
    os.symlink(outside, home / "link")
    os.symlink(work, home / "dirlink")
    for attempt in ["get link", "ls dirlink", "get dirlink/outside-secret", "put part1 dirlink/planted"]:
        denied = sftp(address, port, key, "erin", attempt + "\n", work)
        assert denied.returncode != 0, attempt
    assert not (work / "planted").exists() and not (work / "link").exists()


def test_ftp_and_ftps_with_lftp_and_curl(landbridge, setup):
    from harness.identity_provider import IdentityProvider
    from harness.peers import ensure_debian_packages

    ensure_debian_packages("lftp", "curl")
    work, s3, transfer, bucket = setup["work"], setup["s3"], setup["transfer"], setup["bucket"]
    role = "arn:aws:iam::000000000000:role/transfer"
    cert = "arn:aws:acm:us-east-1:000000000000:certificate/0a1b2c3d-0000-1111-2222-333344445555"
    with IdentityProvider() as idp:
        idp.users["frank"] = {"password": "frank-pw", "Role": role, "HomeDirectory": f"/{bucket}/frank"}
        details = {"Url": idp.url, "InvocationRole": role}
        sid = transfer.create_server(
            Protocols=["FTP", "FTPS"], EndpointType="VPC", IdentityProviderType="API_GATEWAY",
            IdentityProviderDetails=details, Certificate=cert,
            EndpointDetails={"VpcId": "vpc-0123456789abcdef0", "SubnetIds": ["subnet-0123456789abcdef0"]},
        )["ServerId"]
        address, port = endpoint(landbridge, sid, "ftp")
        payload = work / "ftp.bin"
        payload.write_bytes(os.urandom(2 * MIB + 3))

        # Plain FTP with lftp: upload, list, download.
        plain = subprocess.run(
            ["lftp", "-u", "frank,frank-pw", "-e",
             "set ftp:ssl-allow no; set net:max-retries 1; put ftp.bin; mkdir reports; ls; get ftp.bin -o ftp-back.bin; bye",
             f"ftp://{address}:{port}"],
            capture_output=True, text=True, timeout=120, cwd=work,
        )
        assert plain.returncode == 0, plain.stderr + plain.stdout
        assert "ftp.bin" in plain.stdout and "reports" in plain.stdout
        assert s3.get_object(Bucket=bucket, Key="frank/ftp.bin")["Body"].read() == payload.read_bytes()
        assert (work / "ftp-back.bin").read_bytes() == payload.read_bytes()
        assert any(r["query"].get("protocol") == "FTP" for r in idp.requests)

        # Explicit FTPS with lftp and with curl.
        secure = subprocess.run(
            ["lftp", "-u", "frank,frank-pw", "-e",
             "set ftp:ssl-force yes; set ftp:ssl-protect-data yes; set ssl:verify-certificate no; set net:max-retries 1; "
             "put ftp.bin -o tls.bin; mv tls.bin tls-renamed.bin; bye",
             f"ftp://{address}:{port}"],
            capture_output=True, text=True, timeout=120, cwd=work,
        )
        assert secure.returncode == 0, secure.stderr + secure.stdout
        assert s3.get_object(Bucket=bucket, Key="frank/tls-renamed.bin")["Body"].read() == payload.read_bytes()
        assert any(r["query"].get("protocol") == "FTPS" for r in idp.requests)
        got = subprocess.run(["curl", "-sS", "--ssl-reqd", "-k", "--user", "frank:frank-pw", f"ftp://{address}:{port}/tls-renamed.bin"],
                             capture_output=True, timeout=120)
        assert got.returncode == 0, got.stderr
        assert got.stdout == payload.read_bytes()
        wrong = subprocess.run(["curl", "-sS", "--ssl-reqd", "-k", "--user", "frank:nope", f"ftp://{address}:{port}/tls-renamed.bin"],
                               capture_output=True, timeout=120)
        assert wrong.returncode != 0
        # --path-as-is: curl sends the `..` instead of resolving it itself.
        escape = subprocess.run(["curl", "-sS", "-k", "--path-as-is", "--user", "frank:frank-pw",
                                 f"ftp://{address}:{port}/../top-secret.txt"], capture_output=True, timeout=120)
        assert escape.returncode != 0 and b"root's" not in escape.stdout

        # An FTPS-only server refuses plain sign-ins.
        only = transfer.create_server(
            Protocols=["FTPS"], IdentityProviderType="API_GATEWAY", IdentityProviderDetails=details, Certificate=cert,
        )["ServerId"]
        only_at = "{}:{}".format(*endpoint(landbridge, only, "ftp"))
        refused = subprocess.run(["curl", "-sS", "--user", "frank:frank-pw", f"ftp://{only_at}/"],
                                 capture_output=True, timeout=120)
        assert refused.returncode != 0
        allowed = subprocess.run(["curl", "-sS", "--ssl-reqd", "-k", "--user", "frank:frank-pw", f"ftp://{only_at}/"],
                                 capture_output=True, text=True, timeout=120)
        assert allowed.returncode == 0 and "tls-renamed.bin" in allowed.stdout, allowed.stderr

        # Stopping the server ends an open FTP session and closes the listener.
        import ftplib

        session = ftplib.FTP()
        session.connect(address, port, timeout=30)
        session.login("frank", "frank-pw")
        assert session.pwd() == "/"
        transfer.stop_server(ServerId=sid)
        with pytest.raises((EOFError, OSError, ftplib.Error)):
            session.voidcmd("NOOP")
        gone = subprocess.run(["curl", "-sS", "--user", "frank:frank-pw", f"ftp://{address}:{port}/"], capture_output=True, timeout=60)
        assert gone.returncode != 0


def test_the_security_policy_decides_the_algorithms(landbridge, setup):
    work, transfer = setup["work"], setup["transfer"]
    key, public = keypair(work, "hana")
    sid = transfer.create_server(SecurityPolicyName="TransferSecurityPolicy-2022-03")["ServerId"]
    transfer.create_user(ServerId=sid, UserName="hana", Role="arn:aws:iam::000000000000:role/transfer",
                         HomeDirectory=f"/{setup['bucket']}/hana", SshPublicKeyBody=public)
    address, port = endpoint(landbridge, sid)

    def connect(*options: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["sftp", "-b", "/dev/null", "-P", str(port), "-i", str(key), "-o", "StrictHostKeyChecking=no",
             "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
             *options, f"hana@{address}"],
            capture_output=True, text=True, timeout=60,
        )

    # 2022-03 has no chacha20-poly1305 and no aes128-ctr.
    assert connect("-o", "Ciphers=chacha20-poly1305@openssh.com").returncode != 0
    assert connect("-o", "Ciphers=aes128-ctr").returncode != 0
    assert connect("-o", "Ciphers=aes256-gcm@openssh.com").returncode == 0
    # 2020-06 has no curve25519; the change applies from the next connection.
    transfer.update_server(ServerId=sid, SecurityPolicyName="TransferSecurityPolicy-2020-06")
    refused = connect("-o", "KexAlgorithms=curve25519-sha256")
    assert refused.returncode != 0 and "no matching key exchange" in refused.stderr, refused.stderr
    assert connect("-o", "KexAlgorithms=ecdh-sha2-nistp256").returncode == 0
    assert connect("-o", "Ciphers=chacha20-poly1305@openssh.com").returncode == 0
    # 2024-01 (the default) has only encrypt-then-MAC MACs.
    transfer.update_server(ServerId=sid, SecurityPolicyName="TransferSecurityPolicy-2024-01")
    refused = connect("-o", "MACs=hmac-sha2-256", "-o", "Ciphers=aes128-ctr")
    assert refused.returncode != 0 and "no matching MAC" in refused.stderr, refused.stderr
    assert connect("-o", "MACs=hmac-sha2-256-etm@openssh.com", "-o", "Ciphers=aes128-ctr").returncode == 0


def test_banners_greet_sftp_and_ftp_and_ftp_sessions_are_logged(landbridge, setup):
    import ftplib

    from harness.identity_provider import IdentityProvider

    work, transfer, bucket = setup["work"], setup["transfer"], setup["bucket"]
    role = "arn:aws:iam::000000000000:role/transfer"

    # OpenSSH prints the pre-authentication banner before signing in; an empty one clears it.
    transfer.update_server(ServerId=setup["server"], PreAuthenticationLoginBanner="Authorised use only.\nSessions are logged.")
    try:
        done = sftp(*endpoint(landbridge, setup["server"]), setup["key"], "alice", "pwd\n", work)
        assert done.returncode == 0, done.stderr
        assert "Authorised use only.\nSessions are logged." in done.stderr
    finally:
        transfer.update_server(ServerId=setup["server"], PreAuthenticationLoginBanner="")
    done = sftp(*endpoint(landbridge, setup["server"]), setup["key"], "alice", "pwd\n", work)
    assert done.returncode == 0 and "Authorised" not in done.stderr, done.stderr

    with IdentityProvider() as idp:
        idp.users["gina"] = {"password": "gina-pw", "Role": role, "HomeDirectory": f"/{bucket}/gina"}
        sid = transfer.create_server(
            Protocols=["FTP"], EndpointType="VPC", IdentityProviderType="API_GATEWAY",
            IdentityProviderDetails={"Url": idp.url, "InvocationRole": role},
            EndpointDetails={"VpcId": "vpc-0123456789abcdef0", "SubnetIds": ["subnet-0123456789abcdef0"]},
            PreAuthenticationLoginBanner="Authorised use only.\nSessions are logged.",
        )["ServerId"]
        ftp_at = endpoint(landbridge, sid, "ftp")

        # FTP greets with the banner (on one line: the 220 reply).
        session = ftplib.FTP()
        session.connect(*ftp_at, timeout=30)
        assert session.getwelcome() == "220 Authorised use only. Sessions are logged."
        session.login("gina", "gina-pw")
        session.quit()

        # A changed banner greets the next connection.
        transfer.update_server(ServerId=sid, PreAuthenticationLoginBanner="Maintenance tonight")
        ftp_at = endpoint(landbridge, sid, "ftp")
        again = ftplib.FTP()
        again.connect(*ftp_at, timeout=30)
        assert again.getwelcome() == "220 Maintenance tonight"
        again.login("gina", "gina-pw")
        # Leaving without QUIT still ends the session in the log.
        again.close()

    logs = Path(landbridge.data_dir) / "transfer-logs" / f"{sid}.log"
    deadline = time.monotonic() + 30
    while True:
        events = [json.loads(line) for line in logs.read_text().splitlines()]
        sessions: dict[str, list[str]] = {}
        for e in events:
            sessions.setdefault(e["session-id"], []).append(e["activity-type"])
        if sum(kinds[-1:] == ["EXIT"] for kinds in sessions.values()) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(sessions) == 2
    for kinds in sessions.values():
        assert kinds == ["CONNECTED", "AUTH_SUCCESS", "EXIT"], kinds
    assert all(e.get("user") == "gina" for e in events if e["activity-type"] == "EXIT")


def test_public_key_and_password_needs_both(landbridge, setup):
    from harness.identity_provider import IdentityProvider
    from harness.peers import ensure_debian_packages

    ensure_debian_packages("lftp")
    work, s3, transfer, bucket = setup["work"], setup["s3"], setup["transfer"], setup["bucket"]
    role = "arn:aws:iam::000000000000:role/transfer"
    key, public = keypair(work, "hugo")
    other, _ = keypair(work, "hugo-other")
    with IdentityProvider() as idp:
        idp.users["hugo"] = {"password": "hugo-pw", "Role": role, "HomeDirectory": f"/{bucket}/hugo", "PublicKeys": [public]}
        sid = transfer.create_server(
            IdentityProviderType="API_GATEWAY",
            IdentityProviderDetails={"Url": idp.url, "InvocationRole": role, "SftpAuthenticationMethods": "PUBLIC_KEY_AND_PASSWORD"},
        )["ServerId"]
        address, port = endpoint(landbridge, sid)
        (work / "both.txt").write_bytes(b"key and password\n")

        def lftp(password: str, identity: Path | None) -> subprocess.CompletedProcess:
            keys = f"-i {identity} -o IdentitiesOnly=yes" if identity else "-o PubkeyAuthentication=no"
            ssh = f"ssh -a -x -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no {keys}"
            return subprocess.run(
                ["lftp", "-u", f"hugo,{password}", "-e",
                 f'set sftp:auto-confirm yes; set net:max-retries 1; set sftp:connect-program "{ssh}"; put both.txt; bye',
                 f"sftp://{address}:{port}"],
                capture_output=True, text=True, timeout=120, cwd=work,
            )

        # The key alone (OpenSSH in batch mode cannot answer a password prompt) is not enough.
        alone = sftp(address, port, key, "hugo", "put both.txt\n", work)
        assert alone.returncode != 0
        # The key was a partial success: only a password is left to offer.
        assert "Permission denied (password)" in alone.stderr, alone.stderr
        # Nor the password alone, nor another key with the right password.
        assert lftp("hugo-pw", None).returncode != 0
        assert lftp("hugo-pw", other).returncode != 0
        assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="hugo/")
        # The key, then the password: signed in.
        both = lftp("hugo-pw", key)
        assert both.returncode == 0, both.stderr + both.stdout
        assert s3.get_object(Bucket=bucket, Key="hugo/both.txt")["Body"].read() == b"key and password\n"
        # The right key with a wrong password is refused.
        assert lftp("nope", key).returncode != 0


def test_ftps_offers_the_security_policys_tls_suites(landbridge, setup):
    from harness.identity_provider import IdentityProvider

    s3, transfer, bucket = setup["s3"], setup["transfer"], setup["bucket"]
    role = "arn:aws:iam::000000000000:role/transfer"
    cert = "arn:aws:acm:us-east-1:000000000000:certificate/0a1b2c3d-0000-1111-2222-333344445555"
    # A home that exists (on S3, a home with nothing under it cannot be listed, as on AWS).
    s3.put_object(Bucket=bucket, Key="ivan/readme.txt", Body=b"hello\n")
    with IdentityProvider() as idp:
        idp.users["ivan"] = {"password": "ivan-pw", "Role": role, "HomeDirectory": f"/{bucket}/ivan"}
        sid = transfer.create_server(
            Protocols=["FTPS"], IdentityProviderType="API_GATEWAY", Certificate=cert,
            IdentityProviderDetails={"Url": idp.url, "InvocationRole": role},
        )["ServerId"]
        ftp_at = endpoint(landbridge, sid, "ftp")

        def curl(*options: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                ["curl", "-sS", "--ssl-reqd", "-k", "--user", "ivan:ivan-pw", *options, "ftp://{}:{}/".format(*ftp_at)],
                capture_output=True, text=True, timeout=60,
            )

        # The policies name TLS 1.2 ECDHE suites: AES-GCM is offered, ChaCha20 and TLS 1.3 are not.
        listed = curl("--tls-max", "1.2", "--ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384")
        assert listed.returncode == 0 and "readme.txt" in listed.stdout, listed.stderr
        assert curl("--tls-max", "1.2", "--ciphers", "ECDHE-ECDSA-CHACHA20-POLY1305").returncode != 0
        assert curl("--tlsv1.3").returncode != 0
        described = transfer.describe_security_policy(SecurityPolicyName="TransferSecurityPolicy-2024-01")["SecurityPolicy"]
        assert "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" in described["TlsCiphers"]
        assert not any("CHACHA20" in c for c in described["TlsCiphers"])


def test_setstat_is_kept_on_efs_and_refused_on_s3_unless_no_op(landbridge, setup):
    work, transfer, s3, bucket = setup["work"], setup["transfer"], setup["s3"], setup["bucket"]
    address, port = endpoint(landbridge, setup["server"])
    (work / "stamped.txt").write_bytes(b"stamped\n")
    os.chmod(work / "stamped.txt", 0o640)
    os.utime(work / "stamped.txt", (1_600_000_000, 1_600_000_000))

    # S3 keeps no mode of its own: SETSTAT fails, unless SetStatOption ENABLE_NO_OP.
    assert sftp(address, port, setup["key"], "alice", "put stamped.txt\n", work).returncode == 0
    assert sftp(address, port, setup["key"], "alice", "chmod 600 stamped.txt\n", work).returncode != 0
    # sftp's `put -p` uploads, then reports that the times and mode could not follow.
    kept = sftp(address, port, setup["key"], "alice", "put -p stamped.txt\n", work)
    assert "remote fsetstat: Operation unsupported" in kept.stderr, kept.stderr
    transfer.update_server(ServerId=setup["server"], ProtocolDetails={"SetStatOption": "ENABLE_NO_OP"})
    try:
        done = sftp(address, port, setup["key"], "alice", "chmod 600 stamped.txt\nput -p stamped.txt\n", work)
        assert done.returncode == 0 and "fsetstat" not in done.stderr, done.stderr
        assert s3.get_object(Bucket=bucket, Key="home/alice/stamped.txt")["Body"].read() == b"stamped\n"
    finally:
        transfer.update_server(ServerId=setup["server"], ProtocolDetails={"SetStatOption": "DEFAULT"})

    # EFS keeps mode and times, as the user's POSIX identity may change them.
    key, efs_address, efs_port, home = efs_user(landbridge, setup, "fs-0123456789abcdef1", "jane", 2345, 6789)
    done = sftp(efs_address, efs_port, key, "jane", "put -p stamped.txt\nput stamped.txt plain.txt\nchmod 604 plain.txt\n", work)
    assert done.returncode == 0, done.stderr
    kept = (home / "stamped.txt").stat()
    assert (stat.S_IMODE(kept.st_mode), int(kept.st_mtime)) == (0o640, 1_600_000_000)
    assert stat.S_IMODE((home / "plain.txt").stat().st_mode) == 0o604
    # Only root gives files away.
    assert sftp(efs_address, efs_port, key, "jane", "chown 0 plain.txt\n", work).returncode != 0
    assert (home / "plain.txt").stat().st_uid == 2345
