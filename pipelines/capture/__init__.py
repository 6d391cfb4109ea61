"""Stage 1, capture (read side): what crawls committed to the store.

``raw`` reads raw WARC segments and their crawl logs (the pages to extract, the fetch failures);
``seen`` is each source's seen-set of article URLs (written by the crawler, read by every crawl).
"""
