"""URL canonicalization, stable article ids, and the one host parser of every address check.

The canonical URL is the key of the crawl seen-set and of ``article_id``:
scheme/host lower-cased, default port dropped, fragment, ``index.html`` and
tracking parameters removed, remaining parameters sorted, mobile hosts mapped
to their desktop host (``Source.mobile_hosts``).

``parse_host`` reads the host and port of a URL the way the fetcher connects to them
(w3lib's WHATWG-style normalization, which Scrapy applies to every request URL: ``\\`` is a
path separator, Unicode hosts become IDNA): the allowed-domains check, the private-address check
and the crawler all use it, so none of them can be told a different host than the one connected to.
A URL with credentials (``http://allowed.host:80@evil.com/``), a non-numeric or out-of-range port
or a host that is not a valid IDNA name is refused as ``BadURL``.
"""
from __future__ import annotations

import hashlib
import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import idna
from w3lib.url import canonicalize_url, safe_url_string

#: Query parameters that only track where a click came from.
TRACKING_PARAMS = frozenset({
    "spm", "from", "share_token", "share_from", "sharefrom", "fromshare", "isappinstalled",
    "wfr", "tt_from", "tt_medium", "utm_id", "gclid", "fbclid", "mc_cid", "mc_eid",
    "scene", "clicktime", "enterid", "ref", "refer", "timestamp", "_t",
    "sharetype", "sharesource", "yidian_docid", "ivk_sa", "pvid", "traceid",
})
_INDEX_PAGE = re.compile(r"/index\.(?:s?html?|php|asp|jsp)$", re.I)
_DEFAULT_PORT = {"http": "80", "https": "443"}
#: Longest URL requested (the de facto limit of browsers and of Scrapy's URLLENGTH_LIMIT); longer ones
#: are refused as ``url_too_long``.
MAX_URL_LENGTH = 2083
_NUMERIC_HOST = re.compile(r"^[0-9a-fx.]+$", re.I)
#: Host names as resolvers take them (underscores occur in the wild); no %, spaces or other punctuation.
_HOST_NAME = re.compile(r"^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NEEDS_W3LIB = re.compile(r"[\\\s\x00-\x1f\x7f]")


class BadURL(ValueError):
    """A URL whose host cannot be read unambiguously (credentials, bad port, invalid name)."""


@dataclass(frozen=True, slots=True)
class Host:
    """Where a URL connects to: ``name`` is lower-case IDNA (``xn--``) or an IP address without brackets."""
    scheme: str
    name: str
    port: int                   # the effective port (80/443 when the URL names none)
    explicit_port: bool
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None

    @property
    def netloc(self) -> str:
        """``host[:port]`` as in a canonical URL (IPv6 bracketed, default port dropped)."""
        h = f"[{self.name}]" if self.ip is not None and self.ip.version == 6 else self.name
        return h if self.port == int(_DEFAULT_PORT.get(self.scheme, "0")) else f"{h}:{self.port}"


def parse_host(url: str) -> Host:
    """The host and port ``url`` connects to; ``BadURL`` when they cannot be read unambiguously."""
    if len(url) > 64 * 1024:
        raise BadURL("URL longer than 64 KiB")
    url = url.strip()
    try:   # plain ASCII without backslashes or controls: w3lib would leave the host part as it is
        parts = urlsplit(url if url.isascii() and not _NEEDS_W3LIB.search(url) else safe_url_string(url))
    except ValueError as exc:
        raise BadURL(f"unparsable URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORT:
        raise BadURL(f"not an http(s) URL: scheme {scheme!r}")
    netloc = parts.netloc
    if "@" in netloc:
        raise BadURL("the URL carries credentials (user@host): the host it names is ambiguous")
    if netloc.startswith("["):
        end = netloc.find("]")
        if end < 0:
            raise BadURL(f"unclosed IPv6 literal in {netloc!r}")
        name, rest = netloc[1:end], netloc[end + 1:]
        try:
            ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.IPv6Address(name.split("%", 1)[0])
        except ValueError:
            raise BadURL(f"invalid IPv6 literal {name!r}") from None
        name = str(ip)
        if rest and not rest.startswith(":"):
            raise BadURL(f"junk after the IPv6 literal in {netloc!r}")
        port_s = rest[1:]
    else:
        name, _, port_s = netloc.partition(":")
        if ":" in port_s:
            raise BadURL(f"more than one ':' in the host {netloc!r} (an IPv6 literal needs brackets)")
        name, ip = _host_name(name)
    if port_s and not (port_s.isdigit() and 0 < int(port_s) < 65536):
        raise BadURL(f"invalid port {port_s!r}")
    port = int(port_s) if port_s else int(_DEFAULT_PORT[scheme])
    return Host(scheme, name, port, bool(port_s), ip)


def _host_name(raw: str) -> tuple[str, ipaddress.IPv4Address | None]:
    name = raw.lower().rstrip(".")
    if not name:
        raise BadURL("no host")
    if _NUMERIC_HOST.match(name):   # 127.1, 0x7f.0.0.1, 2130706433: what inet_aton (and the resolver) reads
        try:
            ip = ipaddress.IPv4Address(socket.inet_aton(name))
        except (OSError, ValueError):
            ip = None
        if ip is not None:
            return str(ip), ip
    if not name.isascii():   # w3lib leaves a name it cannot IDNA-encode as it is
        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise BadURL(f"invalid host name {raw!r}: {exc}") from None
    if not _HOST_NAME.match(name):
        raise BadURL(f"invalid host name {raw!r}")
    return name, None


def _is_tracking(name: str) -> bool:
    n = name.lower()
    return n.startswith("utm_") or n in TRACKING_PARAMS


def canonicalize(url: str, mobile_hosts: dict[str, str] | None = None) -> str:
    """Canonical form of ``url`` (see module docstring). Idempotent; never raises: a URL whose
    host does not parse (``parse_host``) comes back stripped but otherwise unchanged (the crawler
    refuses such URLs as ``invalid_url`` before requesting them)."""
    url = url.strip()
    try:
        return _canonicalize(url, mobile_hosts)
    except ValueError:
        return url


def _canonicalize(url: str, mobile_hosts: dict[str, str] | None) -> str:
    parts = urlsplit(url)
    scheme = (parts.scheme or "http").lower()
    netloc = parse_host(url if parts.scheme else f"{scheme}://{url}").netloc
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
    """True for ``localhost`` names and for IP addresses (any form ``inet_aton`` reads) that are not
    globally reachable (``ipaddress``'s ``is_global``: private, loopback, link-local, shared
    100.64.0.0/10 (a Chinese cloud's metadata service is 100.100.100.200), benchmarking, documentation,
    reserved, multicast), also inside IPv4-mapped, 6to4 and NAT64 (64:ff9b::/96) IPv6 addresses."""
    h = host.strip().strip("[]").lower().rstrip(".")
    if h == "localhost" or h.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(h.split("%", 1)[0])
    except ValueError:
        try:
            _, ip = _host_name(h)
        except BadURL:
            return False
        if ip is None:
            return False
    return not address_is_global(ip)


def address_is_global(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or (
            ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if embedded is not None:
            return address_is_global(embedded)
    return ip.is_global and not ip.is_multicast
