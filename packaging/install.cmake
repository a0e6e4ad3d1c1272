# Install rules for the freedesktop integration: desktop entry, AppStream metainfo and the
# hicolor icon. They describe the GUI, so they are installed only once the GUI target
# (rangedb-workbench) exists; until then the package carries rangedb-cli alone.
include(GNUInstallDirs)

set(RANGEDB_APP_ID "io.github.rangedb_workbench.RangeDBWorkbench")
if(TARGET rangedb-workbench)
    install(FILES ${CMAKE_CURRENT_LIST_DIR}/${RANGEDB_APP_ID}.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
    install(FILES ${CMAKE_CURRENT_LIST_DIR}/${RANGEDB_APP_ID}.metainfo.xml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
    install(FILES
        ${PROJECT_SOURCE_DIR}/resources/icons/hicolor/scalable/apps/${RANGEDB_APP_ID}.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
else()
    message(STATUS "packaging: no rangedb-workbench target yet; "
                   "desktop entry, metainfo and icon are not installed")
endif()
