"""Stage 3, dedupe: is a text archived already, and which near-duplicate cluster is it in.

``normalize`` (the content hash), ``minhash`` (signatures, LSH bands, sketches), ``index_file`` (the
on-disk index of archived documents) and ``index`` (lookups against every index file; ``assign``).
"""
