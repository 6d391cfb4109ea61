"""What a replay route answers: status, headers and a body (bytes, or a stream for huge pages)."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable

#: stream(write, stop): write body chunks until done or until ``stop`` is set.
Stream = Callable[[Callable[[bytes], None], threading.Event], None]


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    stream: Stream | None = None
    #: Content-Length to announce when it is not len(body) (streams, truncated bodies).
    length: int | None = None
    chunked: bool = False
    #: Seconds to wait before answering (the wait ends early when the replay stops).
    delay: float = 0.0
    #: Close the connection after this response (and cut the body short if length > len(body)).
    close: bool = False
    kind: str = ""          # route kind, for the request log: article, listing, feed, ...

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None
