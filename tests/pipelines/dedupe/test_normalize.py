import unicodedata

from hypothesis import given, strategies as st

from pipelines.dedupe.normalize import content_hash, nfkc, normalize_for_hash

FULL = "北京已有高新技术企业近3万家，技术合同成交额近8000亿元，成为京津冀协同发展创新引擎。\n研发经费投入强度保持在6％左右（位居前列）。"
HALF = "北京已有高新技术企业近3万家,技术合同成交额近8000亿元,成为京津冀协同发展创新引擎。\n研发经费投入强度保持在6%左右(位居前列)。"


def test_half_and_full_width_copies_hash_alike():
    assert content_hash(FULL) == content_hash(HALF)


def test_syndication_and_editor_lines_do_not_change_the_hash():
    assert content_hash(FULL + "\n（文章来源：科技日报）") == content_hash(FULL)
    assert content_hash("来源：经济日报\n" + FULL + "\n责任编辑：王小明") == content_hash(FULL)
    assert content_hash(FULL + "\n[返回科技日报新闻](//x/category/kejiribao.html)｜[返回首页](//x/)") == content_hash(FULL)


def test_whitespace_and_paragraphing_do_not_change_the_hash():
    assert content_hash(FULL.replace("\n", "\n\n  ")) == content_hash(FULL)
    assert content_hash("\u3000\u3000" + FULL) == content_hash(FULL)


def test_different_text_hashes_differently():
    assert content_hash(FULL) != content_hash(FULL.replace("3万家", "4万家"))
    assert content_hash("") != content_hash("x")


def test_a_body_line_mentioning_sources_is_kept():
    body = "据悉，该项目的资金来源包括政府和企业。"
    assert "资金来源" in normalize_for_hash(body)


@given(st.text())
def test_fast_nfkc_matches_unicodedata(s):
    assert nfkc(s) == unicodedata.normalize("NFKC", s)


@given(st.text())
def test_hash_form_has_no_whitespace_and_never_raises(s):
    out = normalize_for_hash(s)
    assert not any(c.isspace() for c in out)
    assert len(content_hash(s)) == 64
