-- newsarchive: DuckDB views over an archive store (a local folder or s3://bucket/prefix).
--
-- Readers see only the files a committed manifest (_snapshots/<dt>.json) lists, so a
-- publish in progress (or a file left behind by a killed one) is never visible. Months rolled
-- up by `newsarchive compact --rollup` (_rollups/<table>/<month>.json) are read from their few
-- big rollup files while those stand for exactly the committed daily files of the dates they cover,
-- and from the daily files otherwise: the rows are the same either way (see table_files below).
--
--   SET VARIABLE newsarchive_root = '/abs/path/to/data';   -- or 's3://bucket/prefix'
--   .read newsarchive/sql/views.sql                         -- duckdb CLI; Python: con.execute(text)
--
-- For s3:// load httpfs and create an S3 secret first (README "Querying with DuckDB");
-- newsarchive.views.connect_views(store) does all of this from Python.
--
-- Views: snapshots, snapshot_runs, committed_files, table_files, rollups, articles, sightings, rejects,
--        sources, articles_latest, clusters, syndication.
-- Macros (the archive as of snapshot date d, i.e. every partition dt <= d):
--        articles_asof(d), sightings_asof(d), rejects_asof(d), articles_latest_asof(d),
--        clusters_asof(d), syndication_asof(d).
-- `dt` is the partition's logical date as VARCHAR 'YYYY-MM-DD' (compare it with strings).
--
-- Source priorities (for the canonical copy of a cluster) come from _meta/sources.json
-- ([{"id", "name", "priority", "language", "base_url"}], newsarchive.views.write_sources);
-- a source without an entry has priority 50, as in publish.
--
-- Which tables have files (and rollups) is checked once, when this file runs: on an empty store every
-- view exists and is empty; run this file again after the first publish (and after the first rollup).

SET VARIABLE newsarchive_root = coalesce(rtrim(getvariable('newsarchive_root'), '/'),
    error('set the store root first: SET VARIABLE newsarchive_root = ''/abs/path/to/data'' (or ''s3://bucket/prefix'')'));

SET VARIABLE newsarchive_present = coalesce((
    SELECT list(DISTINCT what) FROM (
        SELECT 'snapshots' AS what FROM glob(getvariable('newsarchive_root') || '/_snapshots/*.json')
        UNION ALL SELECT 'articles' FROM glob(getvariable('newsarchive_root') || '/articles/*/*/*.parquet')
        UNION ALL SELECT 'sightings' FROM glob(getvariable('newsarchive_root') || '/sightings/*/*/*.parquet')
        UNION ALL SELECT 'rejects' FROM glob(getvariable('newsarchive_root') || '/rejects/*/*/*.parquet')
        UNION ALL SELECT 'sources' FROM glob(getvariable('newsarchive_root') || '/_meta/*.json')
                  WHERE parse_filename(file) = 'sources.json'     -- a wildcard: S3 globs list, never guess
        UNION ALL SELECT 'rollups' FROM glob(getvariable('newsarchive_root') || '/_rollups/*/*.json')
        UNION ALL SELECT 'rollup_' || split_part(file, '/', -3)
                  FROM glob(getvariable('newsarchive_root') || '/rollup/*/*/*.parquet'))),
    []::VARCHAR[]);

-- Tables whose views read monthly rollups: rollup files and manifests existed when this file ran. A table
-- rolled up later is read from its daily files only (the same rows) until this file runs again.
SET VARIABLE newsarchive_rolled_up = CASE WHEN list_contains(getvariable('newsarchive_present'), 'rollups') THEN
    [t FOR t IN ['articles', 'sightings', 'rejects'] IF list_contains(getvariable('newsarchive_present'), t)
                                                     AND list_contains(getvariable('newsarchive_present'), 'rollup_' || t)]
    ELSE []::VARCHAR[] END;

-- key=value folders in the root itself (s3://bucket/env=prod/archive) are no partition columns.
SET VARIABLE newsarchive_root_keys = coalesce((
    SELECT list(split_part(seg, '=', 1)) FROM (SELECT unnest(string_split(getvariable('newsarchive_root'), '/')) AS seg)
    WHERE contains(seg, '=')), []::VARCHAR[]);

-- Manifest format 1 (pipelines/manifest.py).
SET VARIABLE newsarchive_manifest_columns = {
    'dt': 'VARCHAR', 'format': 'INTEGER', 'schema_version': 'VARCHAR', 'committed_at_run': 'VARCHAR',
    'files': 'STRUCT(articles  STRUCT(path VARCHAR, source VARCHAR, "rows" BIGINT, bytes BIGINT, runs VARCHAR[])[],
                     sightings STRUCT(path VARCHAR, source VARCHAR, "rows" BIGINT, bytes BIGINT, runs VARCHAR[])[],
                     rejects   STRUCT(path VARCHAR, source VARCHAR, "rows" BIGINT, bytes BIGINT, runs VARCHAR[])[],
                     "index"   STRUCT(path VARCHAR, source VARCHAR, "rows" BIGINT, bytes BIGINT, runs VARCHAR[])[])',
    'runs': 'MAP(VARCHAR, STRUCT(staged BIGINT, articles BIGINT, sightings BIGINT, rejects BIGINT,
                                 exact_duplicates BIGINT, near_duplicates BIGINT))'};

