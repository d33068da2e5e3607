"""A custom identity provider for Transfer Family tests: an HTTP server answering
`GET /prod/servers/<server-id>/users/<user>/config` as an API Gateway method would,
from a table of users (password, public keys, home), and recording what it was asked."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class IdentityProvider:
    def __init__(self) -> None:
        self.users: dict[str, dict] = {}
        self.requests: list[dict] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                segments = parts.path.strip("/").split("/")
                asked = {
                    "path": parts.path,
                    "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                    "password": self.headers.get("Password"),
                }
                provider.requests.append(asked)
                answer: dict = {}
                if len(segments) == 6 and segments[1] == "servers" and segments[3] == "users":
                    user = provider.users.get(segments[4])
                    if user and (asked["password"] is None or asked["password"] == user.get("password")):
                        answer = {k: v for k, v in user.items() if k != "password"}
                        if asked["password"] is None and "PublicKeys" not in user:
                            answer = {}
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/prod"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> IdentityProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
