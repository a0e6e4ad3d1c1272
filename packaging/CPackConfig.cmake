# Packaging: install rules for the desktop integration files and CPack settings for a .deb.
# Included (OPTIONAL) at the end of the top CMakeLists.txt, after every target exists.
#   cmake --preset release && cmake --build --preset release
#   cd build/release && cpack -G DEB        # -> rangedb-workbench_<version>_<arch>.deb
include(${CMAKE_CURRENT_LIST_DIR}/install.cmake)

set(CPACK_PACKAGE_NAME "rangedb-workbench")
set(CPACK_PACKAGE_VENDOR "RangeDB Workbench developers")
set(CPACK_PACKAGE_CONTACT "RangeDB Workbench developers <rangedb-workbench@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "RangeDB Workbench opens the LevelDB event stores written by rangedb v0.12.0 (JSON and "
    "msgpack encodings), browses their aggregate types, streams and events, and imports and "
    "exports events as JSON, NDJSON and msgpack. rangedb-cli does the same from a shell.")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "database")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Depends come from the binaries' shared libraries (dpkg-shlibdeps, in dpkg-dev): Qt 6,
# LevelDB, snappy and the C++ runtime, at the versions this Debian release has.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)

set(CPACK_GENERATOR "DEB")
set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/build/;/\\\\.git/;/out/;CMakeUserPresets\\\\.json")

include(CPack)
