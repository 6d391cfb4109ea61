"""Jekyll-style front matter (``---`` / ``key: value`` / ``---``) before a post's HTML."""
from __future__ import annotations

import re

_FM = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n(?P<head>.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<val>.*?)\s*$")


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """(fields, rest): the front matter's scalar fields (quotes removed) and the text after it."""
    m = _FM.match(text)
    if not m:
        return {}, text
    fields: dict[str, str] = {}
    for line in m.group("head").splitlines():
        lm = _LINE.match(line)
        if lm:
            val = lm.group("val")
            if len(val) >= 2 and val[0] == val[-1] and val[0] in "\"'":
                val = val[1:-1]
            fields[lm.group("key").lower()] = val
    return fields, text[m.end():]
