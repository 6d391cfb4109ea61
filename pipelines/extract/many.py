"""Extraction over many pages: ``extract_many`` (all cores, per-document timeout, results in input
order; a page that hangs or crashes its worker becomes a reject). ``newsarchive extract`` (a manifest
of saved pages) is its command, in ``newsarchive.commands.extract``.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Iterable

from pipelines.config import Source, SourcesConfig
from pipelines.extract import extract
from pipelines.record import Article, RawPage, Reject
from pipelines.extract.syndication import Outlets
from pipelines.extract.pool import run_isolated


def source_for(page: RawPage, config: SourcesConfig | None) -> Source | None:
    """The page's configured source by id, else the source whose domains hold its host."""
    if config is None:
        return None
    if page.source in config.ids():
        return config.get(page.source)
    return next((s for s in config.sources if s.allows_host(page.url)), None)


def _extract_one(page: RawPage, config: SourcesConfig | None) -> Article | Reject:
    source = source_for(page, config)
    if source is not None and not page.source:
        page.source = source.id
    return extract(page, source, outlets=_outlets(config) if config is not None else None)


_OUTLETS: tuple[SourcesConfig, Outlets] | None = None


def _outlets(config: SourcesConfig) -> Outlets:
    """``Outlets`` of the configuration, built once per configuration object (a worker keeps one)."""
    global _OUTLETS
    if _OUTLETS is None or _OUTLETS[0] is not config:
        _OUTLETS = (config, Outlets(config.sources))
    return _OUTLETS[1]


def _failure(page: RawPage, reason: str, detail: str) -> Reject:
    return Reject(url=page.url, source=page.source, stage="extract", reason=reason,
                  fetched_at=page.fetched_at or datetime.now(timezone.utc), run_id=page.run_id,
                  detail=detail, http_status=page.status, raw_ref=page.raw_ref)


def extract_many(pages: Iterable[RawPage], sources_config: SourcesConfig | None, workers: int = 0,
                 timeout: float = 20.0, progress: Callable[[int, int], None] | None = None) -> list[Article | Reject]:
    """``extract`` on every page, in worker processes, results in input order.

    A page that takes longer than ``timeout`` seconds becomes ``Reject(reason="timeout")``;
    a page whose worker dies becomes ``Reject(reason="crash")``. ``progress(done, total)`` is called
    as pages finish (the commands print it; this module never does).
    """
    items = list(pages)
    return run_isolated(_extract_one, items, _failure, workers=workers, timeout=timeout,
                        state=sources_config, progress=progress or None)
