"""The control port: drive a replay running in another process (Airflow e2e test, ``make demo``).

GET  /state                          clock, host map, control URL, config path, broken sources, hard cases
GET  /log?since=N                    request log entries from index N (JSON list)
GET  /articles?source=ID             ground truth of the visible articles
POST /advance?days=1&articles=3      move the clock; returns the new article URLs
POST /clock?at=ISO                   set the clock
POST /break?source=ID&mode=empty_bodies   (modes: empty_bodies, server_error)
POST /fix?source=ID
POST /clear_log
"""
from __future__ import annotations

import json
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class ControlServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, replay, port: int = 0):
        self.replay = replay
        super().__init__(("127.0.0.1", port), _Handler)
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                       name="replay:control", daemon=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ControlServer

    def log_message(self, format, *args) -> None:
        pass

    def _reply(self, status: int, data) -> None:
        body = json.dumps(data, ensure_ascii=False, default=str).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        handler = _ROUTES.get((method, parts.path))
        if handler is None:
            return self._reply(404, {"error": f"no such endpoint: {method} {parts.path}"})
        try:
            self._reply(200, handler(self.server.replay, q))
        except (KeyError, ValueError, TypeError) as exc:
            self._reply(400, {"error": str(exc)})


def _advance(r, q):
    urls = r.advance(days=float(q.get("days", 1)), articles=int(q.get("articles", 3)))
    return {"clock": r.clock.isoformat(), "new_urls": urls}


def _clock(r, q):
    r.set_clock(datetime.fromisoformat(q["at"]))
    return {"clock": r.clock.isoformat()}


def _break(r, q):
    r.break_source(q["source"], q.get("mode", "empty_bodies"))
    return r.state()


def _fix(r, q):
    r.fix_source(q["source"])
    return r.state()


def _clear(r, q):
    r.clear_log()
    return {"cleared": True}


_ROUTES = {
    ("GET", "/state"): lambda r, q: r.state(),
    ("GET", "/log"): lambda r, q: [e.to_json() for e in r.log.items(int(q.get("since", 0)))],
    ("GET", "/articles"): lambda r, q: [a.to_json() for a in r.articles(q.get("source"))],
    ("POST", "/advance"): _advance,
    ("POST", "/clock"): _clock,
    ("POST", "/break"): _break,
    ("POST", "/fix"): _fix,
    ("POST", "/clear_log"): _clear,
}
