"""Regenerate the golden extraction fixtures from the local replay (fundus style).

    python scripts/regen_fixtures.py [--per-channel 2]

For every source: every seed story copy, ``--per-channel`` other articles of each
channel (web / e-paper) and the encoding hard cases are fetched from the replay
over HTTP and stored as ``tests/fixtures/golden/<source>/<name>.html`` (bytes as
served) with ``<name>.json``: the request (real URL, headers, fetch time) and the
expected record, taken from the replay's ground truth, never from our extractor:

* ``title``, ``authors`` (reporters), ``editors`` (责任编辑/编辑, 校对), ``syndicated_from`` and
  ``syndicated_from_source``: exact;
* ``published_at`` with the precision the page shows (``minute`` when its
  ``HH:MM`` is on the page, else ``day``);
* ``must_contain``: the first, a middle and the last paragraph;
* ``must_not_contain``: visible page lines that are not body (navigation, share,
  notices, editor lines, comment widgets, syndication credits …).

``tests/pipelines/extract/test_golden.py`` checks ``pipelines.extract`` against all of them.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "tests" / "fixtures" / "golden"
HARD_CASES = ("gb2312_gb18030", "gbk_meta_only", "updated", "updated_twice", "lastmod_later", "info_bar_source")
_WS = re.compile(r"\s+")


def squash(s: str) -> str:
    return _WS.sub("", s)


def page_lines(html_bytes: bytes, content_type: str | None) -> list[str]:
    from pipelines.extract.encoding import decode_html
    from pipelines.extract.htmltree import block_text, parse_html, strip_scripts
    tree = parse_html(decode_html(html_bytes, content_type).text)
    strip_scripts(tree)
    body = tree.find("body")
    return block_text(body if body is not None else tree).split("\n")


def boilerplate(lines: list[str], rec) -> list[str]:
    """Visible lines that are neither body nor headline (at most 12, longest first)."""
    body, title = squash(rec.body), squash(rec.title)
    out = []
    for ln in lines:
        s = squash(ln)
        if len(s) < 4 or s in body or s in title or body.find(s[:12]) >= 0:
            continue
        if ln not in out:
            out.append(ln.strip())
    return sorted(out, key=len, reverse=True)[:12]


def precision(rec, html: str) -> str:
    """``minute`` when the page (text or markup) shows the publication time, else ``day``."""
    local = rec.published.strftime("%H:%M")
    return "minute" if local in html else "day"


def expected(rec, lines: list[str], html: str) -> dict:
    paras = [p for p in rec.paragraphs if len(p.strip()) >= 8]
    picks = [paras[0], paras[len(paras) // 2], paras[-1]] if paras else []
    return {
        "title": rec.title,
        "published_at": rec.published.isoformat(),
        "published_precision": precision(rec, html),
        "authors": list(rec.authors),
        "editors": list(rec.editors),
        "syndicated_from": rec.syndicated_from,
        "syndicated_from_source": rec.syndicated_from_source,
        "must_contain": [p.strip()[:60] for p in dict.fromkeys(picks)],
        "must_not_contain": boilerplate(lines, rec),
    }


def choose(records, per_channel: int, hard: dict[str, str]) -> list:
    """Seeds, the hard cases of ``HARD_CASES`` (``hard``: URL -> name) and ``per_channel`` ordinary pages."""
    picked, count = [], {}
    for rec in records:
        key = (rec.source, rec.channel)
        if rec.seed or rec.url in hard:
            picked.append(rec)
        elif not rec.hard_case and count.get(key, 0) < per_channel and not rec.is_update:
            count[key] = count.get(key, 0) + 1
            picked.append(rec)
    return picked


def name_of(rec, hard: dict[str, str]) -> str:
    tag = f"seed{rec.seed}" if rec.seed else (hard.get(rec.url) or "article")
    slug = re.sub(r"[^A-Za-z0-9]+", "_", rec.real_url.split("://", 1)[1].split("/", 1)[1]).strip("_")
    return f"{rec.channel}_{tag}_{slug}"[:90]


def main(argv: list[str] | None = None) -> int:
    from replay import Replay
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-channel", type=int, default=2, help="ordinary articles per source and channel")
    args = ap.parse_args(argv)
    if OUT.exists():
        shutil.rmtree(OUT)
    n = 0
    with Replay() as r:
        hard = {u: n for n, u in r.hard_cases.items() if n in HARD_CASES}
        for rec in choose(r.articles(), args.per_channel, hard):
            resp = requests.get(rec.url, timeout=30)
            resp.raise_for_status()
            headers = {k.lower(): v for k, v in resp.headers.items() if k.lower() in ("content-type", "last-modified")}
            lines = page_lines(resp.content, headers.get("content-type"))
            folder = OUT / rec.source
            folder.mkdir(parents=True, exist_ok=True)
            name = name_of(rec, hard)
            (folder / f"{name}.html").write_bytes(resp.content)
            meta = {"url": rec.real_url, "headers": headers, "fetched_at": r.clock.isoformat(),
                    "replay": {"seed": rec.seed, "story": rec.story, "channel": rec.channel,
                               "hard_case": rec.hard_case, "charset": rec.charset},
                    "expected": expected(rec, lines, resp.content.decode(rec.charset, "replace"))}
            (folder / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n",
                                                 encoding="utf-8")
            n += 1
    print(f"wrote {n} fixtures under {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