-- Rollup manifest format 1 (pipelines/rollupfmt.py).
SET VARIABLE newsarchive_rollup_columns = {
    'format': 'INTEGER', 'table': 'VARCHAR', 'month': 'VARCHAR', 'schema_version': 'VARCHAR',
    'files': 'STRUCT(path VARCHAR, "rows" BIGINT, bytes BIGINT)[]', 'dates': 'MAP(VARCHAR, VARCHAR[])',
    'rows': 'BIGINT'};

---------------------------------------------------------------- manifests
-- Every committed snapshot manifest, one row per date: the one place the views below read them
-- (views_pinned.sql replaces it with a copy). Only read when snapshots exist.
CREATE OR REPLACE VIEW newsarchive_manifests AS
FROM query(CASE WHEN list_contains(getvariable('newsarchive_present'), 'snapshots') THEN $$
    FROM read_json(getvariable('newsarchive_root') || '/_snapshots/*.json',
                   columns = getvariable('newsarchive_manifest_columns'), hive_partitioning = false) $$
ELSE $$ SELECT NULL::VARCHAR AS dt WHERE false $$ END);

-- One row per file of a committed manifest (kind: articles, sightings, rejects, index).
CREATE OR REPLACE VIEW committed_files AS
FROM query(CASE WHEN list_contains(getvariable('newsarchive_present'), 'snapshots') THEN $$
    WITH m AS (FROM newsarchive_manifests),
    entries AS (SELECT dt, 'articles' AS kind, unnest(files.articles) AS e FROM m
                UNION ALL SELECT dt, 'sightings', unnest(files.sightings) FROM m
                UNION ALL SELECT dt, 'rejects', unnest(files.rejects) FROM m
                UNION ALL SELECT dt, 'index', unnest(files."index") FROM m)
    SELECT dt, kind, e.path AS path, getvariable('newsarchive_root') || '/' || e.path AS uri,
           e.source AS source, e."rows" AS "rows", e.bytes AS bytes, e.runs AS runs
    FROM entries ORDER BY dt, kind, path $$
ELSE $$
    SELECT NULL::VARCHAR AS dt, NULL::VARCHAR AS kind, NULL::VARCHAR AS path, NULL::VARCHAR AS uri,
           NULL::VARCHAR AS source, NULL::BIGINT AS "rows", NULL::BIGINT AS bytes, NULL::VARCHAR[] AS runs
    WHERE false $$ END);

-- One row per publish batch (run) of each committed date, with its counts.
CREATE OR REPLACE VIEW snapshot_runs AS
FROM query(CASE WHEN list_contains(getvariable('newsarchive_present'), 'snapshots') THEN $$
    WITH m AS (FROM newsarchive_manifests),
    r AS (SELECT dt, unnest(map_entries(runs)) AS r FROM m)
    SELECT dt, r.key AS run, r.value.staged, r.value.articles, r.value.sightings, r.value.rejects,
           r.value.exact_duplicates, r.value.near_duplicates
    FROM r ORDER BY dt, run $$
ELSE $$
    SELECT NULL::VARCHAR AS dt, NULL::VARCHAR AS run, NULL::BIGINT AS staged, NULL::BIGINT AS articles,
           NULL::BIGINT AS sightings, NULL::BIGINT AS rejects, NULL::BIGINT AS exact_duplicates,
           NULL::BIGINT AS near_duplicates
    WHERE false $$ END);

