"""A fake GOV.UK Notify on loopback: a real HTTP server in a thread answering
POST /v2/notifications/sms as Notify does (201 with an id), recording each request's
JSON and Authorization header, with switches for Notify's error answers, and
GET /v2/notifications?reference=... listing the text messages it accepted with that
reference (how a worker that died mid-send finds out the message went). The real
client (notifications-python-client) is pointed at it by NOTIFY_BASE_URL; a worker
subprocess reaches it too (the `worker` fixture passes its address in the environment).
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ERRORS = {
    400: {"error": "ValidationError", "message": "phone_number Not a UK mobile number"},
    429: {
        "error": "RateLimitError",
        "message": "Exceeded rate limit for key type LIVE of 3000 requests per 60 "
        "seconds",
    },
    500: {"error": "Exception", "message": "Internal server error"},
}

# A key of the shape Notify issues: "<name>-<service id>-<secret>".
SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
API_KEY = f"test_key-{SERVICE_ID}-3d844edf-8d35-48ac-975b-e847b4f122b0"


@dataclass
class FakeNotify:
    """What the fake server was sent, and what it answers next."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    # Statuses to answer, in order, before answering 201 again (e.g. [429, 500]).
    failures: list[int] = field(default_factory=list)
    # Answer this status to every request (e.g. 400), until set back to None.
    always: int | None = None
    # The text messages accepted (as Notify keeps them): id, reference, number.
    notifications: list[dict[str, Any]] = field(default_factory=list)
    # Accept the next text message, then keep the sender waiting for the answer
    # until `release` is set: `arrived` is set once it is accepted (a test kills the
    # worker then, between Notify taking the message and the worker recording it).
    hold: bool = False
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def sms(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r.get("phone_number")]


def _handler(state: FakeNotify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the sender is gone (a worker killed while it waited)
                pass

        def do_GET(self) -> None:  # get_all_notifications (by reference)
            url = urlsplit(self.path)
            if url.path != "/v2/notifications":
                self._answer(404, {"errors": [{"error": "NotFound"}]})
                return
            query = {name: values[0] for name, values in parse_qs(url.query).items()}
            found = [
                n
                for n in reversed(state.notifications)  # newest first, as Notify
                if query.get("reference") in (None, n["reference"])
                and query.get("template_type") in (None, n["type"])
            ]
            self._answer(200, {"notifications": found, "links": {}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path != "/v2/notifications/sms":
                self._answer(404, {"errors": [{"error": "NotFound"}]})
                return
            state.requests.append(body)
            state.headers.append(self.headers.get("Authorization", ""))
            status = state.always or (state.failures.pop(0) if state.failures else 0)
            if status:
                self._answer(
                    status, {"status_code": status, "errors": [ERRORS[status]]}
                )
                return
            notification_id = str(uuid.uuid4())
            state.notifications.append(
                {
                    "id": notification_id,
                    "reference": body.get("reference"),
                    "phone_number": body.get("phone_number"),
                    "type": "sms",
                    "status": "sending",
                }
            )
            if state.hold:
                state.hold = False
                state.arrived.set()
                state.release.wait(timeout=120)
            self._answer(
                201,
                {
                    "id": notification_id,
                    "reference": body.get("reference"),
                    "content": {"body": body.get("personalisation", {}).get("body")},
                    "template": {"id": body.get("template_id"), "version": 1},
                },
            )

    return Handler


class FakeNotifyServer:
    """Start and stop the fake on 127.0.0.1, on a free port."""

    def __init__(self) -> None:
        self.state = FakeNotify()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        host, port = self.server.server_address[:2]
        self.state.url = f"http://{host}:{port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeNotify:
        self.thread.start()
        return self.state

    def __exit__(self, *exc: object) -> None:
        self.state.release.set()
        self.server.shutdown()
        self.server.server_close()
