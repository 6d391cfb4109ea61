"""Pointing the real configuration at the replay (replay.configure): production config has no replay hooks."""
from pipelines.config import load_sources
from replay.configure import point_at, with_politeness


def test_host_map_points_everything_at_the_replay():
    cfg = load_sources()
    hosts = {}
    for s in cfg.sources:
        for d in s.allowed_domains + list(s.mobile_hosts):
            hosts.setdefault(d, f"127.0.0.1:{41000 + len(hosts)}")
    r = point_at(cfg, hosts)
    dump = r.to_yaml()
    for real in hosts:
        assert real + "/" not in dump, f"{real} survived the host map"
    s = r.get("bjnews")
    assert s.allow_private_addresses and s.base_url.startswith("http://127.0.0.1:")
    assert s.is_article_url(s.base_url + "detail/165881234514812.html")
    assert s.allows_host(s.base_url) and not s.allows_host("http://127.0.0.1:1/")


def test_politeness_overrides_every_source_and_the_real_config_is_untouched():
    cfg = load_sources()
    fast = with_politeness(cfg, delay_seconds=0, retries=1)
    assert {s.politeness.delay_seconds for s in fast.sources} == {0}
    assert {s.politeness.retries for s in fast.sources} == {1}
    assert {s.politeness.delay_seconds for s in cfg.sources} != {0}
    assert not hasattr(cfg, "with_host_map") and not hasattr(cfg, "with_politeness")
