"""The run report: a self-contained HTML file next to the snapshot, rendered in headless Chromium."""
from __future__ import annotations

import io
import shutil
import subprocess

import lxml.html
import pytest

from analystkit import D1, D2, build_archive
from newsarchive.report import build_report
from pipelines.layout import day

#: Headline numbers of D2 in the test archive (see analystkit): 3 pages fetched from the stdaily
#: crawl log, 4 new articles, 3 exact duplicates, 2 near-duplicates, 1 reject, 7 articles in all.
EXPECTED_D2 = {"n-fetched": "3", "n-new": "4", "n-duplicates": "3", "n-near": "2", "n-rejects": "1",
               "n-archive": "7"}
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def cards(html: str) -> dict[str, str]:
    doc = lxml.html.fromstring(html)
    return {c.get("id"): c.find_class("value")[0].text_content().strip() for c in doc.find_class("card")}


def test_report_is_stored_next_to_the_snapshot(store):
    build_archive(store)
    rel = build_report(store, day(D2))
    assert rel == f"reports/dt={D2}/report.html"
    html = store.read_text(rel)
    assert cards(html) == EXPECTED_D2
    doc = lxml.html.fromstring(html)
    assert len(doc.xpath("//svg")) == 3                       # per day, clusters, reject reasons
    assert not doc.xpath("//script|//link|//img|//iframe")    # self-contained: no external resources
    clusters = doc.get_element_by_id("clusters-table").text_content()
    assert "中关村论坛开幕" in clusters and "新闻Y" in clusters
    sources = {tr.get("data-source"): [td.text_content().strip() for td in tr.findall("td")]
               for tr in doc.get_element_by_id("sources-table").xpath(".//tbody/tr")}
    assert sources["stdaily"][1:5] == ["4", "3", "1", "0"]      # requests, fetched, failed, new
    assert sources["ce"][4:8] == ["1", "2", "1", "1"]           # new, sightings, dups, rejects


def test_rejects_and_sources_of_the_first_date(local_store):
    build_archive(local_store)
    html = local_store.read_text(build_report(local_store, day(D1)))
    doc = lxml.html.fromstring(html)
    reasons = [[td.text_content() for td in tr.findall("td")[:3]]
               for tr in doc.get_element_by_id("rejects-table").xpath(".//tbody/tr")]
    assert reasons == [["extract", "too_short", "2"], ["fetch", "http_404", "1"]]
    assert cards(html)["n-fetched"] == "–"                     # no crawl log for D1
    assert "新京报" in doc.get_element_by_id("sources-table").text_content()


def test_report_is_deterministic_and_copied_to_out(local_store, tmp_path):
    build_archive(local_store)
    first = local_store.read_text(build_report(local_store, day(D2), out=tmp_path / "r" / "report.html"))
    second = local_store.read_text(build_report(local_store, day(D2)))
    assert first == second == (tmp_path / "r" / "report.html").read_text(encoding="utf-8")


def test_a_date_without_snapshot_still_reports(local_store):
    html = local_store.read_text(build_report(local_store, day(D2)))      # empty store
    doc = lxml.html.fromstring(html)
    assert doc.get_element_by_id("no-snapshot") is not None
    assert cards(html)["n-new"] == "0" and not doc.xpath("//svg")


def test_cli_report_prints_the_report_uri(local_store, capsys, tmp_path):
    from newsarchive.cli import main
    build_archive(local_store)
    assert main(["report", "--date", D2, "--store", local_store.uri, "--out", str(tmp_path / "x.html")]) == 0
    out = capsys.readouterr().out
    assert f"report: {local_store.uri}/reports/dt={D2}/report.html" in out
    assert (tmp_path / "x.html").exists()


def chromium(*args: str, tmp_path, timeout: float = 60) -> subprocess.CompletedProcess:
    exe = shutil.which("chromium")
    if exe is None:
        pytest.skip("needs Debian's chromium (make system-deps)")
    cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}", *args]
    return subprocess.run(cmd, capture_output=True, timeout=timeout, check=True)


