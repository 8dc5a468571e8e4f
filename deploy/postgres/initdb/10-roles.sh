#!/bin/sh
# Run once by the postgres image when its data volume is first created (docker-entrypoint-initdb.d), as the
# admin user POSTGRES_USER: creates the migration role and the least-privilege runtime role (see roles.sql).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v migrator_user="$JOBPLATFORM_MIGRATOR_USER" -v migrator_password="$JOBPLATFORM_MIGRATOR_PASSWORD" \
  -v app_user="$JOBPLATFORM_DB_USER" -v app_password="$JOBPLATFORM_DB_PASSWORD" \
  -f /jobplatform/roles.sql
