"""URL canonicalization and stable article ids.

The canonical URL is the key of the crawl seen-set and of ``article_id``:
scheme/host lower-cased, default port dropped, fragment, ``index.html`` and
tracking parameters removed, remaining parameters sorted, mobile hosts mapped
to their desktop host (``Source.mobile_hosts``).
"""
from __future__ import annotations

import hashlib
import ipaddress
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

#: Query parameters that only track where a click came from.
TRACKING_PARAMS = frozenset({
    "spm", "from", "share_token", "share_from", "sharefrom", "fromshare", "isappinstalled",
    "wfr", "tt_from", "tt_medium", "utm_id", "gclid", "fbclid", "mc_cid", "mc_eid",
    "scene", "clicktime", "enterid", "ref", "refer", "timestamp", "_t",
    "sharetype", "sharesource", "yidian_docid", "ivk_sa", "pvid", "traceid",
})
_INDEX_PAGE = re.compile(r"/index\.(?:s?html?|php|asp|jsp)$", re.I)
_DEFAULT_PORT = {"http": "80", "https": "443"}


def _is_tracking(name: str) -> bool:
    n = name.lower()
    return n.startswith("utm_") or n in TRACKING_PARAMS


def canonicalize(url: str, mobile_hosts: dict[str, str] | None = None) -> str:
    """Canonical form of ``url`` (see module docstring). Idempotent."""
    url = url.strip()
    parts = urlsplit(url)
    scheme = (parts.scheme or "http").lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port is None or str(port) == _DEFAULT_PORT.get(scheme) else f"{host}:{port}"
    if mobile_hosts:
        netloc = mobile_hosts.get(netloc, netloc)
    path = parts.path or "/"
    path = _INDEX_PAGE.sub("/", path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    rebuilt = urlunsplit((scheme, netloc, path, urlencode(query), ""))
    # w3lib: percent-encoding normalization and parameter sorting.
    return canonicalize_url(rebuilt, keep_fragments=False)


def url_key(url: str, mobile_hosts: dict[str, str] | None = None) -> str:
    """The seen-set key of a URL: its canonical form without the scheme (http == https)."""
    c = canonicalize(url, mobile_hosts)
    return c.split("://", 1)[1]


def article_id(canonical_url: str) -> str:
    """Stable id: first 32 hex digits of sha256 of the canonical URL."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:32]


def host_is_private(host: str) -> bool:
    """True for loopback, private, link-local, reserved or unspecified IP literals and localhost names."""
    h = host.strip("[]").lower()
    if h == "localhost" or h.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(h)
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_unspecified or ip.is_multicast
