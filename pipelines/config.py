"""``config/sources.yaml``: sources as data, validated strictly.

Unknown keys are rejected and every error names the source and the field, e.g.
``sources[bjnews].politeness.delay_seconds: Input should be greater than or equal to 0``.
"""
from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

#: The project's sources file in a checkout (or an editable install); an installed wheel has none.
DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "config" / "sources.yaml"
#: The environment variable naming the sources file (the image sets it; ``--config`` overrides it).
CONFIG_ENV = "NEWSARCHIVE_CONFIG"


class ConfigError(ValueError):
    """A sources.yaml that does not validate; the message names source and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_regex(v: str) -> str:
    try:
        re.compile(v)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {v!r}: {exc}") from None
    return v


def _check_url(v: str) -> str:
    parts = urlsplit(v)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"must be an absolute http(s) URL, got {v!r}")
    return v


Regex = Annotated[str, Field(min_length=1)]


def _check_alias(v: str) -> str:
    if not outlet_key(v):
        raise ValueError(f"an alias needs letters, got {v!r}")
    return v


Alias = Annotated[str, Field(min_length=1, max_length=60), AfterValidator(_check_alias)]


class Listing(_Strict):
    """A listing page (栏目页) and its pagination."""
    url: str
    #: URL of page N (N >= 2), with ``{page}``; page 1 is ``url``.
    pagination: str | None = None
    max_pages: int = Field(default=5, ge=1, le=1000)

    @field_validator("url")
    @classmethod
    def _u(cls, v: str) -> str:
        return _check_url(v)

    @field_validator("pagination")
    @classmethod
    def _pag(cls, v: str | None) -> str | None:
        if v is not None:
            if "{page}" not in v:
                raise ValueError("pagination must contain {page}")
            _check_url(v.replace("{page}", "2"))
        return v


class Archive(_Strict):
    """A date-addressed archive (e-paper 版面 index) used for backfills.

    ``index`` is formatted with ``date`` (a ``datetime.date``), e.g.
    ``https://epaper.bjnews.com.cn/html/{date:%Y-%m}/{date:%d}/node_1.htm``.
    """
    index: str
    #: Regex (on the URL path) of intermediate pages to follow from the index (other 版面).
    follow_pattern: Regex | None = None
    #: Regex (on the URL path) of article pages inside the archive.
    article_pattern: Regex
    max_pages: int = Field(default=50, ge=1, le=5000)

    @field_validator("index")
    @classmethod
    def _idx(cls, v: str) -> str:
        from datetime import date
        try:
            formatted = v.format(date=date(2022, 7, 27))
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"index must be a template over {{date}}: {exc}") from None
        if formatted == v:
            raise ValueError("index must contain a {date:...} placeholder")
        _check_url(formatted)
        return v

    @field_validator("follow_pattern", "article_pattern")
    @classmethod
    def _r(cls, v: str | None) -> str | None:
        return v if v is None else _check_regex(v)


class Discovery(_Strict):
    feeds: list[str] = []
    sitemaps: list[str] = []
    #: Google News sitemaps (``news:publication_date``).
    news_sitemaps: list[str] = []
    listings: list[Listing] = []
    archive: Archive | None = None

    @field_validator("feeds", "sitemaps", "news_sitemaps")
    @classmethod
    def _urls(cls, v: list[str]) -> list[str]:
        return [_check_url(u) for u in v]

    @model_validator(mode="after")
    def _some(self) -> "Discovery":
        if not (self.feeds or self.sitemaps or self.news_sitemaps or self.listings):
            raise ValueError("needs at least one of feeds, sitemaps, news_sitemaps, listings")
        return self


class Politeness(_Strict):
    delay_seconds: float = Field(default=1.0, ge=0, le=600)
    concurrency: int = Field(default=2, ge=1, le=64)
    autothrottle: bool = True
    obey_robots: bool = True
    timeout_seconds: float = Field(default=30, gt=0, le=600)
    max_download_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    retries: int = Field(default=3, ge=0, le=20)
    #: Upper bound on requests of one crawl run (a crawl never runs unbounded).
    max_requests: int = Field(default=5000, ge=1)
    #: Upper bound on the wall time of one crawl run, in seconds (the spider closes, committing what it has).
    max_seconds: float = Field(default=4 * 3600, gt=0, le=7 * 24 * 3600)
    #: robots.txt ``Crawl-delay`` (or ``Request-rate``) is honoured up to this many seconds between
    #: requests to a host (a site asking for more gets this); 0 ignores it.
    max_crawl_delay_seconds: float = Field(default=30.0, ge=0, le=600)


class Freshness(_Strict):
    #: Sitemap/feed entries published more than this many days before the logical date are skipped.
    max_age_days: int = Field(default=30, ge=1)
    #: Re-fetch archived articles first fetched less than this many hours ago, with conditional requests
    #: (If-None-Match / If-Modified-Since), to catch updates; 0 = off. Corrections and updates of news
    #: come within a day or two of publication (README, "Crawler etiquette").
    refetch_recent_hours: int = Field(default=48, ge=0, le=24 * 90)
    #: At most this many re-fetches per crawl, least recently checked first (never more than
    #: ``REFETCH_SHARE`` of ``politeness.max_requests``); 0 = off.
    refetch_max_requests: int = Field(default=100, ge=0)
    #: Also re-fetch pages whose server sent neither ETag nor Last-Modified. Such a request cannot be
    #: conditional: the whole page comes back every time and an unchanged one becomes one more sighting.
    refetch_unconditional: bool = False
    #: Quality check: fail when the source has had no new article for longer than this.
    expect_new_within_hours: int = Field(default=48, ge=1)


class Extraction(_Strict):
    #: XPath expressions whose nodes are removed before extraction.
    prune_xpaths: list[str] = []
    #: Regexes; a text line matching one (fully) is dropped as boilerplate.
    strip_lines: list[Regex] = []
    #: Title suffixes to strip, e.g. " - 新京报".
    title_suffixes: list[str] = []
    #: Regex with one group that captures the section from the URL path.
    section_from_url: Regex | None = None
    #: Minimum characters of body text for an article (shorter is a ``too_short`` reject).
    min_chars: int = Field(default=80, ge=1)

    @field_validator("strip_lines")
    @classmethod
    def _r(cls, v: list[str]) -> list[str]:
        return [_check_regex(x) for x in v]

    @field_validator("prune_xpaths")
    @classmethod
    def _xp(cls, v: list[str]) -> list[str]:
        from lxml import etree
        for x in v:
            try:
                etree.XPath(x)
            except etree.XPathSyntaxError as exc:
                raise ValueError(f"invalid XPath {x!r}: {exc}") from None
        return v


class Source(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,40}$")]
    name: str = Field(min_length=1)
    #: Other names pages credit this outlet by (``来源：科技日报社``); the name and the id count too.
    #: A syndication statement naming one resolves to this source (``syndicated_from_source``).
    aliases: list[Alias] = []
    enabled: bool = True
    base_url: str
    allowed_domains: list[str] = Field(min_length=1)
    #: Mobile host -> desktop host, used by URL canonicalization.
    mobile_hosts: dict[str, str] = {}
    discovery: Discovery
    #: Regexes on the URL path (+query) that identify article pages.
    article_patterns: list[Regex] = Field(min_length=1)
    timezone: str = "Asia/Shanghai"
    language: str = "zh"
    #: Expected charset; the HTTP header, BOM and <meta> still take precedence.
    encoding: str = "utf-8"
    politeness: Politeness = Politeness()
    freshness: Freshness = Freshness()
    extraction: Extraction = Extraction()
    #: Higher wins when picking the canonical copy of a syndicated story among equal dates.
    priority: int = Field(default=50, ge=0, le=100)
    #: Allow requests to private/loopback/link-local addresses (only the local replay needs this).
    allow_private_addresses: bool = False

    @field_validator("base_url")
    @classmethod
    def _u(cls, v: str) -> str:
        return _check_url(v)

    @field_validator("article_patterns")
    @classmethod
    def _r(cls, v: list[str]) -> list[str]:
        return [_check_regex(x) for x in v]

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA timezone {v!r}") from None
        return v

    @field_validator("encoding")
    @classmethod
    def _enc(cls, v: str) -> str:
        import codecs
        try:
            codecs.lookup(v)
        except LookupError:
            raise ValueError(f"unknown encoding {v!r}") from None
        return v

    @field_validator("allowed_domains")
    @classmethod
    def _domains(cls, v: list[str]) -> list[str]:
        out = []
        for d in v:
            d = d.strip().lower()
            if not d or "/" in d or " " in d or _domain(d) is None:
                raise ValueError(f"allowed_domains entries are host names (optionally host:port), got {d!r}")
            out.append(d)
        return out

    @model_validator(mode="after")
    def _base_inside(self) -> "Source":
        if not self.allows_host(self.base_url):
            raise ValueError(f"base_url host {urlsplit(self.base_url).netloc.lower()!r} is not in allowed_domains")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def outlet_names(self) -> list[str]:
        """Every name this outlet goes by: name, id, aliases."""
        return [self.name, self.id, *self.aliases]

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return any(re.search(p, path) for p in self.article_patterns)

    def allows_host(self, url_or_host: str) -> bool:
        """The URL (or ``host[:port]``) connects to an allowed domain or a subdomain of one, host and
        port read as the fetcher reads them (``pipelines.urls.parse_host``: a URL with credentials,
        a bad port or an invalid name never is). A domain without a port allows the default port only."""
        from pipelines.urls import BadURL, parse_host
        try:
            host = parse_host(url_or_host if "//" in url_or_host else f"http://{url_or_host}")
        except BadURL:
            return False
        return any(_host_matches(host, d) for d in self.allowed_domains)


class Defaults(_Strict):
    user_agent: str = "newsarchive/0.1 (+https://github.com/newsarchive/newsarchive)"
    contact_url: str = "https://github.com/newsarchive/newsarchive"

    @field_validator("contact_url")
    @classmethod
    def _u(cls, v: str) -> str:
        return _check_url(v)


class SourcesConfig(_Strict):
    defaults: Defaults = Defaults()
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "SourcesConfig":
        seen: set[str] = set()
        for s in self.sources:
            if s.id in seen:
                raise ValueError(f"duplicate source id {s.id!r}")
            seen.add(s.id)
        owner: dict[str, str] = {}
        for s in self.sources:
            for i, name in enumerate(s.outlet_names()):
                other = owner.setdefault(outlet_key(name), s.id)
                if other != s.id:
                    field = f"aliases.{i - 2}" if i >= 2 else ("name" if i == 0 else "id")
                    raise ValueError(f"{_WHERE}sources[{s.id}].{field}: {name!r} already names source {other!r}")
        return self

    def get(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(f"unknown source {source_id!r}; configured: {', '.join(self.ids())}")

    def ids(self, enabled_only: bool = False) -> list[str]:
        return [s.id for s in self.sources if s.enabled or not enabled_only]

    @property
    def user_agent(self) -> str:
        ua = self.defaults.user_agent
        return ua if self.defaults.contact_url in ua else f"{ua} (+{self.defaults.contact_url})"

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(exclude_defaults=False), allow_unicode=True, sort_keys=False)


@lru_cache(maxsize=1024)
def _domain(domain: str):
    """An ``allowed_domains`` entry parsed like a URL's host (None when it is not a host[:port])."""
    from pipelines.urls import BadURL, parse_host
    try:
        return parse_host(f"http://{domain}")
    except BadURL:
        return None


