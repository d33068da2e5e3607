"""TLS in front of a plain TCP port, as a load balancer terminates HTTPS for an object
store: a private certificate authority (made with openssl) signs the proxy's certificate
for 127.0.0.1, so a client trusts it only when given the authority's certificate."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from pathlib import Path


def make_authority_and_certificate(directory: Path) -> tuple[Path, Path, Path]:
    """(authority certificate, server certificate, server key) under `directory`."""
    ca_key, ca_cert = directory / "ca.key", directory / "ca.pem"
    key, csr, cert = directory / "server.key", directory / "server.csr", directory / "server.pem"
    ext = directory / "server.ext"
    ext.write_text("basicConstraints=critical,CA:FALSE\nsubjectAltName=IP:127.0.0.1\nkeyUsage=digitalSignature\n"
                   "extendedKeyUsage=serverAuth\n")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)

    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=Landbridge test authority", "-keyout", str(ca_key), "-out", str(ca_cert))
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(csr))
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key), "-CAcreateserial",
            "-days", "2", "-extfile", str(ext), "-out", str(cert))
    return ca_cert, cert, key


class TlsProxy:
    def __init__(self, upstream_port: int, directory: Path) -> None:
        self.authority, cert, key = make_authority_and_certificate(directory)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.upstream = ("127.0.0.1", upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.handshakes_failed = 0
        self.threads: list[threading.Thread] = []
        self.accepting = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> TlsProxy:
        self.accepting.start()
        return self

    def __exit__(self, *exc) -> None:
        # close() alone does not wake an accept() blocked in another thread.
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        self.accepting.join(timeout=10)
        for t in self.threads:
            t.join(timeout=10)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return  # closed
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self.threads.append(t)
            t.start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(60)
        try:
            tls = self.context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            self.handshakes_failed += 1
            conn.close()
            return
        with tls, socket.create_connection(self.upstream, timeout=60) as up:
            back = threading.Thread(target=self._pump, args=(up, tls), daemon=True)
            back.start()
            self._pump(tls, up)
            back.join(timeout=60)

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
