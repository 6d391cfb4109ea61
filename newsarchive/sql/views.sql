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
-- Views:  sources, batches, conservation, articles_latest, clusters (= stories), copies, article_versions,
--         syndication, quality_history.
-- Macros: the archive as it stood at a commit time t (DuckLake time travel, within the snapshot retention):
--         articles_asof(t), sightings_asof(t), rejects_asof(t), articles_latest_asof(t), clusters_asof(t),
--         copies_asof(t), article_versions_asof(t), syndication_asof(t).
--         t is a TIMESTAMPTZ or text ('2026-11-30 12:00:00+00'); NULL = now.
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

-- Nothing fetched is lost (pipelines/archive/conservation.py): per source and crawl date, every article page the
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

-- Every copy of every story: each sighting with its own metadata (title, authors, time, the outlet it
-- credits, section) and the story (cluster) its content belongs to.
CREATE OR REPLACE MACRO copies_asof(t) AS TABLE
SELECT a.cluster_id, s.content_hash, s.article_id, s.url, s.source, s.title, s.authors, s.published_at,
       s.syndicated_from, s.syndicated_from_source, s.section, s.fetched_at, s.is_new, s.dt, s.run_id
FROM sightings_asof(t) s JOIN articles_asof(t) a ON a.content_hash = s.content_hash;

-- One row per story (near-duplicate cluster), presented through its canonical copy, whatever the crawl
-- order: the story's origin is the outlet its copies credit most (syndicated_from_source; ties to the
-- higher priority), else the source of its first copy by the rule below; the canonical copy is the
-- origin's own copy when the archive has it, then the copy of the higher-priority source, then the
-- earliest published, then the earliest fetched (then URL). An aggregator's copy stays canonical until
-- the original arrives. cluster_id never changes once assigned.
CREATE OR REPLACE MACRO clusters_asof(t) AS TABLE
WITH c AS MATERIALIZED (
    SELECT c.*, coalesce(p.priority, 50) AS priority
    FROM copies_asof(t) c LEFT JOIN pipeline.sources p ON p.source = c.source),
credited AS (
    SELECT cluster_id, c.syndicated_from_source AS origin, count(*) AS n,
           max(coalesce(p.priority, 50)) AS priority
    FROM c LEFT JOIN pipeline.sources p ON p.source = c.syndicated_from_source
    WHERE c.syndicated_from_source IS NOT NULL
    GROUP BY ALL),
stated AS (
    SELECT cluster_id, arg_max(origin, (n, priority, origin)) AS origin FROM credited GROUP BY cluster_id),
named AS (                                      -- an outlet we do not crawl: its name, no id
    SELECT cluster_id, mode(syndicated_from) AS origin_name FROM c
    WHERE syndicated_from IS NOT NULL GROUP BY cluster_id),
pick AS (
    SELECT c.cluster_id,
           arg_min({'content_hash': c.content_hash, 'article_id': c.article_id, 'source': c.source, 'url': c.url,
                    'title': c.title, 'published_at': c.published_at, 'authors': c.authors},
                   (c.source IS DISTINCT FROM st.origin, -c.priority,
                    coalesce(c.published_at, 'infinity'::TIMESTAMPTZ), c.fetched_at, c.url)) AS c,
           any_value(st.origin) AS stated_origin
    FROM c LEFT JOIN stated st USING (cluster_id) GROUP BY c.cluster_id),
contents AS (
    SELECT cluster_id, count(*) AS contents, min(published_at) AS first_published_at,
           max(published_at) AS last_published_at
    FROM articles_asof(t) GROUP BY cluster_id),
seen AS (
    SELECT cluster_id, count(*) AS sightings, count(DISTINCT source) AS n_sources,
           list_sort(list_distinct(list(source))) AS sources, count(DISTINCT url) AS urls,
           min(fetched_at) AS first_seen, max(fetched_at) AS last_seen
    FROM c GROUP BY cluster_id)
SELECT n.cluster_id, n.contents, coalesce(s.sightings, 0) AS sightings, coalesce(s.n_sources, 0) AS n_sources,
       coalesce(s.sources, []) AS sources, coalesce(s.urls, 0) AS urls,
       p.c.title AS title, p.c.source AS canonical_source, p.c.url AS canonical_url,
       p.c.content_hash AS canonical_hash, p.c.article_id AS canonical_article_id,
       p.c.published_at AS canonical_published_at, p.c.authors AS canonical_authors,
       coalesce(p.stated_origin, p.c.source) AS origin_source,
       coalesce(nm.origin_name, src.name, p.c.source) AS origin_name,
       n.first_published_at, n.last_published_at, s.first_seen, s.last_seen
FROM contents n LEFT JOIN pick p USING (cluster_id) LEFT JOIN seen s USING (cluster_id)
     LEFT JOIN named nm USING (cluster_id) LEFT JOIN pipeline.sources src ON src.source = p.c.source;

-- Each article's versions (an updated page is new content under the same article_id), oldest first,
-- with what changed from the version before: the title, the text's length, and lines added and removed.
CREATE OR REPLACE MACRO article_versions_asof(t) AS TABLE
WITH v AS (
    SELECT article_id, content_hash, url, source, title, char_count, fetched_at, published_at, modified_at, text,
           row_number() OVER (PARTITION BY article_id ORDER BY fetched_at, content_hash) AS version,
           count(*) OVER (PARTITION BY article_id) AS versions,
           lag(title) OVER (PARTITION BY article_id ORDER BY fetched_at, content_hash) AS prev_title,
           lag(char_count) OVER (PARTITION BY article_id ORDER BY fetched_at, content_hash) AS prev_chars,
           lag(text) OVER (PARTITION BY article_id ORDER BY fetched_at, content_hash) AS prev_text
    FROM articles_asof(t))
SELECT article_id, version, versions, content_hash, url, source, title, fetched_at, published_at, modified_at,
       char_count, char_count - prev_chars AS chars_changed,
       prev_title IS NOT NULL AND title IS DISTINCT FROM prev_title AS title_changed,
       CASE WHEN prev_text IS NULL THEN NULL ELSE
           len(list_filter(string_split(text, chr(10)), x -> NOT list_contains(string_split(prev_text, chr(10)), x)))
       END AS lines_added,
       CASE WHEN prev_text IS NULL THEN NULL ELSE
           len(list_filter(string_split(prev_text, chr(10)), x -> NOT list_contains(string_split(text, chr(10)), x)))
       END AS lines_removed
FROM v;

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
CREATE OR REPLACE VIEW stories AS FROM clusters_asof(NULL);
CREATE OR REPLACE VIEW copies AS FROM copies_asof(NULL);
CREATE OR REPLACE VIEW article_versions AS FROM article_versions_asof(NULL);
CREATE OR REPLACE VIEW syndication AS FROM syndication_asof(NULL);
