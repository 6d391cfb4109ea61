"""Pointing a sources configuration at the local replay (tests, the demo, benchmarks only).

The production configuration knows nothing of the replay: these functions return a rewritten copy.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pipelines.config import SourcesConfig


def point_at(cfg: SourcesConfig, host_map: dict[str, str], scheme: str = "http",
             allow_private: bool = True) -> SourcesConfig:
    """``cfg`` with every URL and domain rewritten through ``host_map`` (real host -> host:port).

    URL paths stay the same, only scheme and host change; the replay serves on 127.0.0.1, so its
    sources are allowed private addresses.
    """
    def url(u: str) -> str:
        p = urlsplit(u)
        host = p.netloc.lower()
        if host in host_map:
            return urlunsplit((scheme, host_map[host], p.path, p.query, p.fragment))
        return u

    def walk(obj: Any, key: str = "") -> Any:
        if isinstance(obj, dict):
            return {k: walk(v, k) for k, v in obj.items()}
        if isinstance(obj, list):
            return [walk(v, key) for v in obj]
        if isinstance(obj, str) and obj.startswith(("http://", "https://")):
            return url(obj)
        return obj

    data = walk(cfg.model_dump())
    for s in data["sources"]:
        s["allowed_domains"] = [host_map.get(d, d) for d in s["allowed_domains"]]
        s["mobile_hosts"] = {host_map.get(k, k): host_map.get(v, v) for k, v in s["mobile_hosts"].items()}
        if allow_private:
            s["allow_private_addresses"] = True
    return SourcesConfig.model_validate(data)


def with_politeness(cfg: SourcesConfig, **overrides: Any) -> SourcesConfig:
    """``cfg`` with every source's politeness overridden (fast crawls of the replay)."""
    data = cfg.model_dump()
    for s in data["sources"]:
        s["politeness"].update(overrides)
    return SourcesConfig.model_validate(data)
