#!/usr/bin/env bash
# THE test command (README "Test", and what .ci/run runs): configures, builds and runs every
# test of the asan preset (ASan + UBSan, Debug). Installs nothing: run
# packaging/install-deps.sh once first. Incremental: a second run only rebuilds what changed.
#   packaging/test.sh                  # all tests
#   packaging/test.sh -R Interop       # extra arguments go to ctest
# RANGEDB_JOBS sets build and test parallelism (default: the number of cores).
# A run with zero tests fails (noTestsAction=error in the test preset).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${RANGEDB_JOBS:-$(nproc)}

cmake --preset asan >/dev/null
cmake --build --preset asan --parallel "$jobs"
ctest --preset asan --parallel "$jobs" --no-tests=error "$@"
