# SPDX-License-Identifier: MPL-2.0
# The Debian package: `cpack -G DEB` in a build configured with
# -DCMAKE_INSTALL_PREFIX=/usr (so that the programs' default configuration
# is /etc/sein/sein.cfg; tests/test_deb.sh builds one so). Its dependencies
# come from dpkg-shlibdeps (dpkg-dev); the configuration and data files in
# /etc/sein are conffiles, which dpkg never overwrites once edited; the
# maintainer scripts in systemd/debian create the user sein and reload
# systemd.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sein)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "sein")
set(CPACK_PACKAGE_CONTACT "sein maintainers <sein@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "signal router for area-based neighbourhood work (ZeroMQ, SQLite)")
set(CPACK_PACKAGE_DESCRIPTION
    "seind receives neighbourhood signals over ZeroMQ, classifies them by area and theme, stores them in SQLite, routes them to teams and streams them to their dashboards; sein-submit, sein-watch and seinctl are its clients, libsein their library.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# shlibs for libsein.so.0 (and systemd/debian/triggers runs ldconfig).
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
# useradd (passwd) and runuser (util-linux) are essential; systemd-sysusers
# is used when systemd is there.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
set(SEIN_DEBIAN_CONTROL ${PROJECT_SOURCE_DIR}/systemd/debian)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${SEIN_DEBIAN_CONTROL}/conffiles ${SEIN_DEBIAN_CONTROL}/postinst
    ${SEIN_DEBIAN_CONTROL}/prerm ${SEIN_DEBIAN_CONTROL}/postrm
    ${SEIN_DEBIAN_CONTROL}/triggers)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
# Only what `cmake --install` installs, nothing of the build tree.
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};${PROJECT_NAME};ALL;/")
include(CPack)
