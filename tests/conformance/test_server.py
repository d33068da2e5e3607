"""The server as a process: how it announces itself, its control endpoints, how it
stops, and how the access key selects the account."""

from __future__ import annotations

import json
import os
import socket

import pytest

from harness.landbridge import READY_LINE, raw_request


def _get_json(landbridge, path):
    status, headers, body = landbridge.raw_request("GET", path)
    assert status == 200, body
    assert headers.get("Content-Type", "").split(";")[0].strip() == "application/json"
    return json.loads(body)


# --------------------------------------------------------------------------- startup


def test_ready_line_names_the_bound_port(landbridge):
    assert READY_LINE.fullmatch(landbridge.ready_line)
    assert landbridge.port != 0
    with socket.create_connection(("127.0.0.1", landbridge.port), timeout=5):
        pass


# --------------------------------------------------------------------------- control API


def test_health_reports_version_uptime_and_services(landbridge):
    health = _get_json(landbridge, "/_landbridge/health")
    assert isinstance(health["version"], str) and health["version"]
    assert isinstance(health["uptime_seconds"], (int, float)) and health["uptime_seconds"] >= 0
    for service in ("sts", "ec2", "directconnect"):
        assert health["services"].get(service) == "running", health["services"]


def test_endpoints_empty_on_a_fresh_server(fresh_landbridge):
    assert _get_json(fresh_landbridge(), "/_landbridge/endpoints") == {"endpoints": []}


# --------------------------------------------------------------------------- accounts


@pytest.mark.parametrize(
    "access_key, account",
    [
        ("test", "000000000000"),
        ("AKIAIOSFODNN7EXAMPLE", "000000000000"),
        ("111122223333", "111122223333"),
        ("444455556666", "444455556666"),
        ("12345678901", "000000000000"),  # 11 digits: not an account id
    ],
)
def test_access_key_selects_account(client, access_key, account):
    identity = client("sts", access_key=access_key).get_caller_identity()
    assert identity["Account"] == account
    assert identity["Arn"] == f"arn:aws:iam::{account}:root"


# --------------------------------------------------------------------------- shutdown


@pytest.mark.deadline(90)
def test_sigterm_stops_gracefully(fresh_landbridge):
    """A separate instance, so the shared one keeps serving the other tests."""
    server = fresh_landbridge()
    status, _, body = raw_request(server.port, "GET", "/_landbridge/health")
    assert status == 200, body
    code = server.stop(term_timeout=10)
    assert code == 0, f"exit status {code} after SIGTERM; stderr:\n{server.stderr_tail()}"
    assert server.stdout_lines() == [server.ready_line], (
        f"stdout should hold only the ready line, got {server.stdout_lines()!r}"
    )
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=5).close()


# --------------------------------------------------------------------------- data directory


def test_ephemeral_data_dir_exists_while_running_and_is_removed_on_exit(fresh_landbridge):
    server = fresh_landbridge()
    data_dir = _get_json(server, "/_landbridge/health")["data_dir"]
    assert os.path.isdir(data_dir), data_dir
    assert server.stop(term_timeout=10) == 0, server.stderr_tail()
    assert not os.path.exists(data_dir), f"{data_dir} left behind by an --ephemeral server"


def test_data_dir_is_created_and_kept(fresh_landbridge, tmp_path):
    wanted = tmp_path / "nested" / "state"
    server = fresh_landbridge(data_dir=wanted)
    assert _get_json(server, "/_landbridge/health")["data_dir"] == str(wanted)
    assert wanted.is_dir()
    assert server.stop(term_timeout=10) == 0, server.stderr_tail()
    assert wanted.is_dir(), "a --data-dir must survive shutdown"
