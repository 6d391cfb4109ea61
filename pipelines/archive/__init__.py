"""Stage 4, archive: what a publish batch adds, and whether the archive is sound.

``plan`` (dedupe staged rows into articles, sightings and rejects), ``validate`` (publish-stage
checks), ``quality`` (per-source checks against baselines), ``navigation`` (archived "articles" that
are site menus), ``conservation`` (nothing fetched is lost). The catalog that commits them is
``newsarchive.lake``.
"""
