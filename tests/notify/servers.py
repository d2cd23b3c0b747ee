"""Real servers on 127.0.0.1 for the notify tests: an SMTP server (aiosmtpd) that keeps what it
receives, and an HTTP server that follows the contract of MAX's Bot API for sending
(``POST /messages?user_id=…`` with the token in ``Authorization``), scripted to answer 429 with
a delay or 5xx before it accepts."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from aiosmtpd.controller import Controller


@dataclass
class Received:
    """The e-mails the SMTP server accepted, parsed."""

    messages: list = field(default_factory=list)
    delay: float = 0.0  # seconds the server takes per message (a slow relay)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler interface
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, parsed))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self, delay: float = 0.0):
        self.received = Received(delay=delay)
        # A fixed port: the controller connects to it to see that the server is up.
        self.port = free_port()
        self.controller = Controller(self.received, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


@dataclass
class MaxCall:
    user_id: int | None
    authorization: str
    body: dict
    at: float


class FakeMaxApi:
    """MAX's Bot API for sending: 401 for a wrong token, then the scripted answers in order
    (e.g. ``[(429, {"Retry-After": "2"}), (503, {})]``), then 200 with a message."""

    def __init__(self, token: str):
        self.token = token
        self.script: list[tuple[int, dict]] = []
        self.calls: list[MaxCall] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):  # http.server's name
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                query = parse_qs(url.query)
                user_id = int(query["user_id"][0]) if "user_id" in query else None
                api.calls.append(
                    MaxCall(user_id, self.headers.get("Authorization", ""), body, time.monotonic())
                )
                if url.path != "/messages":
                    return self._answer(404, {"code": "not.found", "message": "Not found"})
                if self.headers.get("Authorization") != api.token:
                    return self._answer(401, {"code": "verify.token", "message": "Invalid token"})
                if user_id is None or not body.get("text"):
                    return self._answer(400, {"code": "proto.payload", "message": "Bad request"})
                if api.script:
                    status, headers = api.script.pop(0)
                    return self._answer(status, {"code": "error", "message": "scripted"}, headers)
                mid = f"mid.{len(api.calls)}"
                return self._answer(
                    200,
                    {"message": {"recipient": {"user_id": user_id}, "body": {"mid": mid,
                                 "text": body["text"]}}},
                )  # fmt: skip

            def _answer(self, status: int, payload: dict, headers: dict | None = None):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeMaxApi:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def delivered(self) -> list[MaxCall]:
        return [c for c in self.calls if c.authorization == self.token]
