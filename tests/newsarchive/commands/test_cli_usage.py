"""Errors that help (issue 17): usage errors exit 2 before anything is written; crawl failures reach
the terminal verbatim."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from newsarchive.cli import main

CASES = [
    ["run", "--date", "2022-07-28", "--since", "2022-07-28", "--until", "2022-07-27"],
    ["run", "--date", "2022-07-28", "--sources", "stdaily", "nosuch"],
    ["run", "--date", "2022-07-28", "--since", "2022-07-28"],
    ["crawl", "--source", "nosuch", "--date", "2022-07-28"],
    ["crawl", "--source", "bjnews", "--date", "2022-07-28", "--since", "2022-07-28", "--until", "2022-07-01"],
    ["reprocess", "--since", "2022-07-28", "--until", "2022-07-27"],
    ["reprocess", "--since", "2022-07-27", "--until", "2022-07-28", "--sources", "nosuch"],
    ["stage", "--date", "2022-07-28", "--sources", "nosuch"],
    ["quality", "--date", "2022-07-28", "--sources", "nosuch"],
    ["retry", "--date", "2022-07-28", "--sources", "nosuch"],
]


@pytest.mark.parametrize("argv", CASES, ids=lambda a: " ".join(a[:1] + a[-2:]))
def test_unknown_sources_and_empty_date_ranges_are_usage_errors_that_write_nothing(argv, tmp_path, capsys):
    """Before: `run` with a backwards range or an unknown source committed an empty snapshot and
    printed "all checks passed"."""
    store = tmp_path / "store"
    assert main([*argv, "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"newsarchive {argv[0]}: ") and "Traceback" not in err
    assert ("nosuch" in err and "configured: stdaily, " in err) or "--since" in err, err
    assert not store.exists() or not any(p.is_file() for p in Path(store).rglob("*"))


def test_crawl_failure_text_reaches_the_terminal_verbatim():
    """Before: the text between [ ] was read as rich markup: "[the spider did not start …]" vanished,
    "[/data]" raised a MarkupError."""
    from newsarchive.jobs import CrawlOutcome
    from newsarchive.commands.run import print_step
    for errors in (["the spider did not start (see the log above)"],
                   ["commit failed: [Errno 28] No space left on device: '/data/raw' [/data]", "[bold]2 spider exceptions"]):
        out = io.StringIO()
        print_step("crawl", CrawlOutcome("bjnews", 1, {"errors": errors}), out=Console(file=out, width=400))
        line = out.getvalue()
        assert f"[{'; '.join(errors)}]" in line and line.startswith("crawl bjnews")
    out = io.StringIO()
    print_step("crawl", CrawlOutcome("ce", 2, {}, stderr_tail="newsarchive crawl: [red]unknown source 'ce'"),
               out=Console(file=out, width=400))
    assert "[newsarchive crawl: [red]unknown source 'ce']" in out.getvalue()
