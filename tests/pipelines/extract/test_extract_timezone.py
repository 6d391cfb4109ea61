"""Time zones of publish times: from the date itself, the source, the page, its language or host; else unknown,
never UTC by assumption (pages written for these tests)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pipelines.extract import extract
from pipelines.record import Article

from extract_helpers import CONFIG, article_html, page

URL = "https://news.example.org/a/2022/0727/x.html"


def _art(html: str, source=None, url=URL) -> Article:
    res = extract(page(html, url=url, source="x"), source)
    assert isinstance(res, Article), res
    return res


def _dated(head: str = "", before: str = "", lang: str | None = None) -> str:
    html = article_html(head=head, before=before or "<div class='info'>发布时间：2022-07-27 08:05</div>")
    return html.replace("<html>", f"<html lang='{lang}'>") if lang else html


EN = ("<html><head><meta charset='utf-8'><title>Budget talks resume</title></head><body><h1>Budget talks resume"
      "</h1>{info}" + "".join(
          f"<p>The committee met again on Tuesday to discuss the budget proposal number {i}, which was "
          f"presented last week by the finance ministry and debated at length.</p>" for i in range(4))
      + "</body></html>")


def _en(info: str = "<div class='info'>Posted: 2022-07-27 08:05</div>") -> str:
    """An English page without a language attribute: nothing on it says its zone."""
    return EN.replace("{info}", info)


def test_naive_time_without_any_evidence_keeps_the_offset_unknown():
    art = _art(_en())
    assert art.published_at == datetime(2022, 7, 27, 8, 5, tzinfo=timezone.utc)   # wall time as written
    assert art.published_at_offset_minutes is None and art.published_at_offset_origin is None


def test_offset_written_in_the_date_is_kept():
    art = _art(_dated(head="<meta property='article:published_time' content='2022-07-27T08:05:00+09:00'>"))
    assert art.published_at == datetime(2022, 7, 26, 23, 5, tzinfo=timezone.utc)
    assert (art.published_at_offset_minutes, art.published_at_offset_origin) == (540, "stamp")


def test_configured_source_timezone_wins_over_page_evidence():
    art = _art(_dated(lang="en-US"), source=CONFIG.get("stdaily"))
    assert art.published_at == datetime(2022, 7, 27, 0, 5, tzinfo=timezone.utc)
    assert (art.published_at_offset_minutes, art.published_at_offset_origin) == (480, "source")


def test_offset_from_another_date_of_the_page():
    # the publish time is naive; the page's modified time (meta) and JSON-LD dateCreated say +05:30
    head = ("<meta name='pubdate' content='2022-07-27 08:05'>"
            "<script type='application/ld+json'>{\"@type\": \"NewsArticle\","
            " \"dateCreated\": \"2022-07-27T09:00:00+0530\"}</script>"
            "<meta property='article:modified_time' content='2022-07-27T10:00:00+05:30'>")
    art = _art(_dated(head=head, lang="zh-CN"))
    assert (art.published_at_offset_minutes, art.published_at_offset_origin) == (330, "page")
    assert art.published_at == datetime(2022, 7, 27, 2, 35, tzinfo=timezone.utc)


@pytest.mark.parametrize("lang", ["zh-CN", "zh-TW", "zh-HK", "zh-Hans"])
def test_chinese_language_and_region_mean_plus_eight(lang):
    art = _art(_dated(lang=lang))
    assert art.published_at == datetime(2022, 7, 27, 0, 5, tzinfo=timezone.utc)
    assert (art.published_at_offset_minutes, art.published_at_offset_origin) == (480, "language")


def test_chinese_text_without_markup_language_means_plus_eight():
    art = _art(_dated())
    assert (art.published_at_offset_minutes, art.published_at_offset_origin) == (480, "language")


def test_country_domain_when_the_language_says_nothing():
    art = _art(_en(), url="https://www.example.com.hk/news/1.html")
    assert (art.published_at_offset_minutes, art.published_at_offset_origin) == (480, "host")


def test_a_naive_time_just_before_the_fetch_is_not_in_the_future():
    # fetched 2022-07-28 00:00 UTC = 08:00 in China; the page says 07:30 (local) with no zone at all
    art = _art(_en("<div class='info'>Posted: 2022-07-28 07:30</div>"))
    assert art.published_at == datetime(2022, 7, 28, 7, 30, tzinfo=timezone.utc)
    assert art.published_at_offset_minutes is None


def test_date_ranges_are_navigation_not_publish_dates():
    art = _art(_en("<div class='archive'>12/01/2004 - 01/01/2005</div><div class='info'>2005-06-14 03:25:55</div>"))
    assert art.published_at.date().isoformat() == "2005-06-14"
