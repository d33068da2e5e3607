"""Landbridge's SFTP (Transfer Family, S3 domain) against OpenSSH's sshd with
internal-sftp writing to local disk: the same file uploaded and downloaded by the same
OpenSSH sftp client, each side in turn, in one run; throughputs and ratios.

Both servers run on loopback. OpenSSH negotiates its preferred cipher with each
(chacha20-poly1305 with sshd; with Landbridge whatever russh offers first that sftp
accepts), so the comparison is of the two servers as a user meets them.
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
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with __import__("socket").create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("sshd did not start")


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
        sid = transfer.create_server()["ServerId"]
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
    finally:
        if sshd:
            sshd.terminate()
            sshd.wait(timeout=10)
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