def _host_matches(host, domain: str) -> bool:
    """``host`` (a ``pipelines.urls.Host``) is ``domain`` or a subdomain of it, on the domain's port
    when it names one, else on the scheme's default port; IP addresses match only themselves."""
    d = _domain(domain)
    if d is None:
        return False
    if d.explicit_port:
        if host.port != d.port:
            return False
    elif host.port != {"http": 80, "https": 443}[host.scheme]:
        return False
    if host.ip is not None or d.ip is not None:
        return host.ip == d.ip
    return host.name == d.name or host.name.endswith("." + d.name)


def outlet_key(name: str) -> str:
    """An outlet name as compared: NFKC, case-folded, without spaces, quotes and title brackets
    (``《科技日报》`` = ``科技日报``; ``STDaily`` = ``stdaily``)."""
    return _NOT_IN_KEY.sub("", unicodedata.normalize("NFKC", name or "").casefold())


_NOT_IN_KEY = re.compile(r"[\s《》〈〉<>「」『』“”\"'‘’]+")
#: Marks a validator message that already names its place (``sources[id].field: …``).
_WHERE = "@where@"


def _format_error(exc: ValidationError, data: Any) -> str:
    lines = []
    for err in exc.errors():
        if _WHERE in err["msg"]:
            lines.append(err["msg"].split(_WHERE, 1)[1])
            continue
        loc = list(err["loc"])
        where = []
        if loc and loc[0] == "sources" and len(loc) > 1 and isinstance(loc[1], int):
            idx = loc[1]
            sid = None
            try:
                sid = data["sources"][idx].get("id")
            except (KeyError, IndexError, TypeError, AttributeError):
                pass
            where.append(f"sources[{sid or '#%d' % idx}]")
            loc = loc[2:]
        where.extend(str(x) for x in loc)
        lines.append(f"{'.'.join(where) or '<root>'}: {err['msg']}")
    return "; ".join(lines)


def parse_sources(data: Any, origin: str = "<data>") -> SourcesConfig:
    try:
        return SourcesConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{origin}: {_format_error(exc, data)}") from None


def default_sources_path() -> Path:
    """The sources file when none is given: ``$NEWSARCHIVE_CONFIG``, else the checkout's
    ``config/sources.yaml``; a ConfigError that says how to name one when neither exists (an
    installation without a checkout, e.g. the Airflow image, names it explicitly)."""
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    if DEFAULT_CONFIG.is_file():
        return DEFAULT_CONFIG
    raise ConfigError(f"no sources file: this installation has no checkout ({DEFAULT_CONFIG} is absent); "
                      f"pass --config PATH or set {CONFIG_ENV}")


def load_sources(path: str | Path | None = None) -> SourcesConfig:
    """Load and validate a sources file (default: :func:`default_sources_path`)."""
    p = Path(path) if path else default_sources_path()
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{p}: file not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from None
    return parse_sources(data, str(p))