-- One row per committed date: what its snapshot holds.
CREATE OR REPLACE VIEW snapshots AS
FROM query(CASE WHEN list_contains(getvariable('newsarchive_present'), 'snapshots') THEN $$
    WITH m AS (FROM newsarchive_manifests)
    SELECT dt, committed_at_run, schema_version, cardinality(runs)::BIGINT AS runs,
           coalesce(list_sum([r.staged for r in map_values(runs)]), 0)::BIGINT AS staged,
           coalesce(list_sum([f."rows" for f in files.articles]), 0)::BIGINT AS articles,
           coalesce(list_sum([f."rows" for f in files.sightings]), 0)::BIGINT AS sightings,
           coalesce(list_sum([f."rows" for f in files.rejects]), 0)::BIGINT AS rejects,
           coalesce(list_sum([r.exact_duplicates for r in map_values(runs)]), 0)::BIGINT AS exact_duplicates,
           coalesce(list_sum([r.near_duplicates for r in map_values(runs)]), 0)::BIGINT AS near_duplicates,
           coalesce(list_sum([f."rows" for f in files."index"]), 0)::BIGINT AS index_docs,
           (len(files.articles) + len(files.sightings) + len(files.rejects) + len(files."index"))::BIGINT AS files,
           coalesce(list_sum([f.bytes for f in list_concat(files.articles, files.sightings, files.rejects,
                                                           files."index")]), 0)::BIGINT AS bytes
    FROM m ORDER BY dt $$
ELSE $$
    SELECT NULL::VARCHAR AS dt, NULL::VARCHAR AS committed_at_run, NULL::VARCHAR AS schema_version,
           NULL::BIGINT AS runs, NULL::BIGINT AS staged, NULL::BIGINT AS articles, NULL::BIGINT AS sightings,
           NULL::BIGINT AS rejects, NULL::BIGINT AS exact_duplicates, NULL::BIGINT AS near_duplicates,
           NULL::BIGINT AS index_docs, NULL::BIGINT AS files, NULL::BIGINT AS bytes
    WHERE false $$ END);

---------------------------------------------------------------- data files: daily and monthly rollups
-- One row per Parquet file the table views may read: the committed daily files (layer 'daily') and the
-- files of committed monthly rollups (layer 'rollup', pipelines/rollup.py). `used`: the table views read
-- it. A rollup is used while the committed daily files of the dates it covers (the `dates` of
-- _rollups/<table>/<month>.json) are exactly the ones it was built from; those dates' daily files are then
-- not used. Dates of the month it does not cover (published after it) are read from their daily files. A
-- rerun, backfill or compaction of a covered date changes them: the views read that month's daily files
-- again until the next `newsarchive compact --rollup`. Reads every snapshot manifest once.
CREATE OR REPLACE VIEW table_files AS
FROM query(CASE WHEN NOT list_contains(getvariable('newsarchive_present'), 'snapshots') THEN $$
    SELECT NULL::VARCHAR AS kind, NULL::VARCHAR AS layer, NULL::VARCHAR AS month, NULL::VARCHAR AS dt,
           NULL::VARCHAR AS path, NULL::VARCHAR AS uri, NULL::BIGINT AS "rows", NULL::BIGINT AS bytes,
           NULL::BOOLEAN AS used
    WHERE false $$
ELSE $$
    WITH s AS (SELECT dt, files FROM newsarchive_manifests),
    daily AS MATERIALIZED (
        SELECT 'articles' AS kind, dt, unnest(files.articles, recursive := true) FROM s
        UNION ALL SELECT 'sightings', dt, unnest(files.sightings, recursive := true) FROM s
        UNION ALL SELECT 'rejects', dt, unnest(files.rejects, recursive := true) FROM s),
    r AS (FROM query(CASE WHEN list_contains(getvariable('newsarchive_present'), 'rollups') THEN $_$
              SELECT "table" AS kind, month, files, flatten(map_values(dates)) AS built_from,
                     map_keys(dates) AS covered
              FROM read_json(getvariable('newsarchive_root') || '/_rollups/*/*.json', hive_partitioning = false,
                             columns = getvariable('newsarchive_rollup_columns')) $_$
          ELSE $_$ SELECT NULL::VARCHAR AS kind, NULL::VARCHAR AS month,
                          NULL::STRUCT(path VARCHAR, "rows" BIGINT, bytes BIGINT)[] AS files,
                          NULL::VARCHAR[] AS built_from, NULL::VARCHAR[] AS covered WHERE false $_$ END)),
    -- the committed daily files now of the dates each rollup covers (dates published after it do not count)
    now AS (SELECT d.kind, left(d.dt, 7) AS month, list_sort(list(d.path)) AS paths
            FROM daily d JOIN r ON r.kind = d.kind AND r.month = left(d.dt, 7) AND list_contains(r.covered, d.dt)
            GROUP BY ALL),
    rolled AS MATERIALIZED (
        SELECT r.kind, r.month, r.files, r.covered,
               coalesce(list_contains(getvariable('newsarchive_rolled_up'), r.kind)
                        AND now.paths = list_sort(r.built_from), false) AS used
        FROM r LEFT JOIN now USING (kind, month))
    SELECT kind, 'rollup' AS layer, month, NULL::VARCHAR AS dt, f.path AS path,
           getvariable('newsarchive_root') || '/' || f.path AS uri, f."rows" AS "rows", f.bytes AS bytes, used
    FROM (SELECT kind, month, used, unnest(files) AS f FROM rolled)
    UNION ALL
    SELECT d.kind, 'daily', left(d.dt, 7), d.dt, d.path, getvariable('newsarchive_root') || '/' || d.path,
           d."rows", d.bytes,
           NOT EXISTS (FROM rolled WHERE rolled.used AND rolled.kind = d.kind AND rolled.month = left(d.dt, 7)
                                         AND list_contains(rolled.covered, d.dt))
    FROM daily d $$ END);

