"""Landbridge's SFTP (Transfer Family, S3 domain) against OpenSSH's sshd with
internal-sftp writing to local disk: the same file uploaded and downloaded by the same
OpenSSH sftp client, each side in turn, in one run; throughputs and ratios. Then FTP:
the same file through Landbridge's FTP server (a password checked by a custom identity
provider) and through vsftpd (anonymous uploads to local disk), with lftp.

Both servers run on loopback. OpenSSH negotiates its preferred cipher with each
(chacha20-poly1305 with both: the Landbridge server uses TransferSecurityPolicy-2018-11,
which offers it), so the comparison is of the two servers, not of two ciphers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid

import boto3

from api import free_port, start_landbridge

MIB = 1024 * 1024


def make_file(path: str, size_mib: int) -> None:
    chunk = os.urandom(MIB)
    with open(path, "wb") as f:
        for i in range(size_mib):
            f.write(chunk[:-4] + i.to_bytes(4, "big"))
        f.flush()
        os.fsync(f.fileno())


def sftp(address: str, port: int, key: str, user: str, commands: str, cwd: str) -> float:
    batch = os.path.join(cwd, f"batch-{uuid.uuid4().hex[:6]}")
    with open(batch, "w") as f:
        f.write(commands)
    t0 = time.monotonic()
    done = subprocess.run(
        ["sftp", "-b", batch, "-P", str(port), "-i", key, "-o", "StrictHostKeyChecking=no",
         "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
         f"{user}@{address}"],
        capture_output=True, text=True, timeout=3600, cwd=cwd,
    )
    elapsed = time.monotonic() - t0
    if done.returncode != 0:
        raise SystemExit(f"sftp failed: {done.stderr}")
    return elapsed


def accepting(proc: subprocess.Popen, port: int, name: str) -> tuple[subprocess.Popen, int]:
    """`proc` once its loopback port accepts connections (within 10 s)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"{name} did not start")


def lftp(url: str, user: str, commands: str, cwd: str) -> float:
    t0 = time.monotonic()
    done = subprocess.run(
        ["lftp", "-u", user, "-e", f"set ftp:ssl-allow no; set net:max-retries 1; {commands}; bye", url],
        capture_output=True, text=True, timeout=3600, cwd=cwd,
    )
    elapsed = time.monotonic() - t0
    if done.returncode != 0:
        raise SystemExit(f"lftp failed: {done.stderr}")
    return elapsed


def start_vsftpd(work: str) -> tuple[subprocess.Popen, int]:
    """vsftpd with anonymous uploads into <work>/vsftpd/in, passive on loopback."""
    port = free_port()
    root = os.path.join(work, "vsftpd")
    os.makedirs(os.path.join(root, "in"))
    os.chmod(root, 0o555)
    shutil.chown(os.path.join(root, "in"), "ftp", "ftp")
    cfg = os.path.join(work, "vsftpd.conf")
    with open(cfg, "w") as f:
        f.write(
            f"listen=YES\nlisten_address=127.0.0.1\nlisten_port={port}\nbackground=NO\n"
            f"anonymous_enable=YES\nanon_root={root}\nwrite_enable=YES\nanon_upload_enable=YES\n"
            "anon_mkdir_write_enable=YES\nanon_umask=022\nno_anon_password=YES\nlocal_enable=NO\n"
            "pasv_enable=YES\npasv_min_port=51000\npasv_max_port=51999\nseccomp_sandbox=NO\n"
            "secure_chroot_dir=/var/run/vsftpd/empty\nxferlog_enable=NO\n"
        )
    os.makedirs("/var/run/vsftpd/empty", exist_ok=True)
    proc = subprocess.Popen(["/usr/sbin/vsftpd", cfg], stderr=subprocess.DEVNULL)
    return accepting(proc, port, "vsftpd")


