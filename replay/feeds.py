"""Machine-readable discovery documents: RSS 2.0, Atom (jekyll-feed), sitemaps, Google News sitemaps."""
from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

from .model import plain


def _x(s: str) -> str:
    return escape(s, {'"': "&quot;"})


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def rss(title: str, link: str, description: str, items: list[dict], encoding: str = "utf-8",
        wordpress: bool = False, cdata: bool = True) -> str:
    """RSS 2.0. ``items``: dicts with url, title, published, summary, [author, category, content].

    Without ``cdata`` every text is escaped, so a legacy-encoded feed can hold any character
    as a character reference.
    """
    ns = (' xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
          ' xmlns:atom="http://www.w3.org/2005/Atom"' if wordpress else "")
    out = [f'<?xml version="1.0" encoding="{encoding}"?>', f'<rss version="2.0"{ns}>', "<channel>",
           f"<title>{_x(title)}</title>", f"<link>{_x(link)}</link>", f"<description>{_x(description)}</description>",
           "<language>zh-cn</language>"]
    if items:
        out.append(f"<lastBuildDate>{format_datetime(items[0]['published'])}</lastBuildDate>")
    for it in items:
        out += ["<item>", f"<title>{_x(it['title'])}</title>", f"<link>{_x(it['url'])}</link>",
                f'<guid isPermaLink="{"false" if wordpress else "true"}">{_x(it.get("guid", it["url"]))}</guid>',
                f"<pubDate>{format_datetime(it['published'])}</pubDate>"]
        if it.get("author"):
            tag = "dc:creator" if wordpress else "author"
            out.append(f"<{tag}><![CDATA[{it['author']}]]></{tag}>")
        if it.get("category"):
            out.append(f"<category><![CDATA[{it['category']}]]></category>")
        desc = f"<![CDATA[{it['summary']}]]>" if cdata else _x(it["summary"])
        out.append(f"<description>{desc}</description>")
        if it.get("content"):
            out.append(f"<content:encoded><![CDATA[{it['content']}]]></content:encoded>")
        out.append("</item>")
    out += ["</channel>", "</rss>"]
    return "\n".join(out) + "\n"


def atom(title: str, site: str, self_url: str, items: list[dict], updated: datetime) -> str:
    """Atom 1.0 in the shape jekyll-feed writes."""
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
           '<generator uri="https://jekyllrb.com/" version="4.2.2">Jekyll</generator>',
           f'<link href="{_x(self_url)}" rel="self" type="application/atom+xml" />',
           f'<link href="{_x(site)}" rel="alternate" type="text/html" hreflang="zh-CN" />',
           f"<updated>{_iso(updated)}</updated>", f"<id>{_x(self_url)}</id>", f'<title type="html">{_x(title)}</title>']
    for it in items:
        out += ["<entry>", f'<title type="html">{_x(it["title"])}</title>',
                f'<link href="{_x(it["url"])}" rel="alternate" type="text/html" title="{_x(it["title"])}" />',
                f"<published>{_iso(it['published'])}</published>", f"<updated>{_iso(it['modified'])}</updated>",
                f"<id>{_x(it['url'])}</id>", f'<content type="html" xml:base="{_x(it["url"])}">{_x(it["content"])}</content>',
                f'<category term="{_x(it["category"])}" />', f'<summary type="html">{_x(it["summary"])}</summary>',
                "</entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def sitemap(entries: list[tuple[str, datetime]], changefreq: str | None = None) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url, lastmod in entries:
        cf = f"<changefreq>{changefreq}</changefreq>" if changefreq else ""
        out.append(f"<url><loc>{_x(url)}</loc><lastmod>{_iso(lastmod)}</lastmod>{cf}</url>")
    out.append("</urlset>")
    return "\n".join(out) + "\n"


def sitemap_index(entries: list[tuple[str, datetime | None]]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url, lastmod in entries:
        lm = f"<lastmod>{_iso(lastmod)}</lastmod>" if lastmod else ""
        out.append(f"<sitemap><loc>{_x(url)}</loc>{lm}</sitemap>")
    out.append("</sitemapindex>")
    return "\n".join(out) + "\n"


def news_sitemap(publication: str, entries: list[tuple[str, str, datetime]]) -> str:
    """Google News sitemap: (url, title, publication date) per article."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
           ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">']
    for url, title, published in entries:
        out.append(f"<url><loc>{_x(url)}</loc><news:news><news:publication><news:name>{_x(publication)}</news:name>"
                   f"<news:language>zh</news:language></news:publication>"
                   f"<news:publication_date>{_iso(published)}</news:publication_date>"
                   f"<news:title>{_x(title)}</news:title></news:news></url>")
    out.append("</urlset>")
    return "\n".join(out) + "\n"


def summary(paragraphs: tuple[str, ...], n: int = 90) -> str:
    text = "".join(plain(p) for p in paragraphs if not p.startswith("## "))
    return text[:n] + ("……" if len(text) > n else "")
