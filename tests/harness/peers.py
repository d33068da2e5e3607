"""Helpers for tests that run real peers (strongSwan, BIRD, sftp, ...) next to Landbridge.

Interop tests install their own peers, start them on loopback or inside network
namespaces they create, and stop them by PID.  Everything here is bounded in time:
a helper either returns, or raises with enough context (the tail of the process's
output) to see what went wrong, so a broken peer fails a test instead of hanging CI.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence

__all__ = [
    "Netns",
    "Process",
    "ProcessExited",
    "add_veth",
    "ensure_debian_packages",
    "free_loopback_port",
    "wait_for_line",
]

# --------------------------------------------------------------------------- packages

_apt_lock = threading.Lock()
_apt_updated = False


def debian_package_installed(name: str) -> bool:
    """True when dpkg reports `name` as fully installed (not merely known or half-configured)."""
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", name],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode == 0 and result.stdout.strip() == "install ok installed"


def ensure_debian_packages(*names: str, timeout: float = 900) -> list[str]:
    """Install the Debian packages among `names` that are missing; return those installed.

    Tests must bring their own peers (a fresh CI machine has none of them), but an
    `apt-get update` costs tens of seconds, so it runs at most once per process and only
    when something is actually missing.
    """
    global _apt_updated
    missing = [n for n in names if not debian_package_installed(n)]
    if not missing:
        return []
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    with _apt_lock:
        if not _apt_updated:
            _run_checked(["apt-get", "update"], env=env, timeout=timeout)
            _apt_updated = True
        _run_checked(
            ["apt-get", "install", "-y", "--no-install-recommends", *missing],
            env=env,
            timeout=timeout,
        )
    still_missing = [n for n in missing if not debian_package_installed(n)]
    if still_missing:
        raise RuntimeError(f"apt-get install succeeded but these are not installed: {still_missing}")
    return missing


def _run_checked(cmd: Sequence[str], *, env: Mapping[str, str] | None = None, timeout: float = 60) -> str:
    """Run a short command; on failure raise with its output so the test log explains why."""
    result = subprocess.run(
        list(cmd), capture_output=True, text=True, env=env, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"command failed ({result.returncode}): {' '.join(cmd)}\n"
            f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}"
        )
    return result.stdout


# --------------------------------------------------------------------------- ports


def free_loopback_port(host: str = "127.0.0.1", kind: int = socket.SOCK_STREAM) -> int:
    """Return a port that was free on `host` a moment ago.

    The port is released before returning, so another process could take it; prefer
    letting the program under test bind port 0 and report its port.  Use this only for
    peers that cannot do that (most routing daemons).
    """
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- namespaces


def _short_id() -> str:
    return secrets.token_hex(4)


class Netns:
    """A network namespace `lbtest-<random>` that exists only inside a `with` block.

    Its loopback is brought up, because most peers bind 127.0.0.1 inside it too.
    Deleting the namespace also deletes the veth ends inside it (and so their peers).
    """

    def __init__(self, name: str | None = None):
        self.name = name or f"lbtest-{_short_id()}"
        self._created = False

    def __enter__(self) -> Netns:
        _run_checked(["ip", "netns", "add", self.name])
        self._created = True
        try:
            _run_checked(["ip", "-n", self.name, "link", "set", "lo", "up"])
        except BaseException:
            self.delete()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.delete()

    def delete(self) -> None:
        if self._created:
            subprocess.run(["ip", "netns", "del", self.name], capture_output=True, timeout=60, check=False)
            self._created = False

    def wrap(self, cmd: Sequence[str]) -> list[str]:
        """The command line that runs `cmd` inside this namespace (same PID: ip execs it)."""
        return ["ip", "netns", "exec", self.name, *cmd]

    def run(self, cmd: Sequence[str], timeout: float = 60) -> str:
        """Run a short command inside the namespace and return its stdout, raising on failure."""
        return _run_checked(self.wrap(cmd), timeout=timeout)

    def __str__(self) -> str:
        return self.name


def _ns_name(ns: Netns | str | None) -> str | None:
    if ns is None:
        return None
    return ns.name if isinstance(ns, Netns) else str(ns)


def _ip(ns: str | None, *args: str) -> None:
    cmd = ["ip"] + (["-n", ns] if ns else []) + list(args)
    _run_checked(cmd)


def add_veth(
    ns_a: Netns | str,
    ns_b_or_host: Netns | str | None,
    addr_a: str,
    addr_b: str,
) -> tuple[str, str]:
    """Connect two namespaces (or a namespace and the host, when `ns_b_or_host` is None).

    `addr_a` / `addr_b` are CIDRs such as "10.10.0.1/30".  Both ends come up.  Returns
    the interface names (end in ns_a, end in ns_b).  The pair disappears with the
    namespace, so only a host-side end could outlive a test, and it cannot: deleting one
    veth end deletes its peer.
    """
    tag = _short_id()
    if_a, if_b = f"lbv{tag}a", f"lbv{tag}b"  # 12 chars, under IFNAMSIZ
    name_a, name_b = _ns_name(ns_a), _ns_name(ns_b_or_host)
    _run_checked(["ip", "link", "add", if_a, "type", "veth", "peer", "name", if_b])
    try:
        _ip(None, "link", "set", if_a, "netns", name_a)
        if name_b is not None:
            _ip(None, "link", "set", if_b, "netns", name_b)
        _ip(name_a, "addr", "add", addr_a, "dev", if_a)
        _ip(name_b, "addr", "add", addr_b, "dev", if_b)
        _ip(name_a, "link", "set", if_a, "up")
        _ip(name_b, "link", "set", if_b, "up")
    except BaseException:
        # Whichever end is still reachable: deleting it removes the pair.
        for ns, ifname in ((name_a, if_a), (None, if_a), (name_b, if_b), (None, if_b)):
            subprocess.run(
                ["ip"] + (["-n", ns] if ns else []) + ["link", "del", ifname],
                capture_output=True,
                timeout=60,
                check=False,
            )
        raise
    return if_a, if_b


# --------------------------------------------------------------------------- processes


class ProcessExited(RuntimeError):
    """The process closed its output before printing the awaited line."""


class _LineReader:
    """Drains a pipe on a thread, keeping its lines, so a chatty child never blocks on a
    full pipe and waiting for a line can have a deadline."""

    def __init__(self, stream):
        self._stream = stream
        self._cond = threading.Condition()
        self.lines: list[str] = []
        self.closed = False
        self._cursor = 0
        self._thread = threading.Thread(target=self._pump, name="line-reader", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            for raw in iter(self._stream.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                with self._cond:
                    self.lines.append(line)
                    self._cond.notify_all()
        except (OSError, ValueError):
            pass  # pipe closed under us: treat as end of output
        finally:
            with self._cond:
                self.closed = True
                self._cond.notify_all()

    def tail(self, n: int = 30) -> str:
        with self._cond:  # an RLock: callable while wait_for holds it
            return "\n".join(self.lines[-n:])

    def wait_for(self, pattern: re.Pattern[str], timeout: float, what: str) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                while self._cursor < len(self.lines):
                    line = self.lines[self._cursor]
                    self._cursor += 1
                    m = pattern.search(line)
                    if m:
                        return m
                if self.closed:
                    raise ProcessExited(
                        f"{what} ended its output without a line matching {pattern.pattern!r}; "
                        f"last lines:\n{self.tail()}"
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"no line matching {pattern.pattern!r} from {what} within {timeout}s; "
                        f"last lines:\n{self.tail()}"
                    )
                self._cond.wait(remaining)

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)


def _reader_for(proc) -> _LineReader:
    if isinstance(proc, Process):
        return proc.reader
    reader = getattr(proc, "_lb_line_reader", None)
    if reader is None:
        if proc.stdout is None:
            raise ValueError("wait_for_line needs a process started with stdout=subprocess.PIPE")
        reader = _LineReader(proc.stdout)
        proc._lb_line_reader = reader
    return reader


def wait_for_line(proc, regex: str | re.Pattern[str], timeout: float = 30.0) -> re.Match[str]:
    """Read `proc`'s output until a line matches `regex`; return the match.

    `proc` is a `Process` or a `subprocess.Popen` with a binary stdout pipe.  Lines are
    consumed: the next call continues after the matched line.  Raises TimeoutError after
    `timeout` seconds, ProcessExited if the output ends first; both show the last lines.
    """
    pattern = re.compile(regex) if isinstance(regex, str) else regex
    what = f"pid {proc.pid}"
    return _reader_for(proc).wait_for(pattern, timeout, what)


def stop_pid_process(popen: subprocess.Popen, term_timeout: float = 10.0) -> int:
    """SIGTERM the process by its PID, wait up to `term_timeout`, then SIGKILL; return its code.

    Popen keeps the child unreaped until it is waited for, so the PID cannot be reused by
    another process while we signal it.
    """
    if popen.poll() is None:
        try:
            popen.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            return popen.wait(timeout=term_timeout)
        except subprocess.TimeoutExpired:
            popen.kill()
            return popen.wait(timeout=30)
    return popen.returncode


class Process:
    """A child process that is always stopped: SIGTERM by PID on exit, SIGKILL if it lingers.

    stdout (and stderr, unless `stderr` names a file) is drained into `lines` so that
    `wait_for_line` can wait for a readiness message.  With `netns`, the command runs in
    that namespace via `ip netns exec`, which execs it, so the PID is the command's own.
    """

    def __init__(
        self,
        cmd: Sequence[str],
        *,
        netns: Netns | str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike | None = None,
        stderr: str | os.PathLike | None = None,
        term_timeout: float = 10.0,
    ):
        self.cmd = list(cmd)
        ns = _ns_name(netns)
        self.argv = ["ip", "netns", "exec", ns, *self.cmd] if ns else list(self.cmd)
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self.stderr_path = stderr
        self.term_timeout = term_timeout
        self.popen: subprocess.Popen | None = None
        self.reader: _LineReader | None = None
        self._stderr_file = None

    # -- lifecycle
    def start(self) -> Process:
        if self.stderr_path is not None:
            self._stderr_file = open(self.stderr_path, "ab")
            stderr = self._stderr_file
        else:
            stderr = subprocess.STDOUT
        self.popen = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=self.env,
            cwd=self.cwd,
        )
        self.reader = _LineReader(self.popen.stdout)
        return self

    def stop(self, term_timeout: float | None = None) -> int:
        """Stop the process (see class doc) and return its exit status."""
        assert self.popen is not None, "process was never started"
        code = stop_pid_process(self.popen, self.term_timeout if term_timeout is None else term_timeout)
        self.reader.join(timeout=5)
        if self._stderr_file is not None:
            self._stderr_file.close()
            self._stderr_file = None
        return code

    def __enter__(self) -> Process:
        return self.start()

    def __exit__(self, *exc) -> None:
        if self.popen is not None:
            self.stop()

    # -- observation
    @property
    def pid(self) -> int:
        assert self.popen is not None, "process was never started"
        return self.popen.pid

    @property
    def returncode(self) -> int | None:
        return None if self.popen is None else self.popen.poll()

    @property
    def lines(self) -> list[str]:
        return list(self.reader.lines) if self.reader else []

    def wait_for_line(self, regex: str | re.Pattern[str], timeout: float = 30.0) -> re.Match[str]:
        return wait_for_line(self, regex, timeout)

    def wait(self, timeout: float) -> int:
        """Wait (bounded) for the process to exit by itself."""
        assert self.popen is not None, "process was never started"
        return self.popen.wait(timeout=timeout)

    def output_tail(self, n: int = 30) -> str:
        return self.reader.tail(n) if self.reader else ""