-- One row per committed rollup (table and month): used or not, its files, and the month's daily files.
CREATE OR REPLACE VIEW rollups AS
SELECT kind, month, bool_and(used) FILTER (layer = 'rollup') AS used,
       count(*) FILTER (layer = 'rollup') AS files, sum("rows") FILTER (layer = 'rollup') AS "rows",
       sum(bytes) FILTER (layer = 'rollup') AS bytes, count(DISTINCT dt) AS dates,
       count(*) FILTER (layer = 'daily') AS daily_files, sum(bytes) FILTER (layer = 'daily') AS daily_bytes
FROM table_files GROUP BY kind, month HAVING count(*) FILTER (layer = 'rollup') > 0 ORDER BY kind, month;

-- Where a rolled-up table's view globs for daily files, fixed now (a glob over every daily folder costs
-- a listing of each, ~0.1 s a query for 1,000 dates): the dates from the first year whose daily files
-- the views read now (or, with none, the latest year) to the end of that decade, e.g. dt=202[2-9]-*.
-- Every query checks that the daily files it needs are in there; when a rerun inside an older rolled-up
-- month or a new decade needs more since this file ran, the query fails and asks to run it again.
SET VARIABLE newsarchive_daily_globs = (
    WITH k AS (SELECT unnest(['articles', 'sightings', 'rejects']) AS kind),
    y AS (
        SELECT kind, coalesce(min(left(dt, 4)) FILTER (used), max(left(dt, 4))) AS y0,
               coalesce(max(left(dt, 4)) FILTER (used), max(left(dt, 4))) AS y1
        FROM table_files WHERE layer = 'daily' GROUP BY kind),
    g AS (
        SELECT kind, getvariable('newsarchive_root') || '/' || kind || '/' ||
               CASE WHEN list_contains(getvariable('newsarchive_rolled_up'), kind) AND left(y0, 3) = left(y1, 3)
                    THEN 'dt=' || left(y0, 3) || '[' || right(y0, 1) || '-9]-*/*/*.parquet'
                    ELSE '*/*/*.parquet' END AS pattern
        FROM k LEFT JOIN y USING (kind))
    SELECT {'articles': max(pattern) FILTER (kind = 'articles'), 'sightings': max(pattern) FILTER (kind = 'sightings'),
            'rejects': max(pattern) FILTER (kind = 'rejects')}
    FROM g);

-- The rows of a rolled-up table t: its used rollup files and its used daily files (table_files, read once
-- a query). The semi-join on `filename` is pushed into both scans, which skip unlisted files unopened.
CREATE OR REPLACE MACRO newsarchive_rows(t) AS TABLE
SELECT * EXCLUDE (filename) FROM (
    FROM read_parquet(getvariable('newsarchive_root') || '/rollup/' || t || '/*/*.parquet',
                      hive_partitioning = false, filename = true)
    UNION ALL BY NAME
    SELECT COLUMNS(lambda c: NOT list_contains(getvariable('newsarchive_root_keys'), c))
    FROM read_parquet(struct_extract(getvariable('newsarchive_daily_globs'), t),
                      hive_partitioning = true, hive_types_autocast = false, filename = true))
