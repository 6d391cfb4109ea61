"""Generic Chinese news cleanup (pipelines.extract.cleanup) on the patterns of the seed stories."""
from __future__ import annotations

import re

import pytest

from pipelines.extract.cleanup import clean_text
from pipelines.dedupe.normalize import content_hash

BODY = ["4月16日，部市共建北京国际科技创新中心现场推进会召开。",
        "多位参与推进会的企业和机构代表在会后表示，要立足实现科技自立自强，勇担责任使命。",
        "与会代表们表示，北京为各类创新创业主体提供了难得的发展机遇和良好的环境氛围。"]


def cleaned(*lines, extra=None):
    return clean_text("\n".join(lines), extra)


def test_finews_trailer_and_syndication():
    c = cleaned(*BODY, "（文章来源：科技日报）",
                "<http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202204172345728810>",
                "[返回科技日报新闻](//finews.withounder.com/category/kejiribao.html)｜[返回首页](//finews.withounder.com/)")
    assert c.text.split("\n") == BODY
    assert c.sources == ["科技日报"]


@pytest.mark.parametrize("line,name", [
    ("来源：经济日报", "经济日报"), ("(来源: 新闻晨报)", "新闻晨报"), ("来源：经济日报 作者：张三", "经济日报"),
    ("稿源：《羊城晚报》", "羊城晚报"), ("本文转自人民网", "人民网"), ("转载自：新华网", "新华网"),
    ("摘自《经济日报》2022年7月28日第5版", "经济日报"), ("【来源：经济日报-中国经济网】", "经济日报-中国经济网"),
])
def test_credit_lines_name_their_outlet_and_leave_the_text(line, name):
    c = cleaned(line, *BODY) if line.startswith("(") else cleaned(*BODY, line)
    assert c.sources == [name] and c.text.split("\n") == BODY


def test_prose_about_sources_is_no_credit_line():
    prose = ["这些数据来源于国家统计局，显示今年上半年研发投入持续增长。", "选自2022年度报告的数据显示，收入增长。"]
    c = cleaned(*BODY, *prose)
    assert c.sources == [] and c.text.split("\n") == BODY + prose


def test_the_source_of_an_info_bar_at_the_edge():
    c = cleaned("2022-07-27 10:00 来源：科技日报 作者：张三", *BODY)
    assert c.text.split("\n") == BODY and c.info_sources == ["科技日报"] and c.sources == []


def test_wordpress_notice_and_comment_widget_are_cut():
    c = cleaned(*BODY, "温馨提示:", "文章标题:北京市副市长靳伟:不断强化科技创新核心地位",
                "文章链接:https://www.btchangqing.cn/299537.html", "更新时间:2021年07月14日",
                "本站大部分内容均收集于网络,若内容若侵犯到您的权益,请联系我们,我们将第一时间处理。",
                "区块链", "2021-7-14 12:51:33", "0 条回复 A文章作者 M管理员", "暂无讨论,说说你的看法吧", "个人中心")
    assert c.text.split("\n") == BODY


def test_table_debris_is_dropped_and_rows_unpiped():
    c = cleaned("北京已有高新技术企业近3万家", "| ||", "| ||", "|", *BODY, "| 资料图：无性婚姻 |  |")
    assert "|" not in c.text.split("\n")[0]
    assert not any(set(ln) <= set("| ") for ln in c.text.split("\n"))
    assert c.text.split("\n")[-1] == "资料图：无性婚姻"


def test_navigation_and_share_lines():
    c = cleaned("当前位置:首页区块链北京市副市长靳伟:不断强化科技创新核心地位", "分享到：微博 微信",
                *BODY, "上一篇：北京发布新政策", "打印本页", "关闭窗口", "返回首页")
    assert c.text.split("\n") == BODY


def test_editor_lines_only_at_the_edges():
    c = cleaned(*BODY, "（责任编辑：魏喆）", "编辑 张三 校对 李四 监制 赵六")
    assert c.text.split("\n") == BODY
    assert c.people == []                             # editors are never authors
    assert c.editors == ["魏喆", "张三", "李四"]       # 校对 is editorial; 监制 is neither
    mid = cleaned(BODY[0], "责任编辑：王五", *BODY[1:], *BODY)
    assert "责任编辑：王五" in mid.text


def test_copyright_lines_at_the_end_but_not_mid_article():
    c = cleaned(*BODY, "Copyright © 2000-2006 CL2000.com. All rights reserved.", "版权所有 中国科技网")
    assert c.text.split("\n") == BODY
    article_about_copyright = [*BODY, *BODY, "法院认定，被告未经许可转载原告作品，构成侵权。", *BODY, *BODY]
    assert "未经许可转载" in cleaned(*article_about_copyright).text


def test_notice_trailer_only_in_the_last_part():
    c = cleaned(*BODY, *BODY, "反侵权公告：", "根据《中华人民共和国著作权法》，未经书面许可，擅自转载本报社作品的，将涉嫌侵权。")
    assert c.text.split("\n") == BODY + BODY


def test_bylines_name_authors_and_stay_in_text():
    c = cleaned("科技日报记者华凌", *BODY, "A04-A05版采写/新京报记者 徐美慧")
    assert set(c.people) == {"华凌", "徐美慧"}
    assert "采写" not in c.text                      # a trailing credit line is not body
    assert c.text.startswith("科技日报记者华凌")
    assert cleaned("记者了解到，会议于昨日召开，多位代表参加。", *BODY).people == []


def test_info_bar_at_the_top():
    c = cleaned("2005-04-05 06:40更新 来源：转载文章", *BODY)
    assert c.text.split("\n") == BODY


def test_source_strip_lines():
    c = cleaned(*BODY, "更多详细新闻请浏览新京报网 www.bjnews.com.cn", extra=[re.compile(r"^更多详细新闻请浏览新京报网.*$")])
    assert c.text.split("\n") == BODY


def test_half_and_full_width_copies_hash_alike():
    full = [ln.replace(",", "，").replace(":", "：") for ln in BODY]
    half = [ln.replace("，", ",").replace("：", ":") for ln in BODY]   # seed 001 style: 。 stays
    a = cleaned(*full, "（文章来源：科技日报）").text
    b = cleaned(*half, "来源:科技日报", "返回首页").text
    assert content_hash(a) == content_hash(b)
