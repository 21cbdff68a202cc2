# SPDX-License-Identifier: MPL-2.0
# Installs what depends on the install prefix itself, at install time, so
# that `cmake --install build --prefix /usr` (and CPack, which installs
# with prefix /usr) gets the same paths as a build configured for /usr:
# the configuration directory, with its data files, sein.cfg.dist and a
# sein.cfg only where there is none (an edited one is never overwritten);
# the unit, configured here from systemd/seind.service.in with this
# prefix's programs; and the sysusers.d entry. CMakeLists.txt sets
# SEIN_SOURCE_DIR, SEIN_BINARY_DIR and SEIN_BIN (the relative bindir).
# file(INSTALL) puts $DESTDIR in front by itself.

# GNUInstallDirs' rule for the full SYSCONFDIR, here at install time.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(sysconfdir "/etc")
elseif(CMAKE_INSTALL_PREFIX MATCHES "^/opt/")
  set(sysconfdir "/etc${CMAKE_INSTALL_PREFIX}")
else()
  set(sysconfdir "${CMAKE_INSTALL_PREFIX}/etc")
endif()
set(SEIN_CONFIG_DIR "${sysconfdir}/sein")
set(SEIN_CONFIG_FILE "${SEIN_CONFIG_DIR}/sein.cfg")
set(SEIN_BINDIR "${CMAKE_INSTALL_PREFIX}/${SEIN_BIN}")
set(SEIN_STATE_DIR "/var/lib/sein") # StateDirectory=sein, whatever the prefix

set(conf "${SEIN_SOURCE_DIR}/conf")
file(INSTALL "${conf}/areas.tsv" "${conf}/areas.geojson" "${conf}/streets.tsv"
     "${conf}/places.tsv" "${conf}/themes.tsv" "${conf}/theme-rules.tsv"
     "${conf}/priority-rules.tsv" "${conf}/theme.model"
     DESTINATION "${SEIN_CONFIG_DIR}")
file(INSTALL "${conf}/sein.cfg" DESTINATION "${SEIN_CONFIG_DIR}" RENAME sein.cfg.dist)
if(EXISTS "$ENV{DESTDIR}${SEIN_CONFIG_FILE}")
  message(STATUS "Keeping: $ENV{DESTDIR}${SEIN_CONFIG_FILE} (the new default is sein.cfg.dist)")
else()
  file(INSTALL "${conf}/sein.cfg" DESTINATION "${SEIN_CONFIG_DIR}")
endif()

# systemd searches PREFIX/lib/systemd/system and PREFIX/lib/sysusers.d for
# /usr and /usr/local alike.
configure_file("${SEIN_SOURCE_DIR}/systemd/seind.service.in"
               "${SEIN_BINARY_DIR}/systemd/install/seind.service" @ONLY)
file(INSTALL "${SEIN_BINARY_DIR}/systemd/install/seind.service"
     DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
file(INSTALL "${SEIN_SOURCE_DIR}/systemd/sein.sysusers"
     DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d" RENAME sein.conf)