WHERE filename IN (
    SELECT CASE WHEN layer = 'rollup' OR uri GLOB struct_extract(getvariable('newsarchive_daily_globs'), t)
                THEN uri
                ELSE error('newsarchive: ' || t || ' of ' || dt || ' changed after views.sql ran on this '
                           || 'connection (a rerun in a rolled-up month, or a new decade); run views.sql again '
                           || '(newsarchive.views.connect_views)') END
    FROM table_files WHERE kind = t AND used);

-- The rows of a table t read from daily files only (no rollup of it existed when this file ran): its
-- committed daily files (table_files), with `dt` (and `source`) from their hive folders.
CREATE OR REPLACE MACRO newsarchive_daily_rows(t) AS TABLE
SELECT COLUMNS(lambda c: c <> 'filename' AND NOT list_contains(getvariable('newsarchive_root_keys'), c))
FROM read_parquet(getvariable('newsarchive_root') || '/' || t || '/*/*/*.parquet',
                  hive_partitioning = true, hive_types_autocast = false, filename = true)
WHERE filename IN (SELECT uri FROM table_files WHERE kind = t AND used);

---------------------------------------------------------------- tables (DATA_FORMAT.md) + dt
CREATE OR REPLACE VIEW articles AS
FROM query(CASE WHEN list_contains(getvariable('newsarchive_rolled_up'), 'articles') THEN $$
    FROM newsarchive_rows('articles') $$
WHEN list_contains(getvariable('newsarchive_present'), 'articles') THEN $$
    FROM newsarchive_daily_rows('articles') $$
ELSE $$
    SELECT NULL::VARCHAR AS article_id, NULL::VARCHAR AS content_hash, NULL::VARCHAR AS url,
           NULL::VARCHAR AS canonical_url, NULL::VARCHAR AS source, NULL::VARCHAR AS title, NULL::VARCHAR AS text,
           NULL::VARCHAR[] AS authors, NULL::TIMESTAMPTZ AS published_at,
           NULL::SMALLINT AS published_at_offset_minutes, NULL::VARCHAR AS published_at_origin,
           NULL::VARCHAR AS published_at_offset_origin,
           NULL::TIMESTAMPTZ AS fetched_at, NULL::VARCHAR AS language, NULL::VARCHAR AS syndicated_from,
           NULL::VARCHAR AS section, NULL::INTEGER AS char_count, NULL::VARCHAR AS cluster_id,
           NULL::VARCHAR AS extractor_version, NULL::VARCHAR AS decode_repair, NULL::VARCHAR AS run_id,
           NULL::VARCHAR AS raw_ref,
           NULL::VARCHAR AS dt
    WHERE false $$ END);

CREATE OR REPLACE VIEW sightings AS
FROM query(CASE WHEN list_contains(getvariable('newsarchive_rolled_up'), 'sightings') THEN $$
    FROM newsarchive_rows('sightings') $$
WHEN list_contains(getvariable('newsarchive_present'), 'sightings') THEN $$
    FROM newsarchive_daily_rows('sightings') $$
ELSE $$
    SELECT NULL::VARCHAR AS content_hash, NULL::VARCHAR AS article_id, NULL::VARCHAR AS url,
           NULL::VARCHAR AS canonical_url, NULL::VARCHAR AS source, NULL::TIMESTAMPTZ AS fetched_at,
           NULL::VARCHAR AS run_id, NULL::BOOLEAN AS is_new, NULL::VARCHAR AS dt
    WHERE false $$ END);

CREATE OR REPLACE VIEW rejects AS
FROM query(CASE WHEN list_contains(getvariable('newsarchive_rolled_up'), 'rejects') THEN $$
    FROM newsarchive_rows('rejects') $$
WHEN list_contains(getvariable('newsarchive_present'), 'rejects') THEN $$
    FROM newsarchive_daily_rows('rejects') $$
ELSE $$
    SELECT NULL::VARCHAR AS url, NULL::VARCHAR AS source, NULL::VARCHAR AS stage, NULL::VARCHAR AS reason,
           NULL::VARCHAR AS detail, NULL::SMALLINT AS http_status, NULL::TIMESTAMPTZ AS fetched_at,
           NULL::VARCHAR AS run_id, NULL::VARCHAR AS raw_ref, NULL::VARCHAR AS dt
    WHERE false $$ END);

