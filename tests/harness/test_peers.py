"""The harness must itself be trustworthy: a wait that never times out, or a peer left
running, would make every interop test built on it flaky.  Children here are small
`python -c` programs, so these tests need no Debian packages."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from harness import peers
from harness.peers import Netns, Process, ProcessExited, add_veth, free_loopback_port, wait_for_line

PY = sys.executable


def py(code: str) -> list[str]:
    return [PY, "-u", "-c", textwrap.dedent(code)]


# --------------------------------------------------------------------------- wait_for_line


def test_wait_for_line_returns_the_match_and_consumes_lines():
    with Process(py("print('starting'); print('port=4711'); print('port=4712'); import signal; signal.pause()")) as proc:
        assert proc.wait_for_line(r"port=(\d+)", timeout=10).group(1) == "4711"
        assert wait_for_line(proc, r"port=(\d+)", timeout=10).group(1) == "4712"
        assert proc.lines[:3] == ["starting", "port=4711", "port=4712"]


def test_wait_for_line_times_out_with_output_in_the_message():
    with Process(py("print('hello there'); import signal; signal.pause()")) as proc:
        started = time.monotonic()
        with pytest.raises(TimeoutError, match="hello there"):
            proc.wait_for_line("never printed", timeout=0.5)
        assert time.monotonic() - started < 5


def test_wait_for_line_reports_a_process_that_exits_first():
    with Process(py("import sys; print('fatal: bad config'); sys.exit(3)")) as proc:
        with pytest.raises(ProcessExited, match="fatal: bad config"):
            proc.wait_for_line("ready", timeout=10)
        assert proc.wait(timeout=10) == 3


def test_wait_for_line_sees_stderr_when_merged():
    with Process(py("import sys; sys.stderr.write('on stderr\\n'); sys.stderr.flush(); import signal; signal.pause()")) as proc:
        proc.wait_for_line("on stderr", timeout=10)


def test_wait_for_line_on_a_plain_popen():
    popen = subprocess.Popen(py("print('ready 1'); print('ready 2')"), stdout=subprocess.PIPE)
    try:
        assert wait_for_line(popen, r"ready (\d)", timeout=10).group(1) == "1"
        assert wait_for_line(popen, r"ready (\d)", timeout=10).group(1) == "2"
    finally:
        peers.stop_pid_process(popen)


def test_stderr_to_file_keeps_stdout_clean(tmp_path):
    log = tmp_path / "err.log"
    code = "import sys; sys.stderr.write('noise\\n'); print('only line')"
    with Process(py(code), stderr=log) as proc:
        proc.wait(timeout=10)
        proc.reader.join(timeout=5)
        assert proc.lines == ["only line"]
    assert log.read_text() == "noise\n"


# --------------------------------------------------------------------------- stopping


def test_exit_sends_sigterm_and_reports_a_graceful_exit():
    code = """
        import signal, sys
        signal.signal(signal.SIGTERM, lambda *_: (print('got TERM'), sys.exit(0)))
        print('ready')
        while True:
            signal.pause()
    """
    proc = Process(py(code)).start()
    proc.wait_for_line("ready", timeout=10)
    assert proc.stop(term_timeout=10) == 0
    assert "got TERM" in proc.lines


def test_a_child_ignoring_sigterm_is_killed_after_the_bound():
    code = """
        import signal
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print('ready')
        while True:
            signal.pause()
    """
    proc = Process(py(code), term_timeout=0.5).start()
    proc.wait_for_line("ready", timeout=10)
    started = time.monotonic()
    assert proc.stop() == -signal.SIGKILL
    assert time.monotonic() - started < 10


def test_context_manager_stops_the_child_even_on_error():
    with pytest.raises(RuntimeError):
        with Process(py("print('ready'); import signal; signal.pause()")) as proc:
            proc.wait_for_line("ready", timeout=10)
            raise RuntimeError("test body failed")
    assert proc.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.kill(proc.pid, 0)


def test_stopping_an_exited_process_returns_its_status():
    with Process(py("import sys; sys.exit(7)")) as proc:
        assert proc.wait(timeout=10) == 7
        assert proc.stop() == 7


# --------------------------------------------------------------------------- ports and packages


def test_free_loopback_port_is_bindable():
    port = free_loopback_port()
    assert 0 < port < 65536
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_free_loopback_port_on_another_loopback_address():
    port = free_loopback_port("127.0.0.2")
    with socket.socket() as s:
        s.bind(("127.0.0.2", port))


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian system: no dpkg-query")
def test_installed_package_detection():
    assert peers.debian_package_installed("dpkg")
    assert not peers.debian_package_installed("landbridge-no-such-package")


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian system: no dpkg-query")
def test_ensure_debian_packages_does_nothing_when_all_are_installed(monkeypatch):
    """No apt-get update when nothing is missing: that would cost every test run time."""
    real_run = subprocess.run
    seen = []

    def recording_run(cmd, *args, **kwargs):
        seen.append(list(cmd))
        return real_run(cmd, *args, **kwargs)

    monkeypatch.setattr(peers.subprocess, "run", recording_run)
    assert peers.ensure_debian_packages("dpkg", "coreutils") == []
    assert not [c for c in seen if c[0] == "apt-get"], seen


def test_ensure_debian_packages_updates_once_then_installs_only_missing(monkeypatch):
    calls = []
    installed = {"present-pkg"}

    def fake_installed(name):
        return name in installed

    def fake_run_checked(cmd, **kwargs):
        calls.append(list(cmd))
        if cmd[:2] == ["apt-get", "install"]:
            installed.update(cmd[4:])
        return ""

    monkeypatch.setattr(peers, "debian_package_installed", fake_installed)
    monkeypatch.setattr(peers, "_run_checked", fake_run_checked)
    monkeypatch.setattr(peers, "_apt_updated", False)
    assert peers.ensure_debian_packages("present-pkg", "missing-a") == ["missing-a"]
    assert peers.ensure_debian_packages("missing-b") == ["missing-b"]
    assert calls == [
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", "missing-a"],
        ["apt-get", "install", "-y", "--no-install-recommends", "missing-b"],
    ]


# --------------------------------------------------------------------------- namespaces (root only)

needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("ip") is None,
    reason="network namespaces need root and iproute2",
)


def _netns_names() -> set[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, timeout=30).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


@needs_root
def test_netns_exists_only_inside_the_block():
    with Netns() as ns:
        assert ns.name.startswith("lbtest-")
        assert ns.name in _netns_names()
        assert "LOOPBACK,UP" in ns.run(["ip", "link", "show", "lo"])
    assert ns.name not in _netns_names()


@needs_root
def test_veth_between_two_namespaces_carries_tcp():
    """Two private namespaces, a veth between them, a TCP echo across it, run with Process
    inside the namespaces: the pieces an interop test combines."""
    server_code = """
        import socket
        s = socket.socket(); s.bind(('10.231.0.2', 0)); s.listen(1)
        print('listening', s.getsockname()[1], flush=True)
        c, _ = s.accept(); c.sendall(c.recv(100).upper()); c.close()
    """
    client_code = """
        import socket, sys
        c = socket.create_connection(('10.231.0.2', int(sys.argv[1])), timeout=10)
        c.sendall(b'ping'); print('reply', c.recv(100).decode(), flush=True)
    """
    with Netns() as a, Netns() as b:
        if_a, if_b = add_veth(a, b, "10.231.0.1/30", "10.231.0.2/30")
        assert if_a in a.run(["ip", "-o", "link"])
        assert if_b in b.run(["ip", "-o", "link"])
        with Process(py(server_code), netns=b) as server:
            port = server.wait_for_line(r"listening (\d+)", timeout=10).group(1)
            with Process([*py(client_code), port], netns=a) as client:
                client.wait_for_line("reply PING", timeout=10)
