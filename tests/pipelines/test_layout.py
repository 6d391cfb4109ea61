"""``pipelines.layout`` is the one module that knows the store's layout: held here to README's
"Data format" list and DATA_FORMAT.md's, both ways (every documented path is one the layout makes,
and every path the layout makes is documented)."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from pipelines import layout

ROOT = Path(__file__).resolve().parents[2]
D = date(2022, 7, 28)
RUN = "scheduled__2022-07-28T08:00:00+00:00__k3"


def made_by_layout() -> dict[str, str]:
    """One path of every kind, made by the layout's own functions."""
    seg = layout.RawSegment("stdaily", D, layout.segment_stem(RUN, 2))
    return {
        "catalog": layout.LOCAL_CATALOG,
        "lake": f"{layout.LAKE_DIR}/main/articles/ducklake-0193.parquet",
        "warc": seg.warc,
        "crawl-log": seg.log,
        "crawl-stats": layout.stats_path("stdaily", D, RUN),
        "index": layout.index_file("ab12cd"),
        "seen": layout.seen_file("stdaily", seg.stem),
        "discovery": layout.discovery_version("stdaily", datetime(2022, 7, 28, 8, tzinfo=timezone.utc), RUN),
        "quality": layout.quality_path("stdaily", D, RUN),
        "report": layout.report_path(D),
    }


def documented(text: str, heading: str) -> list[re.Pattern]:
    """The path column of the first code block after ``heading``, each as a regex: ``<x>`` is one path
    part (the path column ends at two spaces), ``[-NNNNN]`` an optional segment number, ``{a,b}`` a choice, ``*`` a name, ``…`` anything."""
    block = text[text.index(heading):].split("```", 2)[1]
    out = []
    for line in block.strip("\n").splitlines():
        path = re.split(r"\s{2,}", line.strip())[0]
        if not path or path.startswith("#"):
            continue
        rx, i = "", 0
        while i < len(path):
            c = path[i]
            if c == "<":
                j = path.index(">", i)
                if path[i:j + 1] == "<D>" or path[i:j + 1] == "<dt>":
                    rx += r"\d{4}-\d{2}-\d{2}"
                else:
                    rx += r"[^/]+"
                i = j + 1
            elif path.startswith("[-NNNNN]", i):
                rx, i = rx + r"(?:-\d{5})?", i + len("[-NNNNN]")
            elif c == "{":
                j = path.index("}", i)
                rx, i = rx + "(?:" + "|".join(map(re.escape, path[i + 1:j].split(","))) + ")", j + 1
            elif c == "*":
                rx, i = rx + r"[^/]+", i + 1
            elif c == "…":
                rx, i = rx + r".+", i + 1
            else:
                rx, i = rx + re.escape(c), i + 1
        out.append(re.compile(rx + "$"))
    return out


def doc_paths(name: str) -> list[re.Pattern]:
    text = (ROOT / name).read_text(encoding="utf-8")
    return documented(text, "## Data format" if name == "README.md" else "```\ncatalog.sqlite")


def lines_of(name: str) -> list[str]:
    text = (ROOT / name).read_text(encoding="utf-8")
    heading = "## Data format" if name == "README.md" else "```\ncatalog.sqlite"
    return [ln for ln in text[text.index(heading):].split("```", 2)[1].splitlines()
            if ln.strip() and not ln.startswith("#")]


@pytest.mark.parametrize("doc", ["README.md", "DATA_FORMAT.md"])
def test_every_path_the_layout_makes_is_documented(doc):
    pats = doc_paths(doc)
    for kind, path in made_by_layout().items():
        assert any(p.match(path) for p in pats), f"{doc} does not list {kind} paths like {path}"


EXAMPLE = {"<id>": "stdaily", "<D>": "2022-07-28", "<dt>": "2022-07-28", "<run key>": layout.run_key(RUN),
           "<table>": "articles", "<uuid>": "0193aa", "<digest>": "ab12cd", "<segment>": layout.run_key(RUN),
           "<YYYY-MM>": "2022-07", "<stamp>": "20220728T080000000000", "[-NNNNN]": "-00002", "*": "x"}


def example_of(path: str) -> str:
    """A concrete path of a documented pattern."""
    path = re.sub(r"\{([^,}]+)[^}]*\}", r"\1", path)
    for k, v in EXAMPLE.items():
        path = path.replace(k, v)
    assert "<" not in path, f"a placeholder this test does not know: {path}"
    return path


@pytest.mark.parametrize("doc", ["README.md", "DATA_FORMAT.md"])
def test_every_documented_path_is_one_the_layout_knows(doc):
    for line in lines_of(doc):
        path = example_of(re.split(r"\s{2,}", line.strip())[0])
        assert layout.kind(path) is not None, f"{doc}: {line!r} is not a layout path"


def test_every_kind_is_recognized_and_made():
    made = made_by_layout()
    assert set(made) == set(layout.KINDS)
    for k, path in made.items():
        assert layout.kind(path) == k, path
    assert layout.kind("raw/source=a/dt=2022-07-28/.tmp-123.warc.gz.part") is None
    assert layout.kind("index/urls/source=a/_discovery/x.json") is None


def test_segment_names_round_trip():
    for n in (1, 2, 99999):
        seg = layout.RawSegment("bjnews", D, layout.segment_stem(RUN, n))
        for path in (seg.segment, seg.warc, seg.log):
            assert layout.parse_segment(path) == seg
        assert seg.run_key == layout.run_key(RUN)
    with pytest.raises(ValueError):
        layout.parse_segment("raw/source=a/dt=20220728/x.log.jsonl")


def test_run_ids_are_unique_and_keyed_on_the_logical_date():
    t = datetime(2022, 7, 28, 8, tzinfo=timezone.utc)
    ids = {layout.make_run_id("cli", t) for _ in range(200)}
    assert len(ids) == 200
    assert all(layout.run_key(i).startswith("cli__2022-07-28T080000") for i in ids)
    assert ":" not in layout.run_key(RUN)


def test_the_logical_date_has_one_type():
    assert layout.day("2022-07-28") == layout.day(datetime(2022, 7, 28, 23, tzinfo=timezone.utc)) == D
    assert layout.require_day(D) is D
    for bad in ("2022-07-28", datetime(2022, 7, 28)):
        with pytest.raises(TypeError, match="logical date"):
            layout.require_day(bad)