def start_sshd(work: str, pubkey: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    host_key = os.path.join(work, "sshd_host_ed25519")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", host_key], check=True)
    keys = os.path.join(work, "authorized_keys")
    shutil.copy(pubkey, keys)
    os.chmod(keys, 0o600)
    cfg = os.path.join(work, "sshd_config")
    with open(cfg, "w") as f:
        f.write(
            f"Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\nUsePAM no\nPermitRootLogin yes\n"
            f"AuthorizedKeysFile {keys}\nStrictModes no\nPasswordAuthentication no\n"
            f"Subsystem sftp internal-sftp\nPidFile {work}/sshd.pid\n"
        )
    os.makedirs("/run/sshd", exist_ok=True)
    proc = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", cfg], stderr=subprocess.DEVNULL)
    return accepting(proc, port, "sshd")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--landbridge", required=True)
    p.add_argument("--size-mib", type=int, default=1024)
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="landbridge-bench-sftp-", dir="/var/tmp")
    server = sshd = None
    try:
        src = os.path.join(work, "payload.bin")
        make_file(src, args.size_mib)
        key = os.path.join(work, "client")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
        server = start_landbridge(args.landbridge, work)
        url = f"http://127.0.0.1:{server.port}"
        kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
        s3, transfer = boto3.client("s3", **kw), boto3.client("transfer", **kw)
        s3.create_bucket(Bucket="bench")
        # 2018-11 offers chacha20-poly1305, the cipher sftp picks with sshd.
        sid = transfer.create_server(SecurityPolicyName="TransferSecurityPolicy-2018-11")["ServerId"]
        transfer.create_user(ServerId=sid, UserName="bench", Role="arn:aws:iam::000000000000:role/b",
                             HomeDirectory="/bench/in", SshPublicKeyBody=open(key + ".pub").read())
        (ep,) = [e for e in json.loads(urllib.request.urlopen(url + "/_landbridge/endpoints").read())["endpoints"]
                 if e["resource_id"] == sid]
        lb_up = sftp(ep["address"], ep["port"], key, "bench", "put payload.bin\n", work)
        lb_down = sftp(ep["address"], ep["port"], key, "bench", "get payload.bin back-lb.bin\n", work)
        assert os.path.getsize(os.path.join(work, "back-lb.bin")) == args.size_mib * MIB
        os.remove(os.path.join(work, "back-lb.bin"))

        sshd, port = start_sshd(work, key + ".pub")
        os.makedirs(os.path.join(work, "sshd-root"))
        ssh_up = sftp("127.0.0.1", port, key, "root", f"put payload.bin {work}/sshd-root/payload.bin\n", work)
        ssh_down = sftp("127.0.0.1", port, key, "root", f"get {work}/sshd-root/payload.bin back-ssh.bin\n", work)

        mb = args.size_mib
        print(f"\nSFTP, {mb} MiB, OpenSSH sftp client, release build, one run:")
        print(f"{'direction':<10}{'Landbridge MiB/s':>18}{'sshd MiB/s':>14}{'ratio':>9}")
        for name, lb, ref in [("upload", lb_up, ssh_up), ("download", lb_down, ssh_down)]:
            print(f"{name:<10}{mb / lb:>18.1f}{mb / ref:>14.1f}{ref / lb:>8.2f}x")
        worst = min(ssh_up / lb_up, ssh_down / lb_down)
        print(f"target: >= 0.7x OpenSSH in both directions: {'met' if worst >= 0.7 else 'NOT met'} ({worst:.2f}x)")
        print(f"Landbridge peak RSS (VmHWM): {int(open(f'/proc/{server.proc.pid}/status').read().split('VmHWM:')[1].split()[0]) / 1024:.1f} MiB")

        # FTP: Landbridge (password through a custom identity provider) and vsftpd.
        import sys
        sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
        from harness.identity_provider import IdentityProvider

        with IdentityProvider() as idp:
            idp.users["bench"] = {"password": "bench-pw", "Role": "arn:aws:iam::000000000000:role/b", "HomeDirectory": "/bench/ftp"}
            fid = transfer.create_server(
                Protocols=["FTP"], EndpointType="VPC", IdentityProviderType="API_GATEWAY",
                IdentityProviderDetails={"Url": idp.url, "InvocationRole": "arn:aws:iam::000000000000:role/b"},
            )["ServerId"]
            (fep,) = [e for e in json.loads(urllib.request.urlopen(url + "/_landbridge/endpoints").read())["endpoints"]
                      if e["resource_id"] == fid]
            lb_url = f"ftp://{fep['address']}:{fep['port']}"
            lb_ftp_up = lftp(lb_url, "bench,bench-pw", "put payload.bin", work)
            lb_ftp_down = lftp(lb_url, "bench,bench-pw", "get payload.bin -o back-lbftp.bin", work)
        os.remove(os.path.join(work, "back-lbftp.bin"))
        vsftpd, vport = start_vsftpd(work)
        vs_url = f"ftp://127.0.0.1:{vport}"
        vs_up = lftp(vs_url, "anonymous,", "put payload.bin -o in/payload.bin", work)
        vs_down = lftp(vs_url, "anonymous,", "get in/payload.bin -o back-vs.bin", work)
        vsftpd.terminate()
        vsftpd.wait(timeout=10)
        print(f"\nFTP, {mb} MiB, lftp client, one run:")
        print(f"{'direction':<10}{'Landbridge MiB/s':>18}{'vsftpd MiB/s':>14}{'ratio':>9}")
        for name, lb, ref in [("upload", lb_ftp_up, vs_up), ("download", lb_ftp_down, vs_down)]:
            print(f"{name:<10}{mb / lb:>18.1f}{mb / ref:>14.1f}{ref / lb:>8.2f}x")
    finally:
        if sshd:
            sshd.terminate()
            sshd.wait(timeout=10)
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
