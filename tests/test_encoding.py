from pipelines.encoding import decode_html, looks_like_mojibake

ZH = "北京国际科技创新中心建设取得重要进展，中关村科学城跑出加速度。"


def page(meta: str = "", body: str = ZH) -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{body}</p></body></html>"


def test_gbk_with_charset_only_in_meta():
    raw = page('<meta http-equiv="Content-Type" content="text/html; charset=gbk">').encode("gbk")
    d = decode_html(raw, "text/html")
    assert ZH in d.text and d.declared_by == "meta" and d.encoding == "gb18030" and not d.is_mojibake


def test_gb2312_label_with_gb18030_only_characters():
    text = ZH + "㐀䶵镕鎔喆堃"  # outside GB2312 (CJK ext-A and GBK-only hanzi)
    raw = page('<meta charset="gb2312">', text).encode("gb18030")
    d = decode_html(raw, "text/html; charset=gb2312")
    assert text in d.text and d.declared_by == "header" and not d.is_mojibake


def test_header_wins_over_meta_and_bom_over_nothing():
    raw = page('<meta charset="utf-8">').encode("gbk")
    assert ZH in decode_html(raw, "text/html; charset=GBK").text
    assert decode_html(b"\xef\xbb\xbf" + page().encode("utf-8"), None).declared_by == "bom"


def test_detection_without_any_declaration():
    raw = page(body=ZH * 20).encode("gb18030")
    d = decode_html(raw, "text/html")
    assert ZH in d.text and d.declared_by in ("detected", "hint")


def test_wrong_label_is_flagged_as_mojibake():
    raw = page(body=ZH * 20).encode("gbk")
    d = decode_html(raw, "text/html; charset=utf-8")
    assert d.is_mojibake
    assert looks_like_mojibake(d.text)
    assert not looks_like_mojibake(ZH)
