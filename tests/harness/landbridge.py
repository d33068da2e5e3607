"""Start a Landbridge server for a test and talk to it at the HTTP level.

The server is started the way a user or a script would: `landbridge serve --listen
127.0.0.1:0`, and its port is learned from the one line it prints once it listens.
Reading that line (rather than sleeping and polling) is the readiness contract, so a
server that never prints it fails fast with its stderr in the message.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import tempfile
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from .peers import Process

READY_LINE = re.compile(r"^landbridge listening on http://127\.0\.0\.1:(\d+)$")
DEFAULT_TIMEOUT = 30.0  # seconds for any single HTTP exchange in tests


def landbridge_binary() -> Path:
    """Where the binary under test is: $LANDBRIDGE_BIN, else the cargo debug build."""
    explicit = os.environ.get("LANDBRIDGE_BIN")
    if explicit:
        return Path(explicit)
    target = os.environ.get("CARGO_TARGET_DIR") or "/var/tmp/landbridge-target"
    return Path(target) / "debug" / "landbridge"


def missing_binary_message(path: Path) -> str:
    return (
        f"Landbridge binary not found at {path}. Build it first (cargo build --bin landbridge, "
        f"with CARGO_TARGET_DIR={path.parent.parent}) or point LANDBRIDGE_BIN at it."
    )


class LandbridgeServer:
    """One running `landbridge serve` process on a free loopback port: with a throw-away
    data directory (`--ephemeral`) unless `data_dir` is given."""

    def __init__(
        self,
        binary: Path | None = None,
        extra_args: tuple[str, ...] = (),
        startup_timeout: float = 60.0,
        data_dir: Path | None = None,
    ):
        self.binary = Path(binary) if binary else landbridge_binary()
        self.extra_args = tuple(extra_args)
        self.data_dir = data_dir
        self.startup_timeout = startup_timeout
        self._logdir = tempfile.TemporaryDirectory(prefix="landbridge-test-")
        self.stderr_path = Path(self._logdir.name) / "stderr.log"
        self.proc: Process | None = None
        self.port: int | None = None
        self.ready_line: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def start(self) -> LandbridgeServer:
        if not self.binary.is_file():
            raise FileNotFoundError(missing_binary_message(self.binary))
        storage = ["--data-dir", str(self.data_dir)] if self.data_dir else ["--ephemeral"]
        cmd = [str(self.binary), "serve", "--listen", "127.0.0.1:0", *storage, "--log-level", "warn", *self.extra_args]
        env = dict(os.environ, RUST_BACKTRACE="1")
        self.proc = Process(cmd, env=env, stderr=self.stderr_path).start()
        try:
            match = self.proc.wait_for_line(READY_LINE, timeout=self.startup_timeout)
        except Exception as exc:
            self.proc.stop(term_timeout=5)
            raise RuntimeError(
                f"landbridge did not announce its port: {exc}\nstderr:\n{self.stderr_tail()}"
            ) from exc
        self.ready_line = match.group(0)
        self.port = int(match.group(1))
        return self

    def stop(self, term_timeout: float = 10.0) -> int:
        """SIGTERM by PID, bounded wait, then SIGKILL; returns the exit status."""
        return self.proc.stop(term_timeout=term_timeout)

    def stdout_lines(self) -> list[str]:
        return self.proc.lines

    def stderr_tail(self, limit: int = 8000) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")[-limit:]
        except OSError:
            return "(no stderr captured)"

    def close(self) -> None:
        if self.proc is not None:
            self.stop()  # also reaps and closes the log of a server that already exited
        self._logdir.cleanup()

    def __enter__(self) -> LandbridgeServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def raw_request(self, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None, timeout: float = DEFAULT_TIMEOUT):
        return raw_request(self.port, method, path, body, headers, timeout=timeout)


# --------------------------------------------------------------------------- raw HTTP


@dataclass
class RawResponse:
    """What came back on the wire; `headers` is case-insensitive (an http.client message)."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def __iter__(self):  # allows `status, headers, body = raw_request(...)`
        return iter((self.status, self.headers, self.body))


