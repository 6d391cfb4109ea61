"""The anchor extractors of ``bench.extract_quality``, run in their own venv (never the project's dependencies).

    python -m bench.extract_anchors --venv            # build/refresh the cached venv, print its python
    <venv python> bench/extract_anchors.py IN OUT     # what extract_quality runs: pages in, texts out

magic-html needs Python >= 3.12 while the project runs on 3.11, so the anchors live in a small venv
under ``bench/out/anchors-venv`` built with ``python3.12`` (pyenv) and the pinned ``ANCHORS``.

The worker reads JSON lines ``{"key", "url", "html"}`` (HTML already decoded by the project, so every
system reads the same string) and writes ``{"key", "texts": {system: text}, "cpu": {system: seconds}}``.
Systems run page by page in alternation; ``lxml`` is ``lxml.html.fromstring`` (the parse floor every
speed is divided by, measured in the same process). This file imports nothing of the project except
``bench.textscore.html_to_text`` (stdlib + lxml), so it runs under the anchors' venv.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "bench" / "out" / "anchors-venv"
ANCHORS = ("magic-html==0.1.8", "rs-trafilatura==0.1.1", "trafilatura==2.3.1", "readability-lxml==0.9",
           "lxml_html_clean")
SYSTEMS = ("lxml", "trafilatura", "trafilatura_precision", "readability", "magic_html", "rs_trafilatura")


def _python312() -> str:
    for cand in (os.environ.get("NEWSARCHIVE_PY312"), shutil.which("python3.12"),
                 *sorted(Path.home().glob(".pyenv/versions/3.12*/bin/python3.12"))):
        if cand and subprocess.run([str(cand), "--version"], capture_output=True).returncode == 0:
            return str(cand)
    raise RuntimeError("python3.12 not found (set NEWSARCHIVE_PY312): magic-html needs Python >= 3.12")


def ensure_venv() -> Path:
    """The anchors' python, building ``bench/out/anchors-venv`` when it is missing or stale."""
    py, stamp = VENV / "bin" / "python", VENV / ".anchors"
    want = "\n".join(ANCHORS)
    if py.exists() and stamp.exists() and stamp.read_text() == want:
        return py
    subprocess.run([_python312(), "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "-q", "-U", "pip"], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "-q", *ANCHORS], check=True)
    stamp.write_text(want)
    return py


def _systems() -> dict:
    import logging

    import lxml.html
    import magic_html
    import rs_trafilatura
    import trafilatura
    from readability import Document

    from bench.textscore import html_to_text
    logging.disable(logging.CRITICAL)

    def magic(html: str, url: str) -> str:
        return html_to_text(magic_html.GeneralExtractor().extract(html, base_url=url or "")["html"])

    return {
        "lxml": lambda html, url: (lxml.html.fromstring(html), "")[1],
        "trafilatura": lambda html, url: trafilatura.extract(html) or "",
        "trafilatura_precision": lambda html, url: trafilatura.extract(html, favor_precision=True) or "",
        "readability": lambda html, url: html_to_text(Document(html).summary()),
        "magic_html": magic,
        "rs_trafilatura": lambda html, url: rs_trafilatura.extract(html, url=url or None).main_content or "",
    }


def work(inp: Path, out: Path) -> None:
    systems = _systems()
    with open(inp, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as w:
        for line in f:
            page = json.loads(line)
            texts, cpu = {}, {}
            for name, fn in systems.items():
                t0 = time.process_time()
                try:
                    texts[name] = fn(page["html"], page.get("url"))
                except Exception:   # an anchor that raises scores as empty output
                    texts[name] = ""
                cpu[name] = time.process_time() - t0
            texts.pop("lxml")
            w.write(json.dumps({"key": page["key"], "texts": texts, "cpu": cpu}, ensure_ascii=False) + "\n")


def run(pages: list[dict], warmup: list[dict]) -> dict[str, dict]:
    """Run the anchors on ``pages`` (after ``warmup``) in their venv; {key: {"texts", "cpu"}}."""
    import tempfile
    py = ensure_venv()
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        with open(inp, "w", encoding="utf-8") as f:
            for p in [*({**w, "key": "warmup:" + w["key"]} for w in warmup), *pages]:
                f.write(json.dumps(p, ensure_ascii=False) + "\n")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        subprocess.run([str(py), str(Path(__file__).resolve()), str(inp), str(out)], check=True, env=env)
        res = {}
        for line in open(out, encoding="utf-8"):
            r = json.loads(line)
            if not r["key"].startswith("warmup:"):
                res[r["key"]] = r
        return res


if __name__ == "__main__":
    if sys.argv[1:] == ["--venv"]:
        print(ensure_venv())
    else:
        sys.path.insert(0, str(ROOT))
        work(Path(sys.argv[1]), Path(sys.argv[2]))
