-- newsarchive: the derived views and macros of the archive, stored in its DuckLake catalog.
--
-- The pipeline (newsarchive.lake.ddl.ensure) runs this file inside the catalog whenever it changes, so
-- every reader that attaches the catalog gets the same views, defined once:
--
--   ATTACH 'ducklake:sqlite:/path/to/data/catalog.sqlite' AS archive (READ_ONLY);   -- or ducklake:postgres:...
--   USE archive;
--   FROM clusters LIMIT 10;
--
-- Tables (DATA_FORMAT.md): articles, sightings, rejects; the pipeline's own in schema `pipeline`.
-- Views:  sources, batches, articles_latest, clusters, syndication, quality_history.
-- Macros: the archive as it stood at a commit time t (DuckLake time travel, within the snapshot retention):
--         articles_asof(t), sightings_asof(t), rejects_asof(t), articles_latest_asof(t), clusters_asof(t),
--         syndication_asof(t). t is a TIMESTAMPTZ or text ('2026-11-30 12:00:00+00'); NULL = now.
-- Macros read their tables by name, so `USE archive` (as above) must be in effect.

-- ' AT (TIMESTAMP => <t>)' for time travel to t, or nothing for the current snapshot.
CREATE OR REPLACE MACRO newsarchive_at(t) AS
    CASE WHEN t IS NULL THEN ''
         ELSE ' AT (TIMESTAMP => CAST(''' || replace(CAST(t AS VARCHAR), '''', '''''') || ''' AS TIMESTAMPTZ))' END;

CREATE OR REPLACE MACRO articles_asof(t) AS TABLE FROM query('FROM articles' || newsarchive_at(t));
CREATE OR REPLACE MACRO sightings_asof(t) AS TABLE FROM query('FROM sightings' || newsarchive_at(t));
CREATE OR REPLACE MACRO rejects_asof(t) AS TABLE FROM query('FROM rejects' || newsarchive_at(t));

-- Configured sources: id, display name, priority (higher wins ties for the canonical copy).
CREATE OR REPLACE VIEW sources AS
SELECT source, name, priority, language, base_url FROM pipeline.sources;

-- One row per publish batch: its snapshot (the batch id is the snapshot's commit message), when it
-- committed, what it archived. articles_asof(committed_at) is the archive right after it.
CREATE OR REPLACE VIEW batches AS
SELECT b.batch, b.dt, b.run_id, s.snapshot_id, s.snapshot_time AS committed_at, b.segments, b.staged,
       b.articles, b.sightings, b.rejects, b.exact_duplicates, b.near_duplicates
FROM pipeline.batches b LEFT JOIN ducklake_snapshots(current_database()) s ON s.commit_message = b.batch;

-- Nothing fetched is lost (pipelines/conservation.py): per source and crawl date, every article page the
-- crawl archived with a 2xx status is a sighting, a page reject, or pending (its raw segment not published
-- yet): fetched = archived + rejected + pending, unaccounted = 0.
CREATE OR REPLACE VIEW conservation AS
WITH arch AS (SELECT segment, count(*) AS n FROM sightings GROUP BY segment),
rej AS (SELECT segment, count(*) AS n FROM rejects
        WHERE stage IN ('decode', 'extract', 'publish') OR reason = 'raw_unreadable' GROUP BY segment),
seg AS (
    SELECT s.source, s.dt, s.state, s.article_pages, s.committed_at,
           CASE WHEN s.state = 'published' THEN coalesce(a.n, 0) ELSE 0 END AS archived,
           CASE WHEN s.state = 'published' THEN coalesce(r.n, 0) ELSE 0 END AS rejected
    FROM pipeline.segments s LEFT JOIN arch a USING (segment) LEFT JOIN rej r USING (segment))
SELECT source, dt, count(*) AS segments, sum(article_pages) AS fetched, sum(archived) AS archived,
       sum(rejected) AS rejected, coalesce(sum(article_pages) FILTER (WHERE state <> 'published'), 0) AS pending,
       sum(article_pages) - sum(archived) - sum(rejected)
           - coalesce(sum(article_pages) FILTER (WHERE state <> 'published'), 0) AS unaccounted,
       count(*) FILTER (WHERE state <> 'published') AS pending_segments,
       min(committed_at) FILTER (WHERE state <> 'published') AS oldest_pending
FROM seg GROUP BY source, dt ORDER BY source, dt;

-- The current version of each article (an updated article has one row per content).
CREATE OR REPLACE MACRO articles_latest_asof(t) AS TABLE
FROM articles_asof(t)
QUALIFY row_number() OVER (PARTITION BY article_id ORDER BY fetched_at DESC, content_hash DESC) = 1;

-- One row per near-duplicate cluster. The canonical copy is the earliest published_at,
-- ties to the higher source priority (then earliest fetched_at, then URL).
CREATE OR REPLACE MACRO clusters_asof(t) AS TABLE
WITH a AS MATERIALIZED (
    SELECT a.cluster_id, a.content_hash, a.article_id, a.source, a.url, a.title, a.published_at,
           a.fetched_at, coalesce(s.priority, 50) AS priority
    FROM articles_asof(t) a LEFT JOIN pipeline.sources s ON s.source = a.source),
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
    FROM sightings_asof(t) s JOIN a ON a.content_hash = s.content_hash
    GROUP BY a.cluster_id)
SELECT n.cluster_id, n.contents, coalesce(s.sightings, 0) AS sightings, coalesce(s.n_sources, 0) AS n_sources,
       coalesce(s.sources, []) AS sources, coalesce(s.urls, 0) AS urls,
       n.c.title AS title, n.c.source AS canonical_source, n.c.url AS canonical_url,
       n.c.content_hash AS canonical_hash, n.c.article_id AS canonical_article_id,
       n.c.published_at AS canonical_published_at,
       n.first_published_at, n.last_published_at, s.first_seen, s.last_seen
FROM contents n LEFT JOIN seen s USING (cluster_id);

-- One row per distinct content: which sources and URLs carried it, how often it was seen.
CREATE OR REPLACE MACRO syndication_asof(t) AS TABLE
SELECT a.cluster_id, a.content_hash, a.article_id, a.title, a.source AS archived_by, a.published_at,
       count(*) AS sightings, count(DISTINCT s.source) AS n_sources,
       list_sort(list_distinct(list(s.source))) AS sources, list_sort(list_distinct(list(s.url))) AS urls,
       min(s.fetched_at) AS first_seen, max(s.fetched_at) AS last_seen
FROM articles_asof(t) a JOIN sightings_asof(t) s ON s.content_hash = a.content_hash
GROUP BY a.cluster_id, a.content_hash, a.article_id, a.title, a.source, a.published_at;

-- Every quality check of a source's crawl run, every try (a cleared Airflow task adds a row); `latest`
-- marks the newest try of each (dt, source, run_id), the one that counts.
CREATE OR REPLACE VIEW quality_history AS
SELECT q.*, row_number() OVER (PARTITION BY q.dt, q.source, q.run_id ORDER BY q.checked_at DESC) = 1 AS latest
FROM pipeline.quality q;

CREATE OR REPLACE VIEW articles_latest AS FROM articles_latest_asof(NULL);
CREATE OR REPLACE VIEW clusters AS FROM clusters_asof(NULL);
CREATE OR REPLACE VIEW syndication AS FROM syndication_asof(NULL);
