"""Helpers for the extraction tests: pages built from short HTML snippets."""
from __future__ import annotations

from datetime import datetime, timezone

from pipelines.config import load_sources
from pipelines.record import RawPage

FETCHED = datetime(2022, 7, 28, 0, 0, tzinfo=timezone.utc)
CONFIG = load_sources()

PARAS = [
    "4月16日，部市共建北京国际科技创新中心现场推进会召开，多位参会企业和机构代表在会后接受了采访。",
    "多位参与推进会的企业和机构代表在会后表示，要立足实现科技自立自强，勇担责任使命，共同助力北京国际科技创新中心建设。",
    "加科思药业集团有限公司成立于2015年，公司致力于为癌症患者提供突破性治疗方案，研发管线围绕六大肿瘤信号通路布局。",
    "北方华创董事长赵晋荣表示，建设国际科技创新中心是北京市“十四五”时期重要的规划内容，企业将进一步加大科技投入。",
]


def article_html(*, title="部市共建北京国际科技创新中心 参会代表这样说", head="", before="", after="",
                 paras=PARAS, site=" - 科技日报") -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}{site}</title>{head}</head>"
            f"<body><div class='nav'><a href='/'>首页</a> <a href='/a'>科技</a> <a href='/b'>国际</a></div>"
            f"<div class='article'><h1>{title}</h1>{before}{body}{after}</div>"
            f"<div class='footer'>关于我们 | 联系我们</div></body></html>")


def page(html: str | bytes, url="https://www.stdaily.com/index/kejixinwen/2022-04/17/content_1.shtml",
         source="stdaily", ctype="text/html; charset=utf-8", status=200, **kw) -> RawPage:
    body = html.encode("utf-8") if isinstance(html, str) else html
    headers = {"content-type": ctype} if ctype else {}
    headers.update(kw.pop("headers", {}))
    return RawPage(url=url, body=body, source=source, headers=headers, status=status, fetched_at=FETCHED,
                   run_id="test__2022-07-28T000000", **kw)
