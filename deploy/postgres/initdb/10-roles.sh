#!/bin/sh
# Run once by the postgres image when its data volume is first created (docker-entrypoint-initdb.d), as the
# admin user POSTGRES_USER: creates the least-privilege role the api and workers connect as (see app-role.sql).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_user="$JOBPLATFORM_DB_USER" -v app_password="$JOBPLATFORM_DB_PASSWORD" \
  -f /jobplatform/app-role.sql
