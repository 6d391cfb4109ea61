import pytest

from pipelines.urls import article_id, canonicalize, host_is_private, url_key

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
