#!/bin/sh
# Run by docker compose before anything else starts (service "preflight"; every other service waits for it to
# succeed). It refuses a stack published beyond loopback with a default or short secret, and it provides the
# api's admin key: JOBPLATFORM_API_KEY if set, else one generated on the first start and kept in a volume.
set -eu

secrets="${JOBPLATFORM_SECRETS_DIR:-/run/jobplatform}"
publish="${JOBPLATFORM_PUBLISH_ADDRESS:-127.0.0.1}"
problems=""

# A secret that is set must be long; published beyond loopback it must also not be the default of .env.example.
check() { # name value default minimum
  if [ "$public" = yes ] && [ -n "$3" ] && [ "$2" = "$3" ]; then
    problems="$problems
  - $1 is the default '$3' of .env.example, which anyone can read."
  elif [ -n "$2" ] && [ "${#2}" -lt "$4" ]; then
    problems="$problems
  - $1 is ${#2} characters long; use at least $4."
  fi
}

case "$publish" in
  127.*|localhost|::1|"[::1]") public=no ;;
  *) public=yes ;;
esac

check JOBPLATFORM_API_KEY "${JOBPLATFORM_API_KEY:-}" "" 32
if [ "$public" = yes ]; then
  check POSTGRES_PASSWORD "${POSTGRES_PASSWORD:-}" jobplatform 16
  check JOBPLATFORM_MIGRATOR_PASSWORD "${JOBPLATFORM_MIGRATOR_PASSWORD:-}" jobplatform_migrator 16
  check JOBPLATFORM_DB_PASSWORD "${JOBPLATFORM_DB_PASSWORD:-}" jobplatform_app 16
  check GRAFANA_ADMIN_PASSWORD "${GRAFANA_ADMIN_PASSWORD:-}" admin 16
fi

if [ -n "$problems" ]; then
  if [ "$public" = yes ]; then where="The ports are published on $publish (JOBPLATFORM_PUBLISH_ADDRESS), which other machines can reach, and:"
  else where="The settings are not usable:"; fi
  cat >&2 <<MESSAGE
JobPlatform will not start. $where$problems
Fix: set each in the .env file beside docker-compose.yml (see .env.example) to a long random value, for
example the output of: openssl rand -hex 24
Or publish on this machine only: remove JOBPLATFORM_PUBLISH_ADDRESS (the default is 127.0.0.1).
MESSAGE
  exit 1
fi

mkdir -p "$secrets"
if [ -n "${JOBPLATFORM_API_KEY:-}" ]; then
  printf '%s' "$JOBPLATFORM_API_KEY" > "$secrets/api-key"
  echo "JobPlatform: the api's admin key is JOBPLATFORM_API_KEY."
else
  if [ ! -s "$secrets/api-key" ] || [ -f "$secrets/api-key.given" ]; then
    # 40 random letters and digits, made once; a key given before and then unset is replaced.
    LC_ALL=C tr -dc 'A-Za-z0-9' < /dev/urandom | head -c 40 > "$secrets/api-key"
  fi
  echo "JobPlatform: the api's admin key (generated once, kept in the volume of $secrets): $(cat "$secrets/api-key")"
fi
if [ -n "${JOBPLATFORM_API_KEY:-}" ]; then touch "$secrets/api-key.given"; else rm -f "$secrets/api-key.given"; fi
chmod 0444 "$secrets/api-key"
echo "JobPlatform: published on $publish."
