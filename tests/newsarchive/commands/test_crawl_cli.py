"""`newsarchive crawl` in a process whose Twisted reactor is taken runs the crawl in a subprocess."""
import sys
from types import SimpleNamespace

from newsarchive import jobs
from newsarchive.cli import build_parser
from newsarchive.commands.crawl import cli_crawl
from pipelines.config import load_sources
from spiders import crawl


def test_a_second_crawl_in_one_process_goes_to_a_subprocess(monkeypatch):
    args = build_parser().parse_args(["crawl", "--source", "ce", "--store", "/tmp/s", "--date", "2022-07-28",
                                      "--max-requests", "5", "--no-politeness"])
    args.sources_config = load_sources()
    calls = []
    monkeypatch.setitem(sys.modules, "twisted.internet.reactor", object())
    monkeypatch.setattr(jobs, "run_command", lambda argv, **kw: calls.append((argv, kw)) or
                        SimpleNamespace(exit_code=0))
    assert cli_crawl(args) == 0
    ((argv, kw),) = calls
    assert argv == ["crawl", "--source", "ce", "--store", "/tmp/s", "--date", "2022-07-28", "--max-requests", "5",
                    "--no-politeness"]
    assert kw["capture"] is False                  # the child's summary line goes to our stdout


def test_a_crawl_whose_every_discovery_url_was_refused_is_unreachable():
    base = {"errors": [], "finish_reason": "finished", "requests": 0, "refused": {}, "discovery_pages_ok": 0,
            "articles_archived": 0}
    assert crawl._exit_code(base) == crawl.EXIT_OK                                   # nothing to do
    assert crawl._exit_code({**base, "refused": {"feed/offsite": 1}}) == crawl.EXIT_UNREACHABLE
    assert crawl._exit_code({**base, "requests": 3, "refused": {"sitemap/private_address": 3}}) == \
        crawl.EXIT_UNREACHABLE
    assert crawl._exit_code({**base, "requests": 3, "discovery_pages_ok": 1,
                             "refused": {"article/robots_disallowed": 2}}) == crawl.EXIT_OK
