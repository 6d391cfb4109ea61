"""config/sources.yaml is validated strictly; errors name the source and the field."""
import copy

import pytest
import yaml

from pipelines.config import DEFAULT_CONFIG, ConfigError, load_sources, parse_sources

RAW = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
SEED_SOURCES = {"stdaily", "bbtnews", "bjnews", "ce", "finews", "btchangqing"}


def mutate(fn):
    data = copy.deepcopy(RAW)
    fn(data)
    return data


def src(data, sid):
    return next(s for s in data["sources"] if s["id"] == sid)


def test_project_config_loads_with_every_seed_source():
    cfg = load_sources()
    assert set(cfg.ids()) == SEED_SOURCES
    for s in cfg.sources:
        assert s.timezone == "Asia/Shanghai" and s.language == "zh"
        d = s.discovery
        assert d.feeds or d.sitemaps or d.news_sitemaps
        assert d.listings and all(l.pagination for l in d.listings)
        assert d.archive is not None, f"{s.id} has no date-addressed archive for backfills"
        assert s.allows_host(s.base_url)
    assert load_sources().get("bjnews").discovery.news_sitemaps, "新京报 has a Google News sitemap"
    assert "epaper" in load_sources().get("bjnews").discovery.archive.index


@pytest.mark.parametrize("fn,expect", [
    (lambda d: src(d, "bjnews")["politeness"].update(delay_secs=1), ["sources[bjnews]", "politeness", "delay_secs", "Extra inputs"]),
    (lambda d: src(d, "ce").update(timezone="Mars/Olympus"), ["sources[ce]", "timezone", "Mars/Olympus"]),
    (lambda d: src(d, "stdaily").update(article_patterns=["(unclosed"]), ["sources[stdaily]", "article_patterns"]),
    (lambda d: src(d, "finews")["discovery"]["listings"][0].update(pagination="https://x/page.html"), ["sources[finews]", "discovery.listings.0.pagination", "{page}"]),
    (lambda d: src(d, "bbtnews")["discovery"]["archive"].update(index="https://epaper.bbtnews.com.cn/node_1.htm"), ["sources[bbtnews]", "archive.index", "{date"]),
    (lambda d: src(d, "btchangqing").update(base_url="https://evil.example/"), ["sources[btchangqing]", "allowed_domains"]),
    (lambda d: src(d, "ce").update(encoding="gbk-ish"), ["sources[ce]", "encoding"]),
    (lambda d: src(d, "ce")["extraction"].update(prune_xpaths=["//div[@"]), ["sources[ce]", "extraction.prune_xpaths"]),
    (lambda d: d["sources"].append(copy.deepcopy(d["sources"][0])), ["duplicate source id 'stdaily'"]),
    (lambda d: d.update(colour="blue"), ["colour", "Extra inputs"]),
    (lambda d: src(d, "bjnews").pop("discovery"), ["sources[bjnews]", "discovery", "Field required"]),
    (lambda d: src(d, "ce")["politeness"].update(max_crawl_delay_seconds=-1),
     ["sources[ce]", "politeness.max_crawl_delay_seconds", "greater than or equal to 0"]),
    (lambda d: src(d, "ce")["politeness"].update(max_crawl_delay_seconds="lots"),
     ["sources[ce]", "politeness.max_crawl_delay_seconds"]),
    (lambda d: src(d, "ce")["politeness"].update(max_crawl_delay_seconds=86400),
     ["sources[ce]", "politeness.max_crawl_delay_seconds", "less than or equal to 600"]),
    (lambda d: src(d, "ce").update(allowed_domains=["www.ce.cn:http"]), ["sources[ce]", "allowed_domains"]),
    # issue 14: outlet aliases name one source; re-fetch window and budget
    (lambda d: src(d, "ce").update(aliases=["《科技日报》"]),
     ["sources[ce].aliases.0: '《科技日报》' already names source 'stdaily'"]),
    (lambda d: src(d, "bjnews").update(aliases=["  "]), ["sources[bjnews]", "aliases.0", "an alias needs letters"]),
    (lambda d: src(d, "finews").update(name="新京报社"), ["sources[finews].name: '新京报社' already names source 'bjnews'"]),
    (lambda d: src(d, "ce")["freshness"].update(refetch_recent_hours=-1),
     ["sources[ce]", "freshness.refetch_recent_hours", "greater than or equal to 0"]),
    (lambda d: src(d, "ce")["freshness"].update(refetch_max_requests="many"),
     ["sources[ce]", "freshness.refetch_max_requests"]),
    (lambda d: src(d, "ce")["freshness"].update(refetch_every_hours=6), ["sources[ce]", "freshness.refetch_every_hours",
                                                                         "Extra inputs"]),
])
def test_malformed_config_names_source_and_field(fn, expect):
    with pytest.raises(ConfigError) as info:
        parse_sources(mutate(fn), "sources.yaml")
    msg = str(info.value)
    for part in expect:
        assert part in msg, msg


