"""The thread-safe request log: every request to every replayed host."""
from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class LoggedRequest:
    host: str                 # real host name (e.g. www.stdaily.com)
    port: int
    method: str
    path: str                 # path + query as requested
    status: int               # 0: no response (the replay stopped while the request waited)
    time: float               # epoch seconds when the request arrived
    duration: float           # seconds until the response was ready (before it was sent)
    bytes: int                # body bytes of the response (-1: streamed without a length)
    kind: str                 # article, listing, feed, sitemap, robots, archive, hard, foreign, not_found, …
    source: str | None        # source id of the host (None for foreign hosts)
    headers: dict = field(default_factory=dict)   # request headers (User-Agent, If-None-Match, …)

    @property
    def user_agent(self) -> str | None:
        return self.headers.get("User-Agent")

    def to_json(self) -> dict:
        return asdict(self)


class RequestLog:
    def __init__(self, host_source: dict[str, str]):
        self._items: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._host_source = host_source

    def add(self, host: str, port: int, handler, status: int, t0: float, sent: int, kind: str) -> None:
        item = LoggedRequest(host, port, handler.command, handler.path, status, t0, time.time() - t0, sent, kind,
                             self._host_source.get(host), dict(handler.headers.items()))
        with self._lock:
            self._items.append(item)

    def items(self, since: int = 0) -> list[LoggedRequest]:
        with self._lock:
            return self._items[since:]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
