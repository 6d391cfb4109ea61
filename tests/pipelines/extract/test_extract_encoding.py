from pipelines.extract.encoding import decode_html, looks_like_mojibake

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


# Double encoding, round-tripped replacement characters and mixed encodings (pages written for these tests).

LONG = ZH * 8


def _double(text: str, codec: str) -> bytes:
    """``text`` in ``codec``, read as windows-1252 the way browsers do (undefined bytes -> C1 controls) and saved
    again as UTF-8: a double-encoded page."""
    data = page('<meta charset="utf-8">', text).encode(codec)
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data).encode("utf-8")


def test_gbk_read_as_cp1252_and_saved_as_utf8_is_repaired():
    d = decode_html(_double(LONG, "gbk"), "text/html; charset=utf-8")
    assert LONG in d.text and d.repair == "gb18030>cp1252" and d.problem is None


def test_utf8_read_as_cp1252_and_saved_again_is_repaired():
    d = decode_html(_double(LONG, "utf-8"), "text/html; charset=utf-8")
    assert LONG in d.text and d.repair in ("utf-8>cp1252", "ftfy") and d.problem is None


def test_big5_double_encoded_is_repaired():
    zh_tw = "臺灣科技部公布新的研究計畫，鼓勵大學與企業合作發展半導體技術。" * 8
    d = decode_html(_double(zh_tw, "big5"), "text/html; charset=utf-8")
    assert zh_tw in d.text and d.repair == "big5>cp1252"


def test_irreversible_double_encoding_is_mojibake():
    # cp1252 garbage with characters that no codec turns back (part of the bytes were lost on the way)
    garbage = LONG.encode("gbk").decode("latin-1")
    broken = "".join(ch if i % 7 else "\u4e00" for i, ch in enumerate(garbage))[:-3] + "Ã\u0152Ã"
    d = decode_html(page('<meta charset="utf-8">', broken).encode("utf-8"), "text/html; charset=utf-8")
    assert d.problem is not None and d.problem[0] == "mojibake" and "not reversible" in d.problem[1]


def test_european_text_is_not_double_encoded():
    pt = ("A inflação e a situação económica não são as únicas questões; é preciso atenção à educação. " * 20)
    d = decode_html(page('<meta charset="utf-8">', pt).encode("utf-8"), "text/html; charset=utf-8")
    assert pt.strip() in d.text and d.repair is None and d.problem is None


def test_utf8_garbage_beside_a_real_hanzi_is_repaired_by_ftfy():
    # one correctly encoded title keeps the page from going back to bytes as a whole: ftfy repairs the runs
    raw = _double(LONG, "utf-8").replace(b"<title>t</title>", "<title>科技</title>".encode("utf-8"))
    d = decode_html(raw, "text/html; charset=utf-8")
    assert LONG in d.text and d.repair == "ftfy" and d.problem is None


def test_accented_pairs_without_utf8_hanzi_skip_ftfy(monkeypatch):
    # Portuguese/Czech/Icelandic pages have many letter pairs (çã, ší, æð) but no UTF-8 hanzi read as cp1252:
    # ftfy (a scan of the whole page) is not tried, and the page is left as it is
    import ftfy

    def fail(text):
        raise AssertionError("ftfy called")
    monkeypatch.setattr(ftfy, "fix_encoding", fail)
    words = ("As informações sobre a situação económica foram publicadas ontem pelo instituto nacional. "
             "Příští léto bude podle meteorologů teplejší než letos. Þetta er góð frétt fyrir alla. ") * 12
    d = decode_html(page('<meta charset="utf-8">', words).encode("utf-8"), "text/html; charset=utf-8")
    assert words.strip() in d.text and d.repair is None and d.problem is None


def test_roundtripped_replacement_chars_in_the_body():
    from pipelines.extract.encoding import roundtrip_problem
    assert roundtrip_problem("锟斤拷" * 10 + ZH) == ("mojibake", roundtrip_problem("锟斤拷" * 10 + ZH)[1])
    assert roundtrip_problem(LONG * 3 + "锟斤拷") is None


def test_half_utf8_half_gbk_is_mixed_encoding():
    first, second = "中关村科学城跑出加速度，北京国际科技创新中心建设取得重要进展。" * 6, LONG
    raw = (b"<html><head><meta charset='utf-8'><title>t</title></head><body><p>" + first.encode("utf-8")
           + b"</p><p>" + second.encode("gbk") + b"</p></body></html>")
    for ctype in ("text/html; charset=utf-8", "text/html; charset=gbk", "text/html"):
        d = decode_html(raw, ctype)
        assert d.problem is not None and d.problem[0] == "mixed_encoding", ctype
        assert "UTF-8" in d.problem[1] and "gb18030" in d.problem[1]


def test_pure_gbk_and_pure_utf8_pages_are_not_mixed():
    for raw, ctype in ((page(body=LONG * 5).encode("gbk"), "text/html; charset=gbk"),
                       (page(body=LONG * 5).encode("utf-8"), "text/html; charset=utf-8")):
        assert decode_html(raw, ctype).problem is None
