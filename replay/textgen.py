"""Deterministic synthetic Chinese sci-tech news, from the pools in ``corpus/pools.yaml``.

Every function takes a ``random.Random``; the same seed gives the same text on
every run and machine. Sentences are drawn without replacement inside a story
and filled with fresh numbers, names and companies, so two synthetic stories
share little text (``tests/replay_sites`` checks their overlap stays low).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import yaml

CORPUS_DIR = Path(__file__).with_name("corpus")


@lru_cache(maxsize=1)
def pools() -> dict:
    return yaml.safe_load((CORPUS_DIR / "pools.yaml").read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class Story:
    title: str
    paragraphs: tuple[str, ...]   # '## ' marks a sub-heading
    kind: str = "tech"            # tech | chain | notice


def person_name(rng: random.Random) -> str:
    p = pools()
    given = rng.choice(p["given"]) + (rng.choice(p["given"]) if rng.random() < 0.7 else "")
    return rng.choice(p["surnames"]) + given


def company_name(rng: random.Random) -> str:
    p = pools()
    return f"北京{rng.choice(p['company_a'])}{rng.choice(p['company_b'])}{rng.choice(p['company_c'])}有限公司"


class _Slots(dict):
    """Template slots: fixed per story, numbered ones (n1, p2, a3) drawn on first use."""

    def __init__(self, rng: random.Random, when: datetime, kind: str):
        p = pools()
        fields = p["chain_fields"] if kind == "chain" else p["fields"]
        f1, f2 = rng.sample(fields, 2)
        super().__init__(
            place=rng.choice(p["places"]), field=f1, field2=f2, org=rng.choice(p["orgs"]),
            inst=rng.choice(p["insts"]), company=company_name(rng), company2=company_name(rng),
            person=person_name(rng), person2=person_name(rng), person3=person_name(rng), role=rng.choice(p["roles"]),
            role2=rng.choice(p["inst_roles"]), month=when.month, day=when.day, year=when.year,
            year2=when.year + rng.choice((3, 5)),
        )
        self.rng = rng

    def __missing__(self, key: str) -> str:
        r, kind = self.rng, key[0]
        if kind == "n":
            x = r.random()
            val = str(r.randint(3, 60) if x < 0.4 else r.randint(60, 900) if x < 0.85 else r.randint(1000, 30000))
        elif kind == "k":
            val = str(r.randint(2, 40))
        elif kind == "p":
            val = f"{r.uniform(3, 68):.1f}"
        elif kind == "a":
            val = str(r.randint(2, 900)) if r.random() < 0.6 else f"{r.uniform(1, 99):.1f}"
        else:
            raise KeyError(key)
        return val   # not stored: every use draws a fresh value


def _fill(templates: list[str], k: int, slots: _Slots) -> list[str]:
    return [t.format_map(slots) for t in slots.rng.sample(templates, k)]


def make_story(rng: random.Random, when: datetime, kind: str = "tech") -> Story:
    """One synthetic article: a lead paragraph, 4-6 body paragraphs, a closing one."""
    p, slots = pools(), _Slots(rng, when, kind)
    title = rng.choice(p["chain_titles"] if kind == "chain" else p["titles"]).format_map(slots)
    body_pool = [s for key in ("data", "quote", "policy", "project") for s in p[key]]
    if kind == "chain":
        body_pool = p["chain"] + rng.sample(body_pool, 20)
    n_paras = rng.randint(4, 6)
    sentences = _fill(body_pool, n_paras * 2 + rng.randint(0, n_paras), slots)
    paras = ["".join(_fill(p["lead"], 1, slots) + _fill(p["data"], 1, slots))]
    per = len(sentences) // n_paras
    for i in range(n_paras):
        if i and i % 3 == 0 and rng.random() < 0.5:
            paras.append("## " + rng.choice(p["subheads"]).format_map(slots))
        chunk = sentences[i * per:(i + 1) * per] if i < n_paras - 1 else sentences[i * per:]
        paras.append("".join(chunk))
    paras.append("".join(_fill(p["outlook"], rng.randint(1, 2), slots)))
    return Story(title=title, paragraphs=tuple(paras), kind=kind)


def _listed_company(rng: random.Random) -> str:
    """A company as listed in a 公示 notice: name and 统一社会信用代码."""
    code = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return f"{company_name(rng)}（统一社会信用代码：91110{rng.randint(100, 117)}{code}）"


def make_near_miss_pair(rng: random.Random, when: datetime, batch: int) -> tuple[Story, Story]:
    """Two notices of consecutive batches: same template and boilerplate, different lists."""
    nm = pools()["near_miss"]
    stories = []
    for b in (batch, batch + 1):
        parts = [nm["part"].format(part=i + 1, names="；".join(_listed_company(rng) for _ in range(6)))
                 for i in range(2)]
        fmt = dict(year=when.year, batch=b, count=rng.randint(150, 400), month=when.month,
                   day=when.day, day2=min(28, when.day + 6))
        paras = [t.format(**fmt) for t in nm["intro"]] + parts + [t.format(**fmt) for t in nm["outro"]]
        stories.append(Story(title=nm["title"].format(**fmt), paragraphs=tuple(paras), kind="notice"))
    return stories[0], stories[1]
