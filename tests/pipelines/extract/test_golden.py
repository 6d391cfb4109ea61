"""Golden fixtures (fundus style): every page under tests/fixtures/golden/<source>/ against its expected record.

Regenerate with ``python scripts/regen_fixtures.py`` (pages and expectations come from the replay's
ground truth). Title, authors, editors and syndication (outlet and source id) must match exactly, the
date to the precision the page shows; the body is checked with snippets it must and must not contain.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pipelines.config import load_sources
from pipelines.extract import extract
from pipelines.record import Article, RawPage
from pipelines.extract.syndication import Outlets

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden"
CASES = sorted(GOLDEN.glob("*/*.json"))
CONFIG = load_sources()
OUTLETS = Outlets(CONFIG.sources)
_WS = re.compile(r"\s+")


def squash(s: str) -> str:
    return _WS.sub("", s)


def run(case: Path) -> tuple[Article, dict]:
    meta = json.loads(case.read_text(encoding="utf-8"))
    source = CONFIG.get(case.parent.name)
    page = RawPage(url=meta["url"], body=case.with_suffix(".html").read_bytes(), source=source.id,
                   headers=meta["headers"], fetched_at=datetime.fromisoformat(meta["fetched_at"]),
                   run_id="golden")
    res = extract(page, source, outlets=OUTLETS)
    assert isinstance(res, Article), f"{case.name}: {res}"
    return res, meta["expected"]


def test_there_are_fixtures_for_every_source_and_every_seed():
    assert {p.parent.name for p in CASES} == set(CONFIG.ids())
    seeds = {json.loads(p.read_text(encoding="utf-8"))["replay"]["seed"] for p in CASES}
    assert {"000", "001", "002", "003", "004"} <= seeds


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden(case: Path):
    art, exp = run(case)
    assert art.title == exp["title"]
    assert sorted(art.authors) == sorted(exp["authors"])
    assert sorted(art.editors) == sorted(exp["editors"])
    assert (art.syndicated_from, art.syndicated_from_source) == (exp["syndicated_from"], exp["syndicated_from_source"])
    want = datetime.fromisoformat(exp["published_at"])
    assert art.published_at is not None, "no publication date"
    got = art.published_at.astimezone(want.tzinfo)
    if exp["published_precision"] == "minute":
        assert got.replace(second=0, microsecond=0) == want.replace(second=0, microsecond=0)
    else:
        assert got.date() == want.date()
    text = squash(art.text)
    for snippet in exp["must_contain"]:
        assert squash(snippet) in text, f"missing body text: {snippet}"
    for line in exp["must_not_contain"]:
        assert squash(line) not in text, f"boilerplate in body: {line}"
    assert art.published_at <= art.fetched_at + timedelta(seconds=0)
