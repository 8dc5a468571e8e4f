-- The database roles of a deployment that splits schema changes from running (run as the server's admin, in the
-- jobs database, with psql variables migrator_user, migrator_password, app_user and app_password):
--   * the migration role owns the schema "jobplatform": it creates and changes the engine's tables (DDL), and runs
--     only for that, before the api and workers start (dotnet JobPlatform.Api.dll migrate);
--   * the runtime role, the api's and the workers', reads and writes rows there (DML) and changes no table;
--   * both may connect to this database and to no other on the server: postgres and template1 are closed to
--     everyone but superusers;
--   * neither is a superuser, nor may create databases or roles, nor create anything in the schema "public".
-- docker-compose.yml runs it through initdb/10-roles.sh; elsewhere:
--   psql -d jobsdb -v migrator_user=jobplatform_migrator -v migrator_password=... \
--        -v app_user=jobplatform_app -v app_password=... -f deploy/postgres/roles.sql
-- Upgrading a database set up by the earlier single-role script (its app role owns the tables): run this once,
-- then, as the admin: REASSIGN OWNED BY jobplatform_app TO jobplatform_migrator; and run this again.
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION', :'migrator_user', :'migrator_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'migrator_user') \gexec
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION', :'app_user', :'app_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_user') \gexec

-- This database only. PUBLIC (every role) may connect to any database unless revoked, postgres and template1 too.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I, %I', current_database(), :'migrator_user', :'app_user') \gexec
REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC;
REVOKE CONNECT, TEMPORARY ON DATABASE template1 FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

CREATE SCHEMA IF NOT EXISTS jobplatform;
SELECT format('ALTER SCHEMA jobplatform OWNER TO %I', :'migrator_user') \gexec
SELECT format('GRANT USAGE ON SCHEMA jobplatform TO %I', :'app_user') \gexec
-- Rows, not tables: what the migration role creates from now on...
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA jobplatform GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', :'migrator_user', :'app_user') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA jobplatform GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', :'migrator_user', :'app_user') \gexec
-- ...and what is there already.
SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA jobplatform TO %I', :'app_user') \gexec
SELECT format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA jobplatform TO %I', :'app_user') \gexec
