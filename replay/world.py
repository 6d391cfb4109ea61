"""The replay's state (corpus, clock, broken sources) and request dispatch, independent of HTTP."""
from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from datetime import datetime, timedelta

from . import foreign, hardhttp, pages, paths, routes
from .chrome import Ctx
from .corpus import Corpus
from .model import Post
from .response import Response
from .sites import SITES

BREAK_MODES = ("empty_bodies", "server_error")
_QUERY_FREE = ("article", "mobile", "hard")


class _LRU:
    def __init__(self, size: int):
        self.size, self.data, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]
        return None

    def put(self, key, value) -> None:
        with self.lock:
            self.data[key] = value
            if len(self.data) > self.size:
                self.data.popitem(last=False)


class World:
    def __init__(self, config, host_map: dict[str, str], clock: datetime, scale: int = 1,
                 slow_seconds: float = 40.0, oversize_bytes: int = 12 * 1024 * 1024,
                 crawl_delays: dict[str, float] | None = None):
        self.sites = {s.id: SITES[s.id](s) for s in config.sources if s.id in SITES}
        self.host_source = {h: s.id for s in config.sources if s.id in SITES
                            for h in list(s.allowed_domains) + list(s.mobile_hosts)}
        self.corpus = Corpus(scale)
        self.host_map = host_map
        self.stop = threading.Event()
        self.hard = hardhttp.HardState(slow_seconds, oversize_bytes)
        #: real host -> Crawl-delay its robots.txt asks of every user agent
        self.crawl_delays = dict(crawl_delays or {})
        self.hard_posts = {p.hard_case: p for p in self.corpus.posts if p.hard_case}
        self._lock = threading.RLock()
        self._clock, self._broken, self._version = clock, {}, 0
        self._snap: routes.Snapshot | None = None
        self._generated = 0
        # Big enough to keep every rendered article of a benchmark-sized replay (scale=100: ~13k pages).
        self._cache = _LRU(min(30_000, max(4096, 2 * len(self.corpus.posts))))

    # -- state ---------------------------------------------------------------------------
    @property
    def clock(self) -> datetime:
        return self._clock

    @property
    def snapshot(self) -> routes.Snapshot:
        snap = self._snap
        if snap is None:
            with self._lock:
                if self._snap is None:
                    self._snap = routes.build(self.corpus.posts, self.sites, self._clock, self._version)
                snap = self._snap
        return snap

    def _changed(self) -> None:
        self._version += 1
        self._snap = None

    def set_clock(self, when: datetime) -> None:
        with self._lock:
            self._clock = when
            self._changed()

    def advance(self, days: float, articles: int) -> list[Post]:
        """Move the clock; return the web posts that became visible (``articles`` new ones)."""
        with self._lock:
            start, end = self._clock, self._clock + timedelta(days=days)
            self.corpus.generate(articles, start, end, self._generated)
            self._generated += articles
            self._clock = end
            self._changed()
            return [p for p in self.corpus.posts
                    if p.channel == "web" and start < p.visible_at <= end and not p.extra.get("unlisted")]

    def break_source(self, source: str, mode: str = "empty_bodies") -> None:
        if mode not in BREAK_MODES:
            raise ValueError(f"unknown break mode {mode!r}; one of {', '.join(BREAK_MODES)}")
        with self._lock:
            self.sites[source]   # KeyError for an unknown source
            self._broken[source] = mode
            self._changed()

    def fix_source(self, source: str) -> None:
        with self._lock:
            self._broken.pop(source, None)
            self._changed()

    @property
    def broken(self) -> dict[str, str]:
        return dict(self._broken)

    # -- requests ------------------------------------------------------------------------
    def respond(self, host: str, target: str) -> Response:
        """The response to GET ``target`` (path + query) on real host ``host``."""
        if host in paths.FOREIGN_HOSTS:
            return foreign.respond(host, target)
        snap = self.snapshot
        ctx = Ctx(self.host_map, snap)
        sid = self.host_source[host]
        site, mode = self.sites[sid], self._broken.get(sid)
        route = snap.routes.get((host, target))
        if route is None and "?" in target:
            route = snap.routes.get((host, target.split("?", 1)[0]))
            route = route if route and route[0] in _QUERY_FREE else None
        if mode == "server_error" and target != "/robots.txt":
            return Response(503, b"<h1>503 Service Unavailable</h1>", "text/html", kind="error")
        if route is None:
            return pages.not_found(ctx, site)
        kind, arg = route
        if kind == "hard":
            post = self.hard_posts.get(arg) or next(iter(self.hard_posts.values()))
            return hardhttp.respond(arg, target.split("?", 1)[0], ctx, self.hard,
                                    lambda: pages.article(ctx, site, post, host, mode))
        key = (snap.version, host, kind, id(arg) if kind in _QUERY_FREE else arg, mode)
        resp = self._cache.get(key)
        if resp is None:
            resp = pages.render(ctx, self.sites, kind, arg, host, mode)
            self._cache.put(key, resp)
        if kind == "robots" and host in self.crawl_delays:
            line = f"User-agent: *\nCrawl-delay: {self.crawl_delays[host]:g}\n".encode()
            resp = dataclasses.replace(resp, body=resp.body.replace(b"User-agent: *\n", line, 1))
        return resp
