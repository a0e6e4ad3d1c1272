#!/usr/bin/env bash
# README "Run": builds rangedb-cli (release preset) and runs it on the embedded default
# database, ~/.local/share/rangedb-workbench/default-db (QStandardPaths::AppDataLocation).
# Read commands never create a database, so on the first run this generates 1,000 sample
# events into it (`rangedb-cli generate --events 1000`, a write command, creates it).
#   packaging/run.sh                  # rangedb-cli info
#   packaging/run.sh streams          # any other rangedb-cli command and its options
# Until the GUI exists, "the program" is rangedb-cli.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${RANGEDB_JOBS:-$(nproc)}

cmake --preset release >/dev/null
# Quiet when the build succeeds; the whole log when it does not.
if ! log=$(cmake --build --preset release --parallel "$jobs" --target rangedb-cli 2>&1); then
    printf '%s\n' "$log" >&2
    echo "run.sh: building rangedb-cli failed" >&2
    exit 1
fi
cli=build/release/app/cli/rangedb-cli

db=${XDG_DATA_HOME:-$HOME/.local/share}/rangedb-workbench/default-db
if [[ ! -f $db/CURRENT ]]; then
    echo "run.sh: no default database at $db yet: generating 1,000 sample events" >&2
    "$cli" generate --events 1000 >/dev/null
fi
(($# > 0)) || set -- info
exec "$cli" "$@"
