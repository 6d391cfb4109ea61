"""Patterns of Chinese (and common English) news boilerplate lines, in one place.

Used by ``pipelines.extract.cleanup``. Each pattern matches a whole line unless noted
(``search``). They name no site: site-specific lines go in a source's
``extraction.strip_lines``.
"""
from __future__ import annotations

import re

_OPEN = r"[\s(（\[【<《]*"
_CLOSE = r"[\s)）\]】>》]*"

#: Lines made only of table/markdown separators: ``| ||``, ``---``, ``* * *``.
TABLE_DEBRIS = re.compile(r"^[\s|\\\-_=*·•—~]*$")
#: Markdown link lines (``[返回首页](//…)｜[…](…)``) and bare URL lines.
LINK_LINE = re.compile(
    r"^(?:\s*[\[【]?\[[^\]]*\]\([^)]*\)[\]】]?\s*[｜|/·、]?\s*)+$"
    r"|^<(?:https?:)?//\S+>$", re.I)
#: Navigation, sharing and paging lines (short).
NAV_LINE = re.compile(
    _OPEN + r"(?:"
    r"返回(?:首页|顶部|页首|页顶|目录|列表|上一?页|上级|主页|\S{0,12}?(?:新闻|频道|栏目|首页|列表))"
    r"|(?:当前|您的|你的|你现在的|您现在的)位置"
    r"|分享(?:到|至)?|一键分享|收藏(?:本文|此文|本页)?|打印(?:本[页文]|此文)?|关闭(?:窗口|本页|此页)"
    r"|字号|字体[:：]|推荐给?(?:朋友|好友)|发送给(?:朋友|好友)|复制链接|(?:微信)?扫一扫"
    r"|上一篇|下一篇|上一页|下一页|第\s*\d+\s*页\s*/\s*共\s*\d+\s*页"
    r"|相关(?:新闻|阅读|文章|链接|报道|推荐)|推荐阅读|热门推荐|延伸阅读|猜你喜欢|更多(?:新闻|精彩|内容|详细)"
    r"|我要(?:纠错|评论|投稿|分享)|【?纠错】|点击(?:进入|查看|这里)|标签[:：]|关键词[:：]|tags?:"
    r"|share(?: this)?(?: on)?|print|email|back to top|related (?:articles|stories|news)|read more"
    r")" r"[^。！？.!?]{0,40}$", re.I)
#: Comment widgets (``search``).
COMMENT_WIDGET = re.compile(
    r"^\d+\s*条(?:回复|评论|留言)|暂无(?:讨论|评论|回复|留言)|说说你的看法|^(?:发表|查看|全部|网友|最新|热门)(?:评论|留言)"
    r"|^我来说两句|^(?:评论|回复|跟帖|留言)\s*[(（]?\d*[)）]?\s*$|已有\s*\d+\s*(?:人|条)(?:参与|评论)"
    r"|^登录后(?:才能)?(?:评论|发表)|^\d+\s*comments?$|^(?:leave a|post a) (?:comment|reply)", re.I)
#: Notices that are always boilerplate (``search``).
NOTICE_LINE = re.compile(
    r"本站.{0,30}(?:收集|来源|转载|来自)于?(?:互联网|网络)"
    r"|^(?:文章标题|文章链接|本文链接|原文链接|本文地址|原文地址|转载请注明|转载请保留)\s*[:：]"
    r"|若(?:内容)?(?:若)?侵犯(?:到)?您的(?:权益|版权)")
#: Start of a notice trailer: everything from here to the end is boilerplate.
NOTICE_START = re.compile(
    _OPEN + r"(?:温馨提示|特别提示|重要提示|风险提示|版权声明|免责声明|反侵权公告|郑重声明|著作权声明"
    r"|特别声明|法律声明|本文声明|声明"
    r"|溫馨提示|特別提示|風險提示|版權聲明|免責聲明|鄭重聲明|特別聲明|法律聲明|聲明"
    r"|[^。！？\s]{0,12}?(?:版[权權]|免[责責])(?:[与與和及]免[责責])?[声聲]明)" + _CLOSE + r"[:：]?")
