"""`newsarchive crawl` in a process whose Twisted reactor is taken runs the crawl in a subprocess."""
import subprocess
import sys

from newsarchive.cli import build_parser
from pipelines.config import load_sources
from spiders import crawl


def test_a_second_crawl_in_one_process_goes_to_a_subprocess(monkeypatch):
    args = build_parser().parse_args(["crawl", "--source", "ce", "--store", "/tmp/s", "--date", "2022-07-28",
                                      "--max-requests", "5", "--no-politeness"])
    args.sources_config = load_sources()
    calls = []
    monkeypatch.setitem(sys.modules, "twisted.internet.reactor", object())
    monkeypatch.setattr(subprocess, "call", lambda argv: calls.append(argv) or 0)
    assert crawl.cli(args) == 0
    (argv,) = calls
    assert argv[1:4] == ["-m", "newsarchive.cli", "crawl"]
    assert argv[4:] == ["--source", "ce", "--store", "/tmp/s", "--date", "2022-07-28", "--max-requests", "5",
                        "--no-politeness"]
