#!/usr/bin/env bash
# Installs, from Debian 12's own archive, exactly the packages that building, testing,
# fuzzing and packaging RangeDB Workbench need. Idempotent: when everything is already
# installed it asks dpkg only, touches no network and prints nothing.
# Works as root; otherwise uses sudo when it exists.
set -euo pipefail

packages=(
    # toolchain
    cmake ninja-build g++
    # fuzz preset: clang with the libFuzzer/ASan/UBSan runtimes (clang 14 is Debian 12's)
    clang libclang-rt-14-dev
    # libraries: Qt 6 base (Core, Gui, Widgets, Test), LevelDB (its CMake target links
    # -lsnappy, and rangedb-written databases are snappy-compressed), msgpack-c, RapidJSON
    qt6-base-dev libgl-dev libleveldb-dev libsnappy-dev libmsgpack-cxx-dev rapidjson-dev
    # Qt modules that the server, chart and icon features use
    qt6-httpserver-dev qt6-websockets-dev qt6-charts-dev qt6-svg-dev
    # GUI tests under a virtual X server
    xvfb xauth
    # `cpack -G DEB` resolves Depends with dpkg-shlibdeps (dpkg-dev, file);
    # CI validates the desktop entry and the AppStream metainfo
    dpkg-dev file desktop-file-utils appstream
)

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [[ $status == installed ]] || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

if ((EUID == 0)); then
    as_root=()
elif command -v sudo >/dev/null; then
    as_root=(sudo)
else
    echo "install-deps.sh: need root or sudo to install: ${missing[*]}" >&2
    exit 1
fi

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps.sh: done"
