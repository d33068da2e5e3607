"""Fixtures for the conformance suite: one Landbridge server per test session, plus the
three ways a user reaches it (boto3, the AWS CLI, and raw HTTP for what SDKs refuse to send).

The server is started from the built binary on a free port; if the binary is missing,
every test that needs it fails with a message saying how to build it (never a skip:
a suite that silently skips everything looks green).
"""

from __future__ import annotations


import boto3
import pytest
from botocore.config import Config

from harness.awscli import run_aws
from harness.landbridge import LandbridgeServer, landbridge_binary, missing_binary_message, raw_request as _raw_request, sigv4_headers

def start_server(**kwargs) -> LandbridgeServer:
    """Start a fresh server (ephemeral unless `data_dir=` is given), or fail the test
    with a build hint."""
    binary = landbridge_binary()
    if not binary.is_file():
        pytest.fail(missing_binary_message(binary), pytrace=False)
    return LandbridgeServer(binary, **kwargs).start()


@pytest.fixture(scope="session")
def landbridge():
    """The shared server: `.url`, `.port`, `.proc` (a harness Process), `.raw_request(...)`."""
    server = start_server()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def fresh_landbridge():
    """Factory for extra servers that one test owns (e.g. to stop one); closed after it."""
    servers = []

    def start(**kwargs) -> LandbridgeServer:
        server = start_server(**kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def client(landbridge):
    """Factory: `client(service, region="us-east-1", access_key="test", validate=True)`.

    No retries, so a 5xx shows up as the failure it is; `validate=False` turns off
    botocore's client-side parameter checks to let the server judge bad values.
    """

    def make(service: str, region: str = "us-east-1", access_key: str = "test", validate: bool = True):
        session = boto3.session.Session(
            aws_access_key_id=access_key,
            aws_secret_access_key="test",
            region_name=region,
        )
        config = Config(
            connect_timeout=10,
            read_timeout=60,
            retries={"total_max_attempts": 1, "mode": "standard"},
            parameter_validation=validate,
        )
        return session.client(service, endpoint_url=landbridge.url, config=config)

    return make


@pytest.fixture
def aws(landbridge):
    """Run the AWS CLI: `aws("sts", "get-caller-identity", env={...})` -> parsed JSON.

    Raises harness.awscli.AwsCliError (with `.code`, `.stderr`) on failure.  Pass
    `endpoint_flag=False` to leave out `--endpoint-url` (e.g. to test AWS_ENDPOINT_URL).
    """

    def run(*args: str, env: dict | None = None, endpoint_flag: bool = True):
        return run_aws(*args, endpoint_url=landbridge.url if endpoint_flag else None, env=env)

    return run


@pytest.fixture
def raw_request(landbridge):
    """`raw_request(method, path, body=None, headers=None)` -> (status, headers, body)."""

    def send(method: str, path: str, body: bytes | str | None = None, headers: dict | None = None, timeout: float = 30.0):
        return _raw_request(landbridge.port, method, path, body, headers, timeout=timeout)

    return send


@pytest.fixture
def signed_request(landbridge):
    """`signed_request(path, body, headers, service, region="us-east-1", access_key="test")`:
    a POST signed with SigV4 like an SDK would sign it, sent as-is."""

    def send(path: str, body: bytes, headers: dict, service: str, region: str = "us-east-1", access_key: str = "test", timeout: float = 30.0):
        if isinstance(body, str):
            body = body.encode()
        signed = sigv4_headers(landbridge.url + path, body, headers, service, region, access_key)
        return _raw_request(landbridge.port, "POST", path, body, signed, timeout=timeout)

    return send


@pytest.fixture
def assert_still_serving(landbridge, client):
    """Call after abusing the server: it is alive and still answers a real API call."""

    def check():
        assert landbridge.proc.returncode is None, (
            f"landbridge exited with {landbridge.proc.returncode}; stderr:\n{landbridge.stderr_tail()}"
        )
        identity = client("sts").get_caller_identity()
        assert identity["Account"] == "000000000000"

    return check
