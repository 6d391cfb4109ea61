"""Line-level cleanup of extracted body text (generic Chinese news boilerplate).

``clean_text(text, extra_strip)`` returns a ``Cleaned`` with the body, the
outlets its credit lines name (``（文章来源：科技日报）`` -> 科技日报; ``pipelines.extract.syndication``
decides what they mean), the reporters named in bylines and the editors named in
editor lines. Rules, all general (no site names):

* table debris from table rendering (``| ||``), markdown link lines
  (``[返回首页](//…)``), bare ``<http://…>`` lines;
* navigation and share lines (返回首页, 返回…新闻, 分享到, 打印, 关闭窗口, 上一篇 …);
* comment widgets (``0 条回复``, ``暂无讨论``, 发表评论 …) and copyright lines;
* notices: from 温馨提示 / 版权声明 / 免责声明 / 反侵权公告 in the second half of
  the text to the end, and single notice lines (本站…收集于网络, 文章链接：…);
* credit lines (来源：经济日报, 转自…, 摘自《…》) anywhere; editor lines (责任编辑：…,
  编辑 … 校对 …) and date/info bars at the edges.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelines.extract.textrules import (
    BYLINE, COMMENT_WIDGET, COPYRIGHT, DATELINE_BYLINE, EDITOR_LINE, INFO_SOURCE, LINK_LINE, NAV_LINE, NOTICE_LINE,
    NOTICE_START, SOURCE_LINE, TABLE_DEBRIS, editor_names, is_info_bar, split_people,
)

#: Lines looked at as "edges" (start/end) for editor lines and info bars.
EDGE_LINES = 4
#: A notice heading starts the trailer only when at most this share of the text (characters) follows.
NOTICE_TAIL_SHARE = 0.5


@dataclass(slots=True)
class Cleaned:
    text: str
    #: outlets named by credit lines in the text (来源：/ 转自 …), in order
    sources: list[str] = field(default_factory=list)
    #: outlets named by the 来源 field of info bars dropped at the edges
    info_sources: list[str] = field(default_factory=list)
    #: reporters and writers (bylines)
    people: list[str] = field(default_factory=list)
    #: editorial staff (责任编辑, 编辑, 校对, 审核 … lines)
    editors: list[str] = field(default_factory=list)
    dropped: int = 0


def _table_row(line: str) -> str:
    """``| a |  | b |`` -> ``a | b``; other lines unchanged."""
    s = line.strip()
    if not (s.startswith("|") or s.endswith("|")):
        return line
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", s)]
    cells = [c.replace("\\|", "|") for c in cells if c]
    return " | ".join(cells)


def _drop_anywhere(line: str) -> bool:
    return bool(TABLE_DEBRIS.match(line) or LINK_LINE.match(line) or NAV_LINE.match(line)
                or COMMENT_WIDGET.search(line) or (len(line) <= 200 and NOTICE_LINE.search(line)))


def _drop_copyright(lines: list[str]) -> list[str]:
    """Copyright lines in the first lines or the last third (never mid-article prose)."""
    tail = len(lines) - max(EDGE_LINES, len(lines) // 3)
    return [ln for i, ln in enumerate(lines)
            if not ((i < EDGE_LINES or i >= tail) and len(ln) <= 200 and COPYRIGHT.search(ln))]


def _cut_notice_trailer(lines: list[str]) -> list[str]:
    """Cut from a notice heading when at most ``NOTICE_TAIL_SHARE`` of the text follows it."""
    total = sum(len(ln) for ln in lines)
    before = 0
    for i, ln in enumerate(lines):
        if i and NOTICE_START.match(ln) and total - before <= NOTICE_TAIL_SHARE * total:
            return lines[:i]
        before += len(ln)
    return lines


#: A run of at least this many short non-sentence lines at the end is a widget (comment form, login box, tags).
WIDGET_RUN = 6
WIDGET_LINE_CHARS = 20
#: Menu words before the text: a run of at least this many lines of at most MENU_LINE_CHARS characters.
MENU_RUN = 3
MENU_LINE_CHARS = 6
_SENTENCE_END = re.compile(r"[。！？!?；;]")


def _cut_widget_runs(lines: list[str]) -> list[str]:
    """Drop a run of at least ``WIDGET_RUN`` short non-sentence lines at either end (a comment form or login
    widget: 「有」「人参与」「昵称：」「登录」) and a leading run of menu words (「rss」「新闻」「网页」), when the
    text has prose besides."""
    short = [len(ln) <= WIDGET_LINE_CHARS and not _SENTENCE_END.search(ln) for ln in lines]
    end = len(lines)
    while end and short[end - 1]:
        end -= 1
    head = 0
    while head < end and short[head]:
        head += 1
    if len(lines) - end >= WIDGET_RUN and end:
        lines = lines[:end]
    if head >= WIDGET_RUN and head < len(lines):
        lines = lines[head:]
    start = 0
    while start < len(lines) and len(lines[start]) <= MENU_LINE_CHARS and not _SENTENCE_END.search(lines[start]):
        start += 1
    if start >= MENU_RUN and start < len(lines):
        lines = lines[start:]
    return lines


def _take_source(line: str) -> str | None:
    """The outlet a credit line names (``来源：经济日报 作者：张三`` -> 经济日报), or None."""
    m = SOURCE_LINE.match(line)
    if not m:
        return None
    if m.group("quoted"):
        return m.group("quoted").strip() or None
    name = re.split(r"\s+|[，,；;|｜]", m.group("name").strip())[0]
    return name.strip("　 ") or None


def clean_text(text: str, extra_strip: list[re.Pattern] | None = None) -> Cleaned:
    lines = [_table_row(ln).strip() for ln in text.split("\n")]
    lines = [ln for ln in lines if ln]
    n0 = len(lines)
    extra = extra_strip or []
    editors: list[str] = []
    kept_lines = []
    for ln in lines:
        if any(p.fullmatch(ln) for p in extra):
            if EDITOR_LINE.match(ln):   # a source rule dropping an editor line: keep the name
                editors.extend(editor_names(ln))
        elif not _drop_anywhere(ln):
            kept_lines.append(ln)
    lines = _cut_widget_runs(kept_lines)
    lines = _drop_copyright(_cut_notice_trailer(lines))
    out = Cleaned(text="")
    kept: list[str] = []
    for ln in lines:
        src = _take_source(ln)
        if src:
            out.sources.append(src)
            continue
        kept.append(ln)
    kept = _strip_edges(kept, editors, out.info_sources)
    if kept and _is_credit(kept[-1]):   # e-paper credit under the text: 「A04-A05版采写/新京报记者 徐美慧」
        out.people.extend(split_people(BYLINE.search(kept[-1]).group("names")))
        kept.pop()
    for ln in kept[:EDGE_LINES] + kept[-EDGE_LINES:]:
        m = BYLINE.search(ln) if len(ln) <= 40 else None
        if m:
            out.people.extend(p for p in split_people(m.group("names")) if p not in out.people)
    for ln in kept[:2]:
        m = DATELINE_BYLINE.match(ln)
        if m:
            out.people.extend(p for p in split_people(m.group("names")) if p not in out.people)
            break
    out.editors = list(dict.fromkeys(editors))
    out.text = "\n".join(kept)
    out.dropped = n0 - len(kept)
    return out


def _is_credit(line: str) -> bool:
    """A short trailing line that is only a byline (no sentence): 「采写/记者 某某」, 「文/某某」."""
    return len(line) <= 40 and not re.search(r"[，。！？；]", line) and bool(BYLINE.search(line))


def _strip_edges(lines: list[str], editors: list[str], info_sources: list[str]) -> list[str]:
    """Editor lines and info bars within ``EDGE_LINES`` of either end (their people go to ``editors``,
    the outlet an info bar's 来源 names to ``info_sources``, in page order)."""
    def noise(ln: str) -> bool:
        return bool(EDITOR_LINE.match(ln)) or is_info_bar(ln)

    head = 0
    while head < min(EDGE_LINES, len(lines)) and noise(lines[head]):
        head += 1
    tail = len(lines)
    while tail > head and len(lines) - tail < EDGE_LINES and noise(lines[tail - 1]):
        tail -= 1
    for ln in lines[:head] + lines[tail:]:
        if EDITOR_LINE.match(ln):
            editors.extend(editor_names(ln))
        else:
            info_sources.extend(m.group("name") for m in INFO_SOURCE.finditer(ln))
    return lines[head:tail]
