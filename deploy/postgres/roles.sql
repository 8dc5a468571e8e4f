-- The database role the api and the workers use, with only the rights they need (run as the server's admin,
-- in the jobs database, with psql variables app_user and app_password):
--   * it may connect to this database, and nothing else on the server;
--   * it owns the schema "jobplatform", where the engine's migrations create and change its tables;
--   * no superuser, no CREATEDB, no CREATEROLE, no CREATE on the database or on the schema "public".
-- docker-compose.yml runs it through initdb/10-app-role.sh; elsewhere:
--   psql -d jobsdb -v app_user=jobplatform_app -v app_password=... -f deploy/postgres/app-role.sql
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION', :'app_user', :'app_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_user') \gexec

SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'app_user') \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

CREATE SCHEMA IF NOT EXISTS jobplatform;
SELECT format('ALTER SCHEMA jobplatform OWNER TO %I', :'app_user') \gexec
