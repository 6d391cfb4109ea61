"""``Replay``: every configured host on its own 127.0.0.1 port, plus a control port."""
from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from pipelines.config import SourcesConfig, load_sources

from . import hardcases, paths
from .configure import point_at
from .control import ControlServer
from .log import LoggedRequest, RequestLog
from .model import DEFAULT_CLOCK, TZ
from .records import ArticleRecord, ground_truth
from .server import Listener
from .world import World


def _aware(clock) -> datetime:
    if clock is None:
        return DEFAULT_CLOCK
    when = datetime.fromisoformat(clock) if isinstance(clock, str) else clock
    return when if when.tzinfo else when.replace(tzinfo=TZ)


class Replay:
    """See the package docstring (``replay``) for the whole API."""

    def __init__(self, clock=None, scale: int = 1, config: SourcesConfig | str | Path | None = None,
                 slow_seconds: float = 40.0, oversize_bytes: int = 12 * 1024 * 1024, port_base: int = 0,
                 crawl_delays: dict[str, float] | None = None):
        real = config if isinstance(config, SourcesConfig) else load_sources(config)
        self.real_config = real
        self.host_map: dict[str, str] = {}
        self.world = World(real, self.host_map, _aware(clock), scale, slow_seconds, oversize_bytes,
                           crawl_delays=crawl_delays)
        self.log = RequestLog(self.world.host_source)
        hosts = sorted(self.world.host_source) + list(paths.FOREIGN_HOSTS)
        self._control = ControlServer(self, port_base)
        self._listeners = [Listener(h, port_base + 1 + i if port_base else 0, self.world, self.log)
                           for i, h in enumerate(hosts)]
        for lst in self._listeners:
            self.host_map[lst.real_host] = f"127.0.0.1:{lst.port}"
        self.config = point_at(real, self.host_map)
        self.config_path: Path | None = None
        self._started = self._stopped = False

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> "Replay":
        if not self._started:
            self._started = True
            for srv in self._listeners + [self._control]:
                srv.thread.start()
        return self

    def stop(self) -> None:
        """Stop every listener, cut open connections and join the threads (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        self.world.stop.set()
        servers = self._listeners + [self._control]
        if self._started:
            stoppers = [threading.Thread(target=s.shutdown) for s in servers]
            for t in stoppers:
                t.start()
            for t in stoppers:
                t.join()
        for srv in servers:
            if isinstance(srv, Listener):
                srv.close_connections()
            srv.server_close()
            if self._started:
                srv.thread.join(timeout=5)

    def __enter__(self) -> "Replay":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------------------
    @property
    def control_url(self) -> str:
        return f"http://127.0.0.1:{self._control.server_address[1]}"

    @property
    def foreign_hosts(self) -> tuple[str, ...]:
        return paths.FOREIGN_HOSTS

    def url(self, host: str, path: str = "/") -> str:
        """Replay URL of ``path`` on real host ``host`` (``host:port`` maps the host; a host that is not
        replayed, e.g. ``[::1]:9``, stays as it is; ``a@b`` maps both, as a hostile link has it)."""
        return f"http://{'@'.join(self._netloc(h) for h in host.split('@'))}{path}"

    def _netloc(self, host: str) -> str:
        if host in self.host_map:
            return self.host_map[host]
        name, sep, port = host.partition(":")
        return self.host_map[name] + sep + port if name in self.host_map else host

    def real_host(self, url_or_netloc: str) -> str | None:
        netloc = urlsplit(url_or_netloc).netloc if "//" in url_or_netloc else url_or_netloc
        return next((h for h, n in self.host_map.items() if n == netloc), None)

    def write_config(self, path: str | Path) -> Path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(self.config.to_yaml(), encoding="utf-8")
        self.config_path = p
        return p

    # -- clock and content ---------------------------------------------------------------
    @property
    def clock(self) -> datetime:
        return self.world.clock

    def set_clock(self, when) -> None:
        self.world.set_clock(_aware(when))

    def advance(self, days: float = 1, articles: int = 3) -> list[str]:
        """Move the clock by ``days`` and publish ``articles`` new web articles; returns their URLs."""
        return [self.url(p.host, p.path) for p in self.world.advance(days, articles)]

    def break_source(self, source: str, mode: str = "empty_bodies") -> None:
        self.world.break_source(source, mode)

    def fix_source(self, source: str) -> None:
        self.world.fix_source(source)

    def reset_hard_cases(self) -> None:
        """Re-arm the fail-first hard cases (retry_500, retry_429)."""
        self.world.hard.reset()

    def articles(self, source: str | None = None, channel: str | None = None) -> list[ArticleRecord]:
        """Ground truth of every visible article a correct crawler archives with its full text."""
        return [r for r in self._records() if (source is None or r.source == source)
                and (channel is None or r.channel == channel)]

    def _records(self) -> list[ArticleRecord]:
        return ground_truth(self.world, self.real_config, self.url)

    def story_urls(self, story: str) -> list[str]:
        return [r.url for r in self.articles() if r.story == story]

    def seed_urls(self, seed: str) -> list[str]:
        return [r.url for r in self.articles() if r.seed == seed]

    @property
    def near_miss_pairs(self) -> list[tuple[str, str]]:
        recs = [r for r in self.articles() if r.near_miss_of]
        return sorted({tuple(sorted((r.url, r.near_miss_of))) for r in recs})

    # -- hard cases ----------------------------------------------------------------------
    @property
    def hard_case_info(self) -> dict[str, hardcases.HardCase]:
        return hardcases.cases(hardcases.post_cases(self.world), http="btchangqing" in self.world.sites)

    @property
    def hard_cases(self) -> dict[str, str]:
        """Hard case name -> URL (see ``hard_case_info`` for what a crawler should do with it)."""
        return {n: self.url(c.host, c.path) for n, c in self.hard_case_info.items()}

    # -- request log ---------------------------------------------------------------------
    @property
    def request_log(self) -> list[LoggedRequest]:
        return self.log.items()

    def clear_log(self) -> None:
        self.log.clear()

    def requests_to(self, target: str, kind: str | None = None) -> list[LoggedRequest]:
        """Requests to a source id, a real host name, or a replay ``127.0.0.1:PORT``/URL."""
        host = self.real_host(target) if "127.0.0.1" in target else target
        return [e for e in self.log.items() if (e.source == target or e.host == host)
                and (kind is None or e.kind == kind)]

    def state(self) -> dict:
        return {"clock": self.clock.isoformat(), "control_url": self.control_url, "host_map": self.host_map,
                "config_path": str(self.config_path) if self.config_path else None,
                "broken": self.world.broken, "hard_cases": self.hard_cases,
                "foreign_hosts": list(paths.FOREIGN_HOSTS)}
