#!/bin/sh
# SPDX-License-Identifier: MPL-2.0
# The man pages (issue 15): every page lints clean with mandoc (warnings
# and worse), every option a program's --help lists is in its page, every
# seinctl command has an entry in seinctl(1), and the generated sein.cfg(5)
# and docs/CONFIG.md have every setting of seind's tables with its default.
# A failure names exactly what is missing where, for whoever adds a
# command or an option.
#
#   tests/test_man.sh SOURCE_DIR BUILD_DIR
set -eu
src=$1
build=$2
man=$src/docs/man
# Pipelines run in subshells: misses are counted in a file.
fails=$(mktemp)
trap 'rm -f "$fails"' EXIT
miss() { echo "MISSING: $*" >&2; echo x >>"$fails"; }

# Lint: mandoc's warnings and errors (its style notes are not failures).
for page in "$man"/*.[1-8] "$build/man/sein.cfg.5"; do
  out=$(mandoc -T lint -W warning "$page" 2>&1) || true
  [ -z "$out" ] || miss "mandoc -T lint finds in $page:
$out"
done

# A page's text as words: roff's \- is -, font escapes and quotes dropped.
words() {
  sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(em//g' "$1"
}

# Every long option (and -x short one) of PROGRAM's --help, in PAGE.
options() {
  program=$1
  page=$2
  "$build/$program" --help | sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p' \
    | while read -r option; do
        words "$page" | grep -q -- "$option\([^a-z-]\|$\)" \
          || miss "$page does not describe $program's option $option (from $program --help)"
      done
}
options seind "$man/seind.8"
options sein-submit "$man/sein-submit.1"
options sein-watch "$man/sein-watch.1"
options seinctl "$man/seinctl.1"
options sein-http "$man/sein-http.1"

# Every seinctl command: an entry (a .B/.BR line naming it) in seinctl(1).
"$build/seinctl" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p' \
  | while read -r command; do
      words "$man/seinctl.1" | grep -q "^\.BR\{0,1\} \(.*[ \"]\)\{0,1\}$command\([ \",]\|$\)" \
        || miss "$man/seinctl.1 has no entry (.B $command ...) for the seinctl command '$command'"
    done

# Every setting, with its default: in sein.cfg(5) as generated, and in
# CONFIG.md's table (| `name` | type | `default` | ...).
us=$(printf '\037')
"$build/seind" --settings | tr '\t' "$us" | while IFS=$us read -r name type default bounds reload; do
  words "$build/man/sein.cfg.5" | grep -q "^\.B $name$" \
    || miss "sein.cfg.5 has no entry for $name"
  words "$build/man/sein.cfg.5" | grep -qF "default $default;" \
    || miss "sein.cfg.5 lacks $name's default $default"
  row=$(grep -F "| \`$name\` |" "$src/docs/CONFIG.md" | head -1)
  [ -n "$row" ] || { miss "docs/CONFIG.md has no row for $name"; continue; }
  printf '%s\n' "$row" | awk -F' [|] ' -v d="$default" \
    '{ gsub(/`/, "", $3); exit !($3 == d) }' \
    || miss "docs/CONFIG.md gives $name another default than $default: $row"
done

[ ! -s "$fails" ] || { echo "$(wc -l <"$fails") thing(s) missing" >&2; exit 1; }
echo "man pages: linted, options, commands and settings all described"
