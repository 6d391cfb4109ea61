"""Where the e2e test's alerts land: an SMTP server (aiosmtpd) and a webhook receiver, both on
127.0.0.1, free ports, in this process; each keeps what it received."""
from __future__ import annotations

import email
import json
import threading
import time
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SmtpSink:
    def __init__(self):
        from aiosmtpd.controller import Controller
        self.messages: list[email.message.EmailMessage] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
                return "250 OK"

        from tests.conftest import free_port
        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> "SmtpSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def texts(self) -> list[tuple[str, str]]:
        """(subject, body text) of every message received."""
        out = []
        for m in list(self.messages):
            part = m.get_body(("html", "plain"))
            out.append((str(m["Subject"]), part.get_content() if part is not None else ""))
        return out


class WebhookSink:
    """Records every POST body (Apprise's ``json://`` sends ``{"title", "message", "type", …}``)."""

    def __init__(self):
        self.posts: list[dict] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    sink.posts.append(json.loads(body))
                except ValueError:
                    sink.posts.append({"raw": body.decode("utf-8", "replace")})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "WebhookSink":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def wait_until(pred, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(1)
    raise TimeoutError(f"{what}: nothing after {timeout:.0f} s")
