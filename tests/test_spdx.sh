#!/bin/sh
# SPDX-License-Identifier: MPL-2.0
# Every source file, script, build file, configuration and man page carries
# the licence's SPDX identifier (LICENSE: MPL-2.0) near its top, so that a
# file copied out of sein still says under which terms. Usage:
#   tests/test_spdx.sh SOURCE_DIR      (exit 77, skipped, outside a git checkout)
set -u
source=$1
cd "$source" || exit 1
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || exit 77
missing=0
for file in $(git ls-files -- '*.c' '*.h' '*.h.in' '*.js' '*.sh' '*.py' '*.cmake' '*.bash' \
                '*CMakeLists.txt' '*.cfg' '*.service.in' '*.sysusers' 'docs/man/*.[158]' \
                .ci/run .ci/install-deps systemd/debian/postinst systemd/debian/prerm \
                systemd/debian/postrm); do
  case $file in tests/fuzz/corpus/*|conf/corpus/*) continue ;; esac
  [ -f "$file" ] || continue
  if ! head -c 400 "$file" | grep -q 'SPDX-License-Identifier: MPL-2.0'; then
    echo "MISSING: $file has no 'SPDX-License-Identifier: MPL-2.0' line at its top"
    missing=$((missing + 1))
  fi
done
[ "$missing" -eq 0 ] && echo "every file names its licence" && exit 0
exit 1