-- Configured sources: id, display name, priority (higher wins ties for the canonical copy).
CREATE OR REPLACE VIEW sources AS
FROM query(CASE WHEN list_contains(getvariable('newsarchive_present'), 'sources') THEN $$
    SELECT id AS source, name, priority, language, base_url
    FROM read_json(getvariable('newsarchive_root') || '/_meta/sources.json', format = 'array',
                   hive_partitioning = false,
                   columns = {'id': 'VARCHAR', 'name': 'VARCHAR', 'priority': 'INTEGER',
                              'language': 'VARCHAR', 'base_url': 'VARCHAR'}) $$
ELSE $$
    SELECT NULL::VARCHAR AS source, NULL::VARCHAR AS name, NULL::INTEGER AS priority,
           NULL::VARCHAR AS language, NULL::VARCHAR AS base_url
    WHERE false $$ END);

---------------------------------------------------------------- the archive as of a snapshot date
CREATE OR REPLACE MACRO articles_asof(d) AS TABLE FROM articles WHERE dt <= CAST(d AS VARCHAR);
CREATE OR REPLACE MACRO sightings_asof(d) AS TABLE FROM sightings WHERE dt <= CAST(d AS VARCHAR);
CREATE OR REPLACE MACRO rejects_asof(d) AS TABLE FROM rejects WHERE dt <= CAST(d AS VARCHAR);

-- The current version of each article (an updated article has one row per content).
CREATE OR REPLACE MACRO articles_latest_asof(d) AS TABLE
FROM articles_asof(d)
QUALIFY row_number() OVER (PARTITION BY article_id ORDER BY fetched_at DESC, content_hash DESC) = 1;

-- One row per near-duplicate cluster. The canonical copy is the earliest published_at,
-- ties to the higher source priority (then earliest fetched_at, then URL).
CREATE OR REPLACE MACRO clusters_asof(d) AS TABLE
WITH a AS MATERIALIZED (
    SELECT a.cluster_id, a.content_hash, a.article_id, a.source, a.url, a.title, a.published_at,
           a.fetched_at, coalesce(s.priority, 50) AS priority
    FROM articles_asof(d) a LEFT JOIN sources s ON s.source = a.source),
contents AS (
    SELECT cluster_id, count(*) AS contents, min(published_at) AS first_published_at,
           max(published_at) AS last_published_at,
           arg_min({'content_hash': content_hash, 'article_id': article_id, 'source': source, 'url': url,
                    'title': title, 'published_at': published_at},
                   (coalesce(published_at, 'infinity'::TIMESTAMPTZ), -priority, fetched_at, url, content_hash))
               AS c
    FROM a GROUP BY cluster_id),
seen AS (
    SELECT a.cluster_id, count(*) AS sightings, count(DISTINCT s.source) AS n_sources,
           list_sort(list_distinct(list(s.source))) AS sources, count(DISTINCT s.url) AS urls,
           min(s.fetched_at) AS first_seen, max(s.fetched_at) AS last_seen
    FROM sightings_asof(d) s JOIN a ON a.content_hash = s.content_hash
    GROUP BY a.cluster_id)
SELECT n.cluster_id, n.contents, coalesce(s.sightings, 0) AS sightings, coalesce(s.n_sources, 0) AS n_sources,
       coalesce(s.sources, []) AS sources, coalesce(s.urls, 0) AS urls,
       n.c.title AS title, n.c.source AS canonical_source, n.c.url AS canonical_url,
       n.c.content_hash AS canonical_hash, n.c.article_id AS canonical_article_id,
       n.c.published_at AS canonical_published_at,
       n.first_published_at, n.last_published_at, s.first_seen, s.last_seen
FROM contents n LEFT JOIN seen s USING (cluster_id);

-- One row per distinct content: which sources and URLs carried it, how often it was seen.
CREATE OR REPLACE MACRO syndication_asof(d) AS TABLE
SELECT a.cluster_id, a.content_hash, a.article_id, a.title, a.source AS archived_by, a.published_at,
       count(*) AS sightings, count(DISTINCT s.source) AS n_sources,
       list_sort(list_distinct(list(s.source))) AS sources, list_sort(list_distinct(list(s.url))) AS urls,
       min(s.fetched_at) AS first_seen, max(s.fetched_at) AS last_seen
FROM articles_asof(d) a JOIN sightings_asof(d) s ON s.content_hash = a.content_hash
GROUP BY a.cluster_id, a.content_hash, a.article_id, a.title, a.source, a.published_at;

CREATE OR REPLACE VIEW articles_latest AS FROM articles_latest_asof('9999-12-31');
CREATE OR REPLACE VIEW clusters AS FROM clusters_asof('9999-12-31');
CREATE OR REPLACE VIEW syndication AS FROM syndication_asof('9999-12-31');
