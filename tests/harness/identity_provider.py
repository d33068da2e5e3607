"""A custom identity provider for Transfer Family tests: an HTTP server answering
`GET /prod/servers/<server-id>/users/<user>/config` as an API Gateway method would, and
`POST /2015-03-31/functions/<function>/invocations` as the Lambda Invoke API runs a
provider function, from a table of users (password, public keys, home), recording what
it was asked."""

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
                self.answer(answer)

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path).path.strip("/").split("/")
                length = int(self.headers.get("Content-Length") or 0)
                event = json.loads(self.rfile.read(length) or b"{}")
                asked = {"path": self.path, "function": parts[2] if len(parts) == 4 else None, "event": event,
                         "password": event.get("password"), "query": {"protocol": event.get("protocol")}}
                provider.requests.append(asked)
                answer: dict = {}
                user = provider.users.get(event.get("username", ""))
                if parts[:2] == ["2015-03-31", "functions"] and user and event.get("password") == user.get("password"):
                    answer = {k: v for k, v in user.items() if k != "password"}
                self.answer(answer)

            def answer(self, answer: dict) -> None:
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = f"{self.endpoint}/prod"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> IdentityProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
