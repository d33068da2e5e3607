"""Test harness shared by Landbridge's conformance and interop tests.

- `harness.peers`: install Debian peers, network namespaces and veth pairs, processes
  that are always stopped by PID, bounded waits for a line of output, free ports.
- `harness.landbridge`: start `landbridge serve` on a free port, raw HTTP requests,
  SigV4 signing for hand-built requests, decoding AWS error bodies.
- `harness.awscli`: run the real AWS CLI against a server.
"""

from .peers import (
    Netns,
    Process,
    ProcessExited,
    add_veth,
    ensure_debian_packages,
    free_loopback_port,
    wait_for_line,
)

__all__ = [
    "Netns",
    "Process",
    "ProcessExited",
    "add_veth",
    "ensure_debian_packages",
    "free_loopback_port",
    "wait_for_line",
]