def test_report_renders_in_headless_chromium(local_store, tmp_path):
    from PIL import Image
    build_archive(local_store)
    build_report(local_store, day(D2), out=tmp_path / "report.html")
    url = (tmp_path / "report.html").as_uri()
    shot = tmp_path / "shot.png"
    chromium(f"--screenshot={shot}", "--window-size=1280,2000", url, tmp_path=tmp_path)
    img = Image.open(io.BytesIO(shot.read_bytes())).convert("RGB")
    assert img.size == (1280, 2000)
    small = img.resize((320, 500))
    pixels = list(small.getdata())
    inked = sum(1 for p in pixels if min(p) < 200) / len(pixels)
    assert len(set(pixels)) > 50 and 0.02 < inked < 0.6, (len(set(pixels)), inked)
    dom = chromium("--dump-dom", url, tmp_path=tmp_path).stdout.decode("utf-8")
    doc = lxml.html.fromstring(dom)
    assert len(doc.xpath("//*[local-name()='svg' and contains(@class, 'plot')]")) == 3
    assert cards(dom) == EXPECTED_D2
    labels = {t.text_content().strip() for t in doc.xpath("//svg//text")}
    assert {"stdaily", "bbtnews", "#1", "extract: too_short"} <= labels


def _checks(store, dt: str, results: dict[str, list[str]], by: str) -> None:
    """Quality checks of ``dt`` as the quality tasks record them: source -> failure messages."""
    from newsarchive.lake import open_writer
    from newsarchive.lake import quality as lake_quality
    from pipelines.archive.quality import QualityReport, SourceMetrics
    ms = [SourceMetrics(source=s, dt=dt, run_id=f"scheduled__{dt}T080000__{s}", pages_fetched=5, new_articles=2,
                        fetch_rejects=1, rejects={"extract/too_short": 3}) for s in results]
    with open_writer(store) as lake:
        lake_quality.record(lake, QualityReport(dt, "r", ms, [f for fs in results.values() for f in fs]), by)


def test_quality_section_shows_pass_fail_per_source_and_a_trend(local_store):
    build_archive(local_store)
    _checks(local_store, D1, {"stdaily": [], "ce": ["ce: fetch failure rate 90% (18/20) vs 0%"]}, "dag/r1/try 1")
    _checks(local_store, D2, {"stdaily": [], "ce": ["ce: empty-body rate 100% (8/8 article pages)"]}, "dag/r2/try 1")
    _checks(local_store, D2, {"stdaily": [], "ce": []}, "dag/r2/try 2")            # the cleared task passed
    _checks(local_store, D2, {"bbtnews": ["bbtnews: mojibake on 2 page(s)"]}, "dag/r2/try 1")
    doc = lxml.html.fromstring(local_store.read_text(build_report(local_store, day(D2))))
    rows = {tr.get("data-source"): tr for tr in doc.get_element_by_id("quality-table").xpath(".//tbody/tr")}
    assert {s: r.get("data-passed") for s, r in rows.items()} == {"bbtnews": "false", "ce": "true", "stdaily": "true"}
    assert "mojibake on 2 page(s)" in rows["bbtnews"].text_content()
    assert [td.text_content() for td in rows["ce"].findall("td")[2:8]] == ["5", "1", "2", "0", "4", "0"]
    assert "dag/r2/try 2" in rows["ce"].text_content()
    trend = {tr.get("data-source"): [td.text_content() for td in tr.findall("td")[1:]]
             for tr in doc.get_element_by_id("quality-trend").xpath(".//tbody/tr")}
    assert len(trend["ce"]) == 14 and trend["ce"][-2:] == ["✗", "✓"] and trend["ce"][:-2] == ["·"] * 12
    assert trend["bbtnews"][-2:] == ["·", "✗"] and trend["stdaily"][-2:] == ["✓", "✓"]


def test_report_without_quality_checks_says_so(local_store):
    build_archive(local_store)
    doc = lxml.html.fromstring(local_store.read_text(build_report(local_store, day(D2))))
    assert "No quality check of a crawl of" in doc.get_element_by_id("quality").getnext().text_content()
