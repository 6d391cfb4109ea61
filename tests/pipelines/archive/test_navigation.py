"""Archived "articles" that are a site's menu: link text of their own page, lines repeated across
the site's pages, the same text at several URLs; real stories are left alone."""
from pipelines.archive.navigation import Candidate, findings, link_share, link_texts, repeat_share

MENU = ["首页", "新闻", "科技", "财经", "北京", "评论", "视频", "图片", "关于我们"]
PAGE = ("<html><body><ul class=nav>" + "".join(f'<li><a href="/{i}">{t}</a></li>' for i, t in enumerate(MENU))
        + "</ul><div class=main>{body}</div><p><a href='/x'>返回顶部</a></p></body></html>")
STORY = "北京市科委今天发布新政策，支持中关村企业开展关键核心技术攻关。\n记者从发布会上获悉，首批项目已经落地。"


def test_a_menu_is_link_text_and_a_story_is_not():
    menu_page = PAGE.format(body="").encode("utf-8")
    links = link_texts(menu_page)
    assert links[:3] == ["首页", "新闻", "科技"]
    assert link_share(" ".join(MENU), links) == 1.0
    assert link_share("首页新闻科技财经", links) == 1.0                    # joined without spaces too
    assert link_share(STORY, link_texts(PAGE.format(body=STORY))) == 0.0


def test_lines_repeated_across_pages():
    repeated = {"首页 新闻 科技", "网站地图"}
    assert repeat_share("首页 新闻 科技\n网站地图", repeated) == 1.0
    assert repeat_share(STORY + "\n网站地图", repeated) < 0.2


def test_findings_give_the_url_and_the_evidence():
    pages = {"p1": PAGE.format(body="").encode(), "p2": PAGE.format(body=STORY).encode()}
    cands = [Candidate("https://x.cn/1", " ".join(MENU), "p1"), Candidate("https://x.cn/2", STORY, "p2"),
             Candidate("https://x.cn/3", "本站 声明", None, urls=4), Candidate("https://x.cn/4", "x" * 700, "p1")]
    out = findings(cands, set(), pages.get)
    assert out == ["https://x.cn/1 (20 chars: 100% link text)", "https://x.cn/3 (4 chars: the same text at 4 URLs)"]
    assert findings(cands[:1], set(), None) == []                     # no raw access: link test skipped
