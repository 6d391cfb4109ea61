"""extract_many (order, timeout, crash isolation) and ``newsarchive extract``."""
from __future__ import annotations

import json
import os
import time

from newsarchive.cli import main
from pipelines.extract.many import extract_many
from pipelines.record import Article
from pipelines.extract.pool import run_isolated
from extract_helpers import CONFIG, article_html, page


def _slow_or_crash(item, state):
    if item == "hang":
        while True:            # pure-Python loop: the soft SIGALRM limit stops it
            pass
    if item == "stuck":
        time.sleep(3600)        # sleeping is interrupted by the alarm as well
    if item == "crash":
        os._exit(3)             # the worker dies: its item becomes a crash result
    return f"ok:{item}:{state}"


def _fail(item, reason, detail):
    return f"{reason}:{item}"


def test_run_isolated_keeps_order_and_isolates_timeouts_and_crashes():
    items = ["a", "hang", "b", "crash", "c", "stuck", "d"]
    t0 = time.monotonic()
    out = run_isolated(_slow_or_crash, items, _fail, workers=2, timeout=0.5, state="s")
    assert out == ["ok:a:s", "timeout:hang", "ok:b:s", "crash:crash", "ok:c:s", "timeout:stuck", "ok:d:s"]
    assert time.monotonic() - t0 < 20


def test_extract_many_returns_articles_and_rejects_in_input_order():
    pages = [page(article_html()), page(b"%PDF-1.4", ctype="application/pdf"), page(article_html(), status=404)]
    out = extract_many(pages, CONFIG, workers=2, timeout=20, progress=False)
    assert isinstance(out[0], Article)
    assert [r.reason for r in out[1:]] == ["not_html", "http_404"]


def test_extract_many_picks_the_source_by_host_when_the_id_is_unknown():
    raw = page(article_html(), source="")
    (res,) = extract_many([raw], CONFIG, workers=1, timeout=20, progress=False)
    assert isinstance(res, Article) and res.section == "kejixinwen"   # stdaily's section_from_url


def test_cli_extract_manifest(tmp_path, capsys):
    (tmp_path / "a.html").write_text(article_html(), encoding="utf-8")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4 x")
    url = "https://www.stdaily.com/index/kejixinwen/2022-04/17/content_1.shtml"
    lines = [{"path": "a.html", "url": url, "headers": {"Content-Type": "text/html; charset=utf-8"}},
             {"path": "b.pdf", "url": url, "headers": {"Content-Type": "application/pdf"}},
             {"path": "missing.html", "url": url}]
    manifest = tmp_path / "in.jsonl"
    manifest.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["extract", "--manifest", str(manifest), "--out", str(out), "--workers", "1"]) == 0
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r.get("path") for r in rows] == ["a.html", "b.pdf", "missing.html", None]
    assert rows[0]["title"] == "部市共建北京国际科技创新中心 参会代表这样说" and rows[0]["source"] == "stdaily"
    assert rows[0]["published_at"].startswith("2022-04-16T16:00")
    assert [r.get("reject") for r in rows] == [None, "not_html", "unreadable", "bad_manifest_line"]
    assert "3 rejects" in capsys.readouterr().err


def test_cli_extract_unknown_source(tmp_path):
    manifest = tmp_path / "in.jsonl"
    manifest.write_text("", encoding="utf-8")
    assert main(["extract", "--manifest", str(manifest), "--out", str(tmp_path / "o"), "--source", "nope"]) == 2
