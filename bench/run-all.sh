#!/usr/bin/env bash
# Every benchmark of issue 18, one after another (they must not share the two cores), each one's raw output
# saved under docs/benchmarks/<date>-<commit>/ for docs/benchmarks.md to quote. Takes several hours; pass the
# names of the ones to run to run fewer:
#   bench/run-all.sh [compare] [idle] [timers] [scale-work] [scale-priorities] [scale-backlog] [scale-churn] [http] [profile] [profile-latency]
# Needs PostgreSQL (a throwaway cluster is started from the local installation) and, for http, wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
commit=$(git rev-parse --short HEAD)
out="docs/benchmarks/$(date -u +%Y-%m-%d)-$commit"
mkdir -p "$out"
[ -z "$(git status --porcelain -- src bench)" ] || echo "note: src/ or bench/ has uncommitted changes; the folder is named after $commit" >&2
dotnet build -c Release bench/JobPlatform.Benchmarks -v q --nologo
run() { # name, then the program's arguments
  local name=$1; shift
  echo "== $name: dotnet run -c Release --project bench/JobPlatform.Benchmarks -- $* (to $out/$name.txt)"
  { echo "\$ dotnet run -c Release --project bench/JobPlatform.Benchmarks -- $*"; echo "# commit $commit, $(date -u +%FT%TZ)";
    dotnet run -c Release --no-build --project bench/JobPlatform.Benchmarks -- "$@" 2>&1; } | tee "$out/$name.txt"
}
all=(compare idle timers scale-work scale-priorities scale-backlog scale-churn http profile profile-latency)
for name in "${@:-${all[@]}}"; do
  case $name in
    compare) run compare compare ;;
    idle) run idle idle ;;
    timers) run timers timers ;;
    scale-*) run "$name" scale "${name#scale-}" ;;
    http) run http http ;;
    profile) run profile profile ;;
    profile-latency) run profile-latency profile --latency 1000 ;;
    *) echo "no benchmark '$name' (one of: ${all[*]})" >&2; exit 2 ;;
  esac
done
