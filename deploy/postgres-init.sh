#!/bin/sh
# postgres-init (docker-compose one-shot service): the archive's DuckLake catalog on the `postgres`
# service, as a database of its own with two roles. Idempotent: it runs at every `docker-compose up`,
# on a new data volume and on one an older recipe created alike, and re-applies names, passwords
# and grants from .env.
#
#   CATALOG_PIPELINE_USER  the pipeline (Airflow workers): owns the catalog database, so DuckLake can
#                          create its tables on first use; takes the catalog's writer lock (an
#                          advisory lock) – the only role besides superusers that may.
#   CATALOG_ANALYST_USER   analysts: CONNECT to the catalog database and SELECT on every table, now
#                          and later (default privileges of the pipeline role); nothing else, its
#                          sessions are read-only, and it cannot connect to Airflow's database.
#
# Connects as the server's superuser through libpq's variables (PGHOST, PGUSER, PGPASSWORD,
# PGDATABASE = Airflow's metadata database). Passwords reach psql through the environment
# (\getenv), never through its command line.
set -eu
: "${PGDATABASE:?postgres-init: PGDATABASE (Airflow's metadata database) is not set}"
: "${CATALOG_DB:?postgres-init: CATALOG_DB is not set}"
: "${CATALOG_PIPELINE_USER:?postgres-init: CATALOG_PIPELINE_USER is not set}"
: "${CATALOG_PIPELINE_PASSWORD:?postgres-init: CATALOG_PIPELINE_PASSWORD is not set}"
: "${CATALOG_ANALYST_USER:?postgres-init: CATALOG_ANALYST_USER is not set}"
: "${CATALOG_ANALYST_PASSWORD:?postgres-init: CATALOG_ANALYST_PASSWORD is not set}"
export CATALOG_DB CATALOG_PIPELINE_USER CATALOG_PIPELINE_PASSWORD CATALOG_ANALYST_USER CATALOG_ANALYST_PASSWORD

psql --no-psqlrc --quiet --set ON_ERROR_STOP=1 <<'SQL'
\getenv catalog_db CATALOG_DB
\getenv pipeline_role CATALOG_PIPELINE_USER
\getenv pipeline_password CATALOG_PIPELINE_PASSWORD
\getenv analyst_role CATALOG_ANALYST_USER
\getenv analyst_password CATALOG_ANALYST_PASSWORD
SELECT current_database() AS metadata_db, current_user AS admin_role \gset

-- Never demote the administrator or another superuser, nor give both jobs to one role.
SELECT (:'pipeline_role' = :'analyst_role'
        OR :'pipeline_role' = :'admin_role' OR :'analyst_role' = :'admin_role'
        OR :'catalog_db' = :'metadata_db'
        OR EXISTS (SELECT FROM pg_roles WHERE rolname IN (:'pipeline_role', :'analyst_role') AND rolsuper))
       AS refused \gset
\if :refused
DO $$ BEGIN RAISE EXCEPTION 'postgres-init: CATALOG_PIPELINE_USER and CATALOG_ANALYST_USER must be two different '
  'roles that are not superusers nor POSTGRES_USER, and CATALOG_DB another database than POSTGRES_DB'; END $$;
\endif

-- The roles: created once; attributes and passwords (from .env) set at every start.
SELECT format('CREATE ROLE %I', :'pipeline_role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'pipeline_role') \gexec
SELECT format('CREATE ROLE %I', :'analyst_role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'analyst_role') \gexec
ALTER ROLE :"pipeline_role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'pipeline_password';
ALTER ROLE :"analyst_role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'analyst_password';

-- The catalog database, owned by the pipeline role (so its public schema is the pipeline's too:
-- pg_database_owner owns it since PostgreSQL 15). Only the two roles may connect.
SELECT format('CREATE DATABASE %I OWNER %I', :'catalog_db', :'pipeline_role')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'catalog_db') \gexec
ALTER DATABASE :"catalog_db" OWNER TO :"pipeline_role";
REVOKE ALL ON DATABASE :"catalog_db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"catalog_db" TO :"analyst_role";
ALTER ROLE :"analyst_role" IN DATABASE :"catalog_db" SET default_transaction_read_only = on;
-- Neither role has any business in Airflow's metadata database.
REVOKE CONNECT, TEMPORARY ON DATABASE :"metadata_db" FROM PUBLIC;

\connect :"catalog_db"
ALTER SCHEMA public OWNER TO :"pipeline_role";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"analyst_role";
-- Read-only for analysts: every table there is, and every table or schema the pipeline makes later.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO :"analyst_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"pipeline_role" GRANT SELECT ON TABLES TO :"analyst_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"pipeline_role" GRANT USAGE ON SCHEMAS TO :"analyst_role";
-- The writer lock is an advisory lock in this database (newsarchive/lake/lock.py): only the
-- pipeline may take one, so no other session can hold the writer off.
SELECT format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', p.oid::regprocedure),
       format('GRANT EXECUTE ON FUNCTION %s TO %I', p.oid::regprocedure, :'pipeline_role')
  FROM pg_proc p
 WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname ~ '^pg_(try_)?advisory_' \gexec
SQL
echo "postgres-init: catalog database ${CATALOG_DB}: owner ${CATALOG_PIPELINE_USER}, read-only ${CATALOG_ANALYST_USER}"
