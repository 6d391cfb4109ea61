-- newsarchive: pin the views of views.sql to the archive as it is now. Run it after views.sql:
--
--   .read newsarchive/sql/views.sql
--   .read newsarchive/sql/views_pinned.sql          -- Python: connect_views(store, pin=True)
--
-- views.sql is live: every query reads every committed manifest (_snapshots/*.json, _rollups/*/*.json)
-- and globs the daily folders, so it sees a publish that committed a moment ago. This file reads the
-- manifests once, here, and from then on the views read only the Parquet files committed at this moment,
-- listed up front: no manifest reads, no globs, no semi-join on file names. Use it for
--   * repeatable reads: every query of the session sees the same committed snapshot (a publish that
--     commits meanwhile is not seen, and its files are never half-seen either);
--   * cheaper queries, most of all on S3, where each manifest is a GET on every live query
--     (bench/README.md "Query" measures both).
-- Run this file again (or views.sql and this file) to move the pin to the newest commit. A rerun or a
-- compaction that deletes files the pin lists makes its queries fail with a file-not-found error; the
-- same fix applies.
--
-- What it pins: the snapshot manifests (so snapshots, snapshot_runs, committed_files) and table_files become
-- the rows they held when this ran (temporary tables of this connection), and articles, sightings and
-- rejects read the files table_files then marked `used`. Every other view reads these, so the whole set is
-- one snapshot.

SET VARIABLE newsarchive_pinned_at = now();

-- The snapshot manifests, read once: snapshots, snapshot_runs, committed_files and table_files read them
-- through the view newsarchive_manifests, which now reads this copy (a variable: a temporary table of
-- these nested rows takes several times longer to write).
SET VARIABLE newsarchive_pinned_manifests = (SELECT list(m) FROM newsarchive_manifests m);
CREATE OR REPLACE VIEW newsarchive_manifests AS
SELECT m.* FROM (SELECT unnest(coalesce(getvariable('newsarchive_pinned_manifests'), [])) AS m);
-- table_files also reads the rollup manifests: keep what it says now.
CREATE OR REPLACE TEMP TABLE newsarchive_pinned_table_files AS FROM table_files;
-- The columns (names, order, types) of each table view, without its rows: the pinned views keep them.
CREATE OR REPLACE TEMP TABLE newsarchive_pinned_empty_articles AS FROM articles LIMIT 0;
CREATE OR REPLACE TEMP TABLE newsarchive_pinned_empty_sightings AS FROM sightings LIMIT 0;
CREATE OR REPLACE TEMP TABLE newsarchive_pinned_empty_rejects AS FROM rejects LIMIT 0;

-- {table: {rollup: [uri, ...], daily: [uri, ...]}}: the files each table view reads.
SET VARIABLE newsarchive_pinned_files = (
    SELECT {'articles': {'rollup': coalesce(list(uri ORDER BY uri) FILTER (kind = 'articles' AND layer = 'rollup'), []),
                         'daily': coalesce(list(uri ORDER BY uri) FILTER (kind = 'articles' AND layer = 'daily'), [])},
            'sightings': {'rollup': coalesce(list(uri ORDER BY uri) FILTER (kind = 'sightings' AND layer = 'rollup'), []),
                          'daily': coalesce(list(uri ORDER BY uri) FILTER (kind = 'sightings' AND layer = 'daily'), [])},
            'rejects': {'rollup': coalesce(list(uri ORDER BY uri) FILTER (kind = 'rejects' AND layer = 'rollup'), []),
                        'daily': coalesce(list(uri ORDER BY uri) FILTER (kind = 'rejects' AND layer = 'daily'), [])}}
    FROM newsarchive_pinned_table_files WHERE used);

-- The rows of table t from its pinned files: rollup files carry `dt` as a column, daily files get `dt`
-- (and `source`) from their hive folders; key=value folders of the root itself are no columns. Both
-- are unioned by name onto the empty table, so the columns are those of the live view.
CREATE OR REPLACE MACRO newsarchive_pinned_rows(t) AS TABLE
FROM query(
    'FROM newsarchive_pinned_empty_' || t
    || CASE WHEN len(struct_extract(struct_extract(getvariable('newsarchive_pinned_files'), t), 'rollup')) > 0
            THEN ' UNION ALL BY NAME FROM read_parquet(struct_extract(struct_extract('
                 || 'getvariable(''newsarchive_pinned_files''), ''' || t || '''), ''rollup''), hive_partitioning = false)'
            ELSE '' END
    || CASE WHEN len(struct_extract(struct_extract(getvariable('newsarchive_pinned_files'), t), 'daily')) > 0
            THEN ' UNION ALL BY NAME SELECT COLUMNS(lambda c: NOT list_contains(getvariable(''newsarchive_root_keys''), c))'
                 || ' FROM read_parquet(struct_extract(struct_extract(getvariable(''newsarchive_pinned_files''), '''
                 || t || '''), ''daily''), hive_partitioning = true, hive_types_autocast = false)'
            ELSE '' END);

CREATE OR REPLACE VIEW table_files AS FROM newsarchive_pinned_table_files;
CREATE OR REPLACE VIEW articles AS FROM newsarchive_pinned_rows('articles');
CREATE OR REPLACE VIEW sightings AS FROM newsarchive_pinned_rows('sightings');
CREATE OR REPLACE VIEW rejects AS FROM newsarchive_pinned_rows('rejects');