def raw_request(
    port: int,
    method: str,
    path: str,
    body: bytes | str | None = None,
    headers: dict | None = None,
    *,
    host: str = "127.0.0.1",
    timeout: float = DEFAULT_TIMEOUT,
) -> RawResponse:
    """Send one HTTP request with exactly these headers and body; never waits past `timeout`.

    A server may answer an oversized body before reading all of it and close the
    connection; the response it already sent is still read and returned in that case.
    """
    if isinstance(body, str):
        body = body.encode()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        try:
            conn.request(method, path, body=body, headers=headers or {})
        except (BrokenPipeError, ConnectionResetError):
            # The server may have answered early; read that answer if the socket
            # survived, else the connection is simply gone.
            if conn.sock is None:
                raise
        resp = conn.getresponse()
        data = resp.read()
        return RawResponse(resp.status, resp.headers, data)
    finally:
        conn.close()


def sigv4_headers(
    url: str,
    body: bytes,
    headers: dict,
    service: str,
    region: str = "us-east-1",
    access_key: str = "test",
    secret_key: str = "test",
    method: str = "POST",
) -> dict:
    """Headers (including Authorization and X-Amz-Date) that sign this request with SigV4.

    Service detection relies on the credential scope, so raw tests sign like the SDKs do.
    """
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
    SigV4Auth(Credentials(access_key, secret_key), service, region).add_auth(request)
    return dict(request.headers.items())


def form_body(params: dict) -> bytes:
    return urllib.parse.urlencode(params).encode()


# --------------------------------------------------------------------------- error bodies


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_xml(body: bytes) -> ET.Element:
    return ET.fromstring(body)


def xml_find_text(root: ET.Element, name: str) -> str | None:
    """Text of the first element called `name`, whatever its namespace."""
    for el in root.iter():
        if _local(el.tag) == name:
            return el.text or ""
    return None


@dataclass
class AwsError:
    """An AWS error as a client sees it, whichever protocol carried it."""

    code: str
    message: str
    request_id: str | None
    kind: str  # "xml", "json" or "cbor"


def parse_aws_error(resp: RawResponse) -> AwsError:
    """Decode an error body the way an SDK would; raise AssertionError if it is not one.

    XML (query/ec2): `<ErrorResponse>` or `<Response><Errors>` with a `<Code>`.
    JSON / CBOR: an object with `__type` (optionally `ns#Code` or `Code:uri`).
    """
    ctype = (resp.headers.get("Content-Type") or "").lower()
    header_id = resp.headers.get("x-amzn-RequestId") or resp.headers.get("x-amz-request-id")
    body = resp.body
    if "cbor" in ctype:
        import cbor2

        doc = cbor2.loads(body)
        return _from_mapping(doc, header_id, "cbor", resp)
    stripped = body.lstrip()
    if stripped.startswith(b"<"):
        root = parse_xml(body)
        code = xml_find_text(root, "Code")
        assert code, f"XML error without <Code>: {body[:500]!r}"
        rid = xml_find_text(root, "RequestId") or xml_find_text(root, "RequestID") or xml_find_text(root, "requestId")
        return AwsError(code, xml_find_text(root, "Message") or "", rid or header_id, "xml")
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise AssertionError(
            f"error body is neither XML, JSON nor CBOR (status {resp.status}, Content-Type {ctype!r}): {body[:500]!r}"
        ) from exc
    return _from_mapping(doc, header_id, "json", resp)


def _from_mapping(doc, header_id, kind, resp) -> AwsError:
    assert isinstance(doc, dict), f"{kind} error body is not an object: {resp.body[:500]!r}"
    raw_type = doc.get("__type")
    assert raw_type, f"{kind} error without __type: {doc!r}"
    code = raw_type.split(":", 1)[0].rsplit("#", 1)[-1]
    message = doc.get("message", doc.get("Message", ""))
    return AwsError(code, message or "", header_id, kind)
