#!/usr/bin/env bash
# README "Run": builds the workbench (release preset) and opens its window on the embedded
# default database, ~/.local/share/rangedb-workbench/default-db (AppDataLocation). On a first
# run the database is created empty and the window offers to fill it with sample events.
#   packaging/run.sh                       # the window on the default database
#   packaging/run.sh --read-only DIR       # any rangedb-workbench arguments
#   packaging/run.sh --cli info            # rangedb-cli instead, with its arguments
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${RANGEDB_JOBS:-$(nproc)}

target=rangedb-workbench exe=build/release/app/workbench/rangedb-workbench
if [[ ${1:-} == --cli ]]; then
    shift
    target=rangedb-cli exe=build/release/app/cli/rangedb-cli
fi

cmake --preset release >/dev/null
# Quiet when the build succeeds; the whole log when it does not.
if ! log=$(cmake --build --preset release --parallel "$jobs" --target "$target" 2>&1); then
    printf '%s\n' "$log" >&2
    echo "run.sh: building $target failed" >&2
    exit 1
fi
exec "$exe" "$@"
