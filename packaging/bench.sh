#!/usr/bin/env bash
# README "Benchmarks": configures and builds the release preset's benchmarks (every
# executable tests/bench defines, named bench_*), then runs each and prints its output.
# Extra arguments are passed to every benchmark. Takes minutes; CI does not run it.
#   packaging/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${RANGEDB_JOBS:-$(nproc)}
dir=build/release

cmake --preset release >/dev/null
mapfile -t benches < <(ninja -C "$dir" -t targets all \
    | sed -n 's#^\(tests/bench/bench_[^/:]*\): CXX_EXECUTABLE_LINKER.*#\1#p' | sort -u)
if ((${#benches[@]} == 0)); then
    echo "bench.sh: tests/bench defines no bench_* executable yet" >&2
    exit 1
fi
cmake --build --preset release --parallel "$jobs" --target "${benches[@]##*/}"

status=0
for exe in "${benches[@]}"; do
    echo "==== $(basename "$exe")"
    "$dir/$exe" "$@" || { echo "bench.sh: $(basename "$exe") FAILED" >&2; status=1; }
done
exit $status
