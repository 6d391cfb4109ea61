"""Where our spider's CPU goes per page, from a cProfile of bench.crawl_workers ``ours`` (main thread).

Components are cumulative times of our entry points; some nest (the recorder total holds the WARC,
log and seen-row parts), so read them one by one against the total instead of summing them.
"""
from __future__ import annotations

import importlib
import pstats

#: label -> "module:qualified function name"
ENTRY_POINTS = {
    "recorder.write total (WARC + log line + seen rows)": "spiders.recorder:Recorder.write",
    "  WARC records (warcio build, sha1 digests, gzip)": "spiders.warc:WarcSegment.write_exchange",
    "  log line (build + json.dumps)": "spiders.recorder:Recorder._line",
    "  seen rows of the line": "pipelines.capture.seen:rows_for_line",
    "encoding check (pipelines.extract.encoding.decode_html)": "spiders.pipelines:EncodingCheckPipeline.process_item",
    "article admission + canonical fetch URL": "spiders.spider:NewsSpider.article",
    "capture middleware (raw exchange copy)": "spiders.middlewares:CaptureMiddleware.process_response",
    "capture middleware (flush retried attempts)": "spiders.middlewares:CaptureMiddleware.process_request",
    "safety middleware": "spiders.middlewares:SafetyMiddleware.process_request",
    "callback: final Fetch item": "spiders.spider:NewsSpider.finish",
    "canonicalize() (all callers, memoized)": "pipelines.urls:canonicalize",
}


def _where(target: str) -> tuple[str, int, str]:
    mod, qual = target.split(":")
    obj = importlib.import_module(mod)
    for part in qual.split("."):
        obj = getattr(obj, part)
    code = obj.__code__
    return code.co_filename, code.co_firstlineno, code.co_name


def split(prof_path, pages: int) -> dict[str, float]:
    st = pstats.Stats(str(prof_path))
    total = sum(tt for (_, _, tt, _, _) in st.stats.values())
    out = {"main-thread CPU under the profiler": round(1000 * total / pages, 3)}
    for label, target in ENTRY_POINTS.items():
        entry = st.stats.get(_where(target))
        out[label] = round(1000 * entry[3] / pages, 3) if entry else 0.0
    return out
