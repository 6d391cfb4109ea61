import pytest

from pipelines.urls import BadURL, article_id, canonicalize, host_is_private, parse_host, url_key

M = {"m.bjnews.com.cn": "www.bjnews.com.cn"}


@pytest.mark.parametrize("variant", [
    "https://www.bjnews.com.cn/detail/165881234514812.html",
    "HTTPS://WWW.BJNEWS.COM.CN/detail/165881234514812.html",
    "https://www.bjnews.com.cn:443/detail/165881234514812.html",
    "https://www.bjnews.com.cn/detail/165881234514812.html#comments",
    "https://www.bjnews.com.cn/detail/165881234514812.html?utm_source=wx&utm_medium=share",
    "https://www.bjnews.com.cn/detail/165881234514812.html?spm=a.b.c&from=timeline",
    "https://m.bjnews.com.cn/detail/165881234514812.html",
])
def test_variants_share_one_canonical_url(variant):
    assert canonicalize(variant, M) == "https://www.bjnews.com.cn/detail/165881234514812.html"


def test_index_pages_and_param_order():
    assert canonicalize("http://www.ce.cn/cysc/tech/index.shtml") == "http://www.ce.cn/cysc/tech/"
    assert canonicalize("http://x.cn/a?b=2&a=1") == canonicalize("http://x.cn/a?a=1&b=2")
    assert canonicalize("http://x.cn/a?id=1") != canonicalize("http://x.cn/a?id=2")


def test_canonicalize_is_idempotent_and_ids_are_stable():
    u = "https://WWW.stdaily.com/index/kejixinwen/2022-04/17/content_1325391.shtml?utm_campaign=x#top"
    c = canonicalize(u)
    assert canonicalize(c) == c
    assert article_id(c) == article_id(canonicalize(u)) and len(article_id(c)) == 32


def test_url_key_ignores_scheme():
    assert url_key("http://www.ce.cn/a.shtml") == url_key("https://www.ce.cn/a.shtml")


@pytest.mark.parametrize("host,private", [
    ("127.0.0.1", True), ("10.1.2.3", True), ("169.254.169.254", True), ("192.168.0.1", True),
    ("[::1]", True), ("localhost", True), ("0.0.0.0", True), ("www.ce.cn", False), ("8.8.8.8", False),
])
def test_private_hosts(host, private):
    assert host_is_private(host) is private


@pytest.mark.parametrize("host", [
    "100.100.100.200",            # a Chinese cloud's metadata service, in shared address space 100.64.0.0/10
    "100.64.0.1", "198.18.0.1", "192.0.0.1", "240.0.0.1", "224.0.0.251", "fc00::1", "2001:db8::1",
    "127.1", "2130706433", "0x7f.0.0.1", "017700000001",     # numeric forms the resolver reads as 127.0.0.1
    "[::ffff:10.0.0.1]", "64:ff9b::a9fe:a9fe", "2002:7f00:1::",   # IPv4 inside IPv6 (mapped, NAT64, 6to4)
    "LOCALHOST", "www.localhost",
])
def test_only_global_addresses_are_public(host):
    assert host_is_private(host)


@pytest.mark.parametrize("host", ["www.ce.cn", "8.8.8.8", "[2400:cb00::1]", "101.0.0.1", "1e100.net"])
def test_global_addresses_and_names_are_not_private(host):
    assert not host_is_private(host)


@pytest.mark.parametrize("url,name,port", [
    ("https://www.ce.cn/a", "www.ce.cn", 443),
    ("http://WWW.CE.CN.:8080/a", "www.ce.cn", 8080),
    ("http://例子.中国/a", "xn--fsqu00a.xn--fiqs8s", 80),       # IDNA, as the fetcher sends it
    ("http://[::1]:8080/a", "::1", 8080),
    ("http://[2400:CB00::1]/a", "2400:cb00::1", 80),
    ("http://2130706433/", "127.0.0.1", 80),
    ("http://evil.com\\@www.ce.cn/", "evil.com", 80),          # a backslash ends the host (WHATWG, w3lib)
])
def test_parse_host_reads_the_host_the_fetcher_connects_to(url, name, port):
    h = parse_host(url)
    assert (h.name, h.port) == (name, port)


@pytest.mark.parametrize("url", [
    "http://www.ce.cn:80@evil.com/", "http://evil.com:80@www.ce.cn/", "http://user:pw@www.ce.cn/",
    "http://www.ce.cn:99999/", "http://www.ce.cn:8o/", "http://::1/a", "http://[::1/a", "http://%65vil.com/",
    "ftp://www.ce.cn/", "http:///a",
])
def test_parse_host_refuses_ambiguous_hosts(url):
    with pytest.raises(BadURL):
        parse_host(url)


def test_canonicalize_keeps_ipv6_literals_and_never_raises():
    assert canonicalize("http://[::1]:8080/a/index.html?utm_source=x&b=1") == "http://[::1]:8080/a/?b=1"
    assert canonicalize("http://[::1]:80/a") == "http://[::1]/a"
    assert url_key("https://[2400:cb00::1]/a") == "[2400:cb00::1]/a"
    for bad in ("http://[::1/a", "http://www.ce.cn:99999/a", "http://a:80@b.cn/x"):
        assert canonicalize(bad) == bad and canonicalize(canonicalize(bad)) == bad
