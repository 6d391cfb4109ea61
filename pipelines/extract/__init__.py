"""Stage 2, extraction: a captured page becomes an article record or a reject.

``extract(page, source)`` (:mod:`.core`) is one page; ``extract_many`` (:mod:`.many`) runs it over
many pages in worker processes with a per-page timeout (:mod:`.pool`). The modules it calls:
``encoding`` (bytes to text, mojibake), ``htmltree`` (one parse, markup repairs), ``body`` and
``combine`` (the article text: trafilatura, readability, their agreement), ``cleanup`` and
``textrules`` (Chinese boilerplate lines), ``meta``, ``fields``, ``published``, ``dates``,
``frontmatter`` (title, authors and editors, section, dates with their origins), ``syndication``
(the outlet a page credits) and ``gates`` (the checks that turn a page into a reject).
"""
from pipelines.extract.core import EXTRACTOR_VERSION, extract  # noqa: F401
