#!/usr/bin/env bash
# Transfer Family's SFTP against OpenSSH's: a 1 GiB upload and download through
# Landbridge's SFTP server (into its S3) and through sshd's internal-sftp (to local
# disk), with the same OpenSSH sftp client, in one run; then FTP through Landbridge
# and through vsftpd (Debian) with lftp.
#
#   bench/transfer.sh               1 GiB
#   SIZE_MIB=256 bench/transfer.sh  a quick run
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source bench/lib.sh

LANDBRIDGE="$(landbridge_binary)"
ensure_bench_venv
ensure_tool sshd openssh-server
ensure_tool sftp openssh-client
ensure_tool lftp lftp
ensure_tool vsftpd vsftpd

exec "$VENV/bin/python" bench/transfer.py \
    --landbridge "$LANDBRIDGE" \
    --size-mib "${SIZE_MIB:-1024}"
