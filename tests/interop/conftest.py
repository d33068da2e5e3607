"""Fixtures for interop tests: a Landbridge of the module's own, with its own block of
the loopback fabric (so its tunnel addresses never collide with another server's),
real peers installed from Debian, and boto3 clients for it."""

from __future__ import annotations

import itertools

import boto3
import pytest
from botocore.config import Config

from harness import bgp_peers
from harness.landbridge import LandbridgeServer, landbridge_binary, missing_binary_message

# 127.100.0.0/16 is the default pool (the conformance server's); modules take others.
_pools = itertools.count(101)


@pytest.fixture(scope="session")
def bgp_daemons():
    """GoBGP, BIRD and FRR, installed when missing."""
    bgp_peers.install()


def start_landbridge(*extra: str) -> tuple[LandbridgeServer, str]:
    """A fresh server with its own fabric block; returns it and the block's prefix."""
    binary = landbridge_binary()
    if not binary.is_file():
        pytest.fail(missing_binary_message(binary), pytrace=False)
    block = f"127.{next(_pools)}"
    server = LandbridgeServer(binary, extra_args=("--fabric-pool", f"{block}.0.0/16", *extra)).start()
    return server, block


@pytest.fixture(scope="module")
def landbridge():
    server, _ = start_landbridge()
    try:
        yield server
    finally:
        server.close()


def ec2_client(server: LandbridgeServer, region: str = "us-east-1"):
    return boto3.client(
        "ec2",
        endpoint_url=server.url,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )


@pytest.fixture(scope="module")
def ec2(landbridge):
    return ec2_client(landbridge)