def test_unreadable_files_are_config_errors(tmp_path):
    bad = tmp_path / "s.yaml"
    bad.write_text("sources: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_sources(bad)
    with pytest.raises(ConfigError, match="file not found"):
        load_sources(tmp_path / "missing.yaml")


def test_cli_reports_config_errors_without_traceback(tmp_path, capsys):
    from newsarchive.cli import main
    bad = tmp_path / "s.yaml"
    bad.write_text(yaml.safe_dump(mutate(lambda d: src(d, "ce").update(priority=900)), allow_unicode=True), encoding="utf-8")
    rc = main(["quality", "--date", "2022-07-27", "--config", str(bad), "--store", str(tmp_path / "d")])
    err = capsys.readouterr().err
    assert rc == 2 and "sources[ce].priority" in err


def test_crawl_delay_cap_defaults_and_is_set_per_source():
    data = mutate(lambda d: src(d, "finews")["politeness"].update(max_crawl_delay_seconds=5))
    cfg = parse_sources(data)
    assert cfg.get("finews").politeness.max_crawl_delay_seconds == 5
    assert cfg.get("ce").politeness.max_crawl_delay_seconds == 30


@pytest.mark.parametrize("url,allowed", [
    ("https://www.bjnews.com.cn/detail/1.html", True),
    ("https://m.bjnews.com.cn/detail/1.html", True),
    ("http://a.www.bjnews.com.cn/", True),
    ("https://WWW.BJNEWS.COM.CN./x", True),
    ("http://www.bjnews.com.cn:80@evil.com/", False),      # the host is evil.com
    ("http://evil.com:80@www.bjnews.com.cn/", False),      # credentials: ambiguous, never allowed
    ("http://evilwww.bjnews.com.cn/", False),
    ("https://www.bjnews.com.cn:8443/x", False),           # a domain without a port: default ports only
    ("http://www.bjnews.com.cn:99999/x", False),
    ("http://[::1]/x", False),
])
def test_allowed_domains_read_the_host_as_the_fetcher_does(url, allowed):
    assert load_sources().get("bjnews").allows_host(url) is allowed


def test_allowed_domains_with_ports_and_ip_literals():
    data = mutate(lambda d: src(d, "ce").update(allowed_domains=["www.ce.cn", "127.0.0.1:8080", "[::1]:8081"]))
    s = parse_sources(data).get("ce")
    assert s.allows_host("http://127.0.0.1:8080/a") and not s.allows_host("http://127.0.0.1:8081/a")
    assert s.allows_host("http://[::1]:8081/a") and not s.allows_host("http://[::1]:8080/a")
    assert not s.allows_host("http://127.0.0.1:8080@www.evil.com/")


def test_allowed_domains_compare_idna_forms():
    data = mutate(lambda d: src(d, "ce").update(allowed_domains=["www.ce.cn", "新闻.中国"]))
    s = parse_sources(data).get("ce")
    assert s.allows_host("http://新闻.中国/a") and s.allows_host("http://www.XN--EFVY88H.xn--fiqs8s/a")
    assert not s.allows_host("http://新闻.中国.evil.com/a")


def test_refetch_is_on_by_default_within_a_window_and_a_budget():
    for s in load_sources().sources:
        f = s.freshness
        assert (f.refetch_recent_hours, f.refetch_max_requests, f.refetch_unconditional) == (48, 100, False)
    cfg = parse_sources(mutate(lambda d: src(d, "btchangqing")["freshness"].update(refetch_max_requests=0)))
    assert cfg.get("btchangqing").freshness.refetch_max_requests == 0


def test_outlet_names_are_name_id_and_aliases():
    s = load_sources().get("stdaily")
    assert s.outlet_names() == ["科技日报", "stdaily", "科技日报社", "中国科技网"]
    from pipelines.config import outlet_key
    assert outlet_key(" 《STDaily》 ") == outlet_key("stdaily") and outlet_key("“科技 日报”") == outlet_key("科技日报")


def test_the_default_sources_file_without_a_checkout_is_named_explicitly(tmp_path, monkeypatch, capsys):
    """An installation without a checkout (the Airflow image) has no config/sources.yaml beside the code:
    NEWSARCHIVE_CONFIG (or --config) names the file; without either, the error says how."""
    import pipelines.config as config_module
    from newsarchive.cli import main
    monkeypatch.setattr(config_module, "DEFAULT_CONFIG", tmp_path / "absent" / "sources.yaml")
    monkeypatch.delenv("NEWSARCHIVE_CONFIG", raising=False)
    with pytest.raises(ConfigError, match="pass --config PATH or set NEWSARCHIVE_CONFIG"):
        load_sources()
    assert main(["status", "--store", str(tmp_path / "data")]) == 2
    assert "no sources file" in capsys.readouterr().err
    mine = tmp_path / "mine.yaml"
    mine.write_text(DEFAULT_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("NEWSARCHIVE_CONFIG", str(mine))
    assert config_module.default_sources_path() == mine
    assert load_sources().ids() == load_sources(DEFAULT_CONFIG).ids()
