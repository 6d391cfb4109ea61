"""HTTP/1.1 listeners on 127.0.0.1, one per replayed host (keep-alive, threaded, logged)."""
from __future__ import annotations

import socket
import threading
import time
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .log import RequestLog
from .response import Response


class Listener(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, real_host: str, port: int, world, log: RequestLog):
        self.real_host, self.world, self.log = real_host, world, log
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                       name=f"replay:{real_host}", daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def process_request(self, request, client_address):
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def handle_error(self, request, client_address):
        """A client that hangs up early (timeouts, size limits) is normal here, not an error to print."""
        import sys
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, OSError)):
            return
        super().handle_error(request, client_address)

    def shutdown_request(self, request):
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Cut every open (keep-alive) connection so handler threads end at once."""
        with self._conns_lock:
            conns = list(self._conns)
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _not_modified(resp: Response, headers) -> bool:
    etag = resp.header("ETag")
    inm = headers.get("If-None-Match")
    if inm and etag:
        return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
    ims, lm = headers.get("If-Modified-Since"), resp.header("Last-Modified")
    if ims and lm:
        try:
            return parsedate_to_datetime(lm) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 30                  # idle keep-alive connections end after this
    server: Listener

    def version_string(self) -> str:
        return "nginx"

    def log_message(self, format, *args) -> None:   # the RequestLog records everything
        pass

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        t0, srv = time.time(), self.server
        try:
            resp = srv.world.respond(srv.real_host, self.path)
        except Exception as exc:  # a replay bug must show up as a 500, not a dead connection
            resp = Response(500, f"replay error: {exc!r}".encode(), "text/plain", kind="error")
        if resp.delay and srv.world.stop.wait(resp.delay):
            self.close_connection = True
            srv.log.add(srv.real_host, srv.port, self, 0, t0, 0, resp.kind)
            return
        if resp.status == 200 and resp.kind in ("article", "hard") and _not_modified(resp, self.headers):
            resp = Response(304, b"", None, [h for h in resp.headers if h[0] in ("ETag", "Last-Modified")],
                            kind=resp.kind)
        # Logged before the answer is written: a client that has the response finds it in the log.
        planned = 0 if head or resp.status == 304 else (len(resp.body) if resp.stream is None else resp.length or -1)
        srv.log.add(srv.real_host, srv.port, self, resp.status, t0, planned, resp.kind)
        self._write(resp, head)

    def _write(self, resp: Response, head: bool) -> int:
        self.send_response(resp.status)
        if resp.content_type:
            self.send_header("Content-Type", resp.content_type)
        for k, v in resp.headers:
            self.send_header(k, v)
        if resp.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif resp.status != 304:
            self.send_header("Content-Length", str(resp.length if resp.length is not None else len(resp.body)))
        if resp.close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if head or resp.status == 304:
            return 0
        try:
            return self._body(resp)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
            return 0

    def _body(self, resp: Response) -> int:
        if resp.stream is None:
            self.wfile.write(resp.body)
            return len(resp.body)
        sent = 0

        def write(chunk: bytes) -> None:
            nonlocal sent
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if resp.chunked else chunk)
            sent += len(chunk)

        resp.stream(write, self.server.world.stop)
        if self.server.world.stop.is_set():
            self.close_connection = True
        elif resp.chunked:
            self.wfile.write(b"0\r\n\r\n")
        return sent