#: Copyright lines (``search``; only short lines are checked by the caller).
COPYRIGHT = re.compile(
    r"^.{0,60}(?:版权所有|copyright\s*(?:©|\(c\)|&copy;|\d{4})|©\s*\d{4}|all rights reserved)"
    r"|^.{0,30}未经.{0,12}(?:许可|授权|同意).{0,6}(?:不得|禁止|严禁|请勿|谢绝).{0,6}(?:转载|复制|使用|摘编|镜像)", re.I)
#: Syndication credit lines: ``（文章来源：科技日报）``, ``来源：经济日报``, ``稿源：《羊城晚报》``,
#: ``本文转自人民网``, ``摘自《经济日报》2022年7月28日第5版``.
SOURCE_LINE = re.compile(
    _OPEN + r"(?:(?:文章|本文|稿件|消息|新闻|信息|内容)?(?:来源|稿源)(?:于|自)?\s*[:：]\s*"
    r"|(?:本文|文章|此文)?(?:转自|转载自|转载于|摘自|原载于?|选自)\s*[:：]?\s*)"
    r"(?:[《“\"](?P<quoted>[^《》“”\"]{1,40})[》”\"][^。！？]{0,30}?"
    r"|(?P<name>[^()（）\[\]【】<>《》“”\"。！？]{1,40}?))" + _CLOSE + r"$")
#: The 来源 field of an info bar (``2022-07-27 10:00 来源：科技日报 作者：张三``), found by ``search``:
#: the name ends at a space, a separator, the next label or a date.
INFO_SOURCE = re.compile(
    r"(?:(?:文章|稿件|新闻|信息|内容)?(?:来源|稿源)(?:于|自)?|转自|转载自)\s*[:：]\s*[《“\"]?"
    r"(?P<name>[A-Za-z][A-Za-z0-9.&'-]*(?: [A-Z][A-Za-z0-9.&'-]*){0,3}"
    r"|[^\s《》“”\"|｜/,，;；:：()（）\[\]【】<>]{1,30}?)"
    r"(?=[》”\"]|\s|$|[|｜/,，;；:：()（）\[\]【】<>]|作者|编辑|责编|记者|时间|发布|日期|浏览|阅读|点击|字号|"
    r"\d{4}\s*[-/.年]|\d{1,2}:\d{2})")
#: Editor lines: ``责任编辑：张三``, ``（编辑：山石）``, ``编辑 张三 校对 李四``.
_ROLES = r"责任编辑|责编|值班编辑|实习编辑|编辑|美编|校对|审核|审校|终审|初审|复审|监制|统筹|策划"
EDITOR_LINE = re.compile(
    _OPEN + rf"(?:{_ROLES})(?:\s*[:：/]\s*|\s+)(?P<names>[\u4e00-\u9fffA-Za-z·・ 、,，　:：]{{1,40}}?)" + _CLOSE + r"$")
#: Bylines: ``科技日报记者华凌``, ``新京报记者 徐美慧``, ``文/张三``, ``作者：李四`` (``search``).
BYLINE = re.compile(
    r"(?:记者|作者|撰稿|通讯员|(?:^|\s)文\s*[/|｜:：])\s*[:：]?\s*"
    r"(?P<names>[\u4e00-\u9fff·]{2,4}(?:[ 、，,　]+[\u4e00-\u9fff·]{2,4}){0,4})\s*[)）】]?\s*$")
_NOT_NAME = re.compile(r"了解|获悉|采访|来到|表示|发现|介绍|报道|注意|从|在|对|向|与|和|说|称|看到|调查|走访|问")
_SPLIT_PEOPLE = re.compile(rf"[\s、，,　:：/]+|(?:{_ROLES}|记者|通讯员|实习生|摄影|图)")
#: Editorial roles: their people are ``editors`` (never authors); other production credits (监制, 统筹,
#: 策划, 摄影, 制图) name neither.
_EDITOR_ROLE = re.compile(r"责任编辑|责编|值班编辑|实习编辑|编辑|美编|校对|审核|审校|终审|初审|复审")
_OTHER_ROLE = re.compile(r"监制|统筹|策划|摄影|制图")
_ANY_ROLE = re.compile(rf"{_EDITOR_ROLE.pattern}|{_OTHER_ROLE.pattern}")
#: ``责任编辑：张三`` / ``校对：李四`` anywhere in a page (``search``), for editor lines outside the body.
PAGE_EDITOR = re.compile(rf"(?:{_EDITOR_ROLE.pattern})\s*[:：]\s*"
                         r"(?P<names>[\u4e00-\u9fff·]{2,4}(?:[、，,]\s*[\u4e00-\u9fff·]{2,4}){0,3})(?![\u4e00-\u9fff])")
#: A metadata author value that names an editor: ``责任编辑：张三``.
EDITOR_LABEL = re.compile(rf"^\s*[(（]?\s*(?:{_EDITOR_ROLE.pattern})\s*[:：/]?\s*")
_NAMES = r"(?P<names>[\u4e00-\u9fff·]{2,4}(?:[ 　、，,]+[\u4e00-\u9fff·]{2,4}){0,5})"
#: A byline in the header block: ``作者：郭帆 赵琳``, ``文/谢博军``, ``本报记者 宋帆`` (``search``, one line).
PAGE_BYLINE = re.compile(r"(?:作者|撰稿|(?<![\u4e00-\u9fff])文|本报记者|记者)\s*[:：/]?\s*" + _NAMES + r"[ 　]*(?:\n|$)")
#: A dateline byline in the first paragraph: ``北京商报讯（记者 郭帆 赵琳）``, ``…电 （记者黄洋倩 周璐蕾）``.
DATELINE_BYLINE = re.compile(r"^.{0,40}?[（(]\s*(?P<names>(?:(?:本报|实习|特约)?记者|通讯员)[^）)]{2,40})[）)]")
#: Organisation names that metadata gives as ``author`` (北京商报, 新华网 …).
ORG_NAME = re.compile(r"(?:报|网|社|台|刊|频道|新闻|中心|集团|公司|编辑部|客户端)$")

_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
_LABELS = re.compile(
    r"来源|作者|时间|发布|更新|点击|阅读|浏览|编辑|字号|评论|发表于?|日期|次|人|[大中小]|于|分享|打印|收藏")
_SENTENCE = re.compile(r"[，。！？]")


def editor_names(line: str) -> list[str]:
    """Names after editorial roles in an editor line: ``编辑 孙艳 校对 傅杰丽 监制 王五`` -> [孙艳, 傅杰丽]."""
    out: list[str] = []
    roles = list(_ANY_ROLE.finditer(line))
    for i, m in enumerate(roles):
        if not _EDITOR_ROLE.fullmatch(m.group()):
            continue
        end = roles[i + 1].start() if i + 1 < len(roles) else len(line)
        out += [n for n in split_people(line[m.end():end].strip(" :：/)）】")) if n not in out]
    return out


def split_people(names: str) -> list[str]:
    out = []
    for n in _SPLIT_PEOPLE.split(names or ""):
        n = n.strip("·・ ")
        if 2 <= len(n) <= 20 and not _NOT_NAME.search(n) and n not in out:
            out.append(n)
    return out


def is_info_bar(line: str) -> bool:
    """A short date line with labels only: ``2005-04-05 06:40更新 来源：转载文章``."""
    if len(line) > 80 or _SENTENCE.search(line) or not _DATE.search(line):
        return False
    rest = _DATE.sub("", line)
    rest = re.sub(r"\d{1,2}:\d{2}(?::\d{2})?|[\W\d_a-zA-Z]+", "", rest)
    rest = _LABELS.sub("", rest)
    rest = re.sub(r"[:：]\S{0,10}", "", rest)
    return len(rest) <= 12
