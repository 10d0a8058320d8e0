#!/usr/bin/env bash
# Builds the Debian package from this tree, checks it with lintian, installs
# it, checks what it installed, upgrades it to a second build with a higher
# version, checks what the maintainer scripts asked of systemd on the way, and
# purges it again. Also checks that `make install` installs a stripped binary
# that keeps its SBOM, and a compressed man page. Needs root (dpkg -i), as
# `make test` has on the Debian machines it runs on.
#
# Each check below is counted; the last line says how many passed and failed.
# A step the later checks depend on (a build, an install) ends the test at once.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
passed=0
failed=0
created_dirs=()  # /run/systemd{,/system} if this test made them
cleanup() {
  dpkg --purge tetrars >/dev/null 2>&1 || true
  local i
  for ((i = ${#created_dirs[@]} - 1; i >= 0; i--)); do rmdir "${created_dirs[i]}" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "deb_test: $*" >&2
  echo "deb_test: $passed passed, $((failed + 1)) failed"
  exit 1
}
# check <what> <command...>: runs the command (a function below that prints why
# it fails), counts the result and goes on.
check() {
  local what=$1 out
  shift
  if out=$("$@" 2>&1); then
    passed=$((passed + 1))
    echo "PASS: $what"
  else
    failed=$((failed + 1))
    echo "FAIL: $what"
    [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/    /'
  fi
}

[ "$(id -u)" -eq 0 ] || fail "installing the package needs root: run make test as root"
if dpkg-query -W -f '${Status}' tetrars 2>/dev/null | grep -q 'install ok installed'; then
  fail "a tetrars package is already installed: this test would replace it; remove it first"
fi

# Both packages, the second one version up for the upgrade (tests/deb_build.sh).
. "$src/tests/deb_build.sh"
deb_build_pair "$src" "$work" || fail "building the packages failed (above)"
version=$DEB_VERSION
next=$DEB_NEXT
arch=$(dpkg --print-architecture)
tree=$DEB_TREE
deb=$DEB1
deb2=$DEB2

echo "== lintian $(basename "$deb")"
lintian --tag-display-limit 0 "$deb" >"$work/lintian.txt" 2>&1 || true
cat "$work/lintian.txt"
# Every tag lintian still reports must be listed, with its reason, in
# debian/lintian-expected; anything else fails the check.
lintian_tags_explained() {
  local line tag rc=0
  while read -r line; do
    tag=$(echo "$line" | awk '{print $3}')
    [ -z "$tag" ] && continue
    grep -q "^$tag " "$src/debian/lintian-expected" || { echo "unexplained lintian tag: $line"; rc=1; }
  done < <(grep -E '^[EWI]: ' "$work/lintian.txt" || true)
  return $rc
}
check "lintian reports only the tags debian/lintian-expected explains" lintian_tags_explained

# `make install`, as a user runs it, from the build directory the package
# build left behind (obj-<triplet>, already built: this costs no compile).
# `-o deps`: the Debian packages are there (the package just built), and a test
# must not apt-get install anything.
objdir=$(ls -d "$tree"/obj-*/ 2>/dev/null | head -1) || true
[ -n "$objdir" ] || fail "the package build left no obj-<triplet> build directory in $tree"
stage="$work/stage"
echo "== make install DESTDIR=$stage"
make -C "$tree" -o deps install BUILD_DIR="${objdir%/}" DESTDIR="$stage" >"$work/make-install.log" 2>&1 || {
  tail -40 "$work/make-install.log"; fail "make install failed"; }

# stripped_with_sbom <binary>: no symbol table, no debug info, and the
# embedded CycloneDX SBOM (ELF section .sbom, which `tetrars --sbom` prints)
# still there and complete.
stripped_with_sbom() {
  local bin=$1 sections
  [ -x "$bin" ] || { echo "$bin is missing"; return 1; }
  sections=$(readelf -W -S "$bin") || { echo "readelf cannot read $bin"; return 1; }
  if grep -Eq '\.symtab|\.debug_' <<<"$sections"; then
    echo "$bin is not stripped: $(file -b "$bin")"
    return 1
  fi
  file -b "$bin" | grep -q ', stripped' || { echo "file does not call $bin stripped: $(file -b "$bin")"; return 1; }
  grep -q '\.sbom' <<<"$sections" || { echo "$bin has no .sbom section"; return 1; }
  objcopy --dump-section .sbom="$work/sbom.z" "$bin" "$work/objcopy.out" ||
    { echo "objcopy cannot dump .sbom from $bin"; return 1; }
  "$bin" --sbom | python3 -c '
import json, sys
bom = json.load(sys.stdin)
names = {c["name"] for c in bom["components"]}
assert bom["specVersion"] == "1.5", bom["specVersion"]
assert any(n.startswith("libnghttp2") for n in names), names
assert not any(n.startswith("libprotobuf") for n in names), names  # a build tool only
' || { echo "$bin --sbom: the SBOM is missing or incomplete"; return 1; }
}
man_page_compressed() {
  local man="$stage/usr/share/man/man1"
  [ ! -e "$man/tetrars.1" ] || { echo "make install installed an uncompressed $man/tetrars.1"; return 1; }
  gzip -t "$man/tetrars.1.gz" || { echo "$man/tetrars.1.gz is missing or not gzip"; return 1; }
}
check "make install: the binary is stripped and keeps its SBOM" stripped_with_sbom "$stage/usr/bin/tetrars"
check "make install: the man page is tetrars.1.gz" man_page_compressed
regex_library_staged() {
  local lib
  lib=$(find "$stage" -name libtetrars-regex.so -path '*/tetrars/*')
  [ -n "$lib" ] || { echo "make install installed no libtetrars-regex.so"; return 1; }
  file -b "$lib" | grep -q ', stripped' || { echo "$lib is not stripped: $(file -b "$lib")"; return 1; }
}
check "make install: libtetrars-regex.so in <libdir>/tetrars, stripped" regex_library_staged

# A fake systemd for the maintainer scripts: they act only if
# /run/systemd/system exists (made here if it is not, and removed again at the
# end), and they call deb-systemd-invoke and systemctl by PATH, which dpkg
# passes on to them; the fakes log their arguments instead of acting.
fakebin="$work/fakebin"
calls="$work/systemd-calls.log"
mkdir -p "$fakebin"
for tool in deb-systemd-invoke systemctl; do
  printf '#!/bin/sh\necho "%s $*" >>"%s"\nexit 0\n' "$tool" "$calls" >"$fakebin/$tool"
  chmod +x "$fakebin/$tool"
done
for d in /run/systemd /run/systemd/system; do
  [ -d "$d" ] || { mkdir "$d"; created_dirs+=("$d"); }
done
# fake_dpkg <phase> <dpkg args...>: dpkg with the fakes first on PATH; what the
# maintainer scripts asked for goes to $work/<phase>.calls.
fake_dpkg() {
  local phase=$1
  shift
  : >"$calls"
  PATH="$fakebin:$PATH" dpkg "$@" >"$work/$phase.log" 2>&1 || {
    cat "$work/$phase.log"; fail "dpkg $* failed"; }
  mv "$calls" "$work/$phase.calls"
  echo "-- $phase: the maintainer scripts called:"
  sed 's/^/   /' "$work/$phase.calls"
}
unit_enabled() {
  [ -e /etc/systemd/system/multi-user.target.wants/tetrars.service ]
}

echo "== dpkg -i $(basename "$deb")"
fake_dpkg install -i "$deb"

installed_files() {
  /usr/bin/tetrars --version | grep -q "^tetrars ${version%-*}" ||
    { echo "installed tetrars --version says: $(/usr/bin/tetrars --version)"; return 1; }
  [ -f /usr/share/man/man1/tetrars.1.gz ] || { echo "man page not installed"; return 1; }
  [ ! -e /usr/share/man/man1/tetrars.1 ] || { echo "uncompressed man page installed"; return 1; }
  [ -f /lib/systemd/system/tetrars.service ] || { echo "systemd unit not installed"; return 1; }
  dpkg-query -W -f '${Conffiles}' tetrars | grep -q '/etc/default/tetrars' ||
    { echo "/etc/default/tetrars is not a conffile"; return 1; }
  systemd-analyze verify /lib/systemd/system/tetrars.service ||
    { echo "systemd-analyze verify rejects the installed unit"; return 1; }
}
check "the package installs the binary, man page, unit and conffile" installed_files
# Issue 22: RE2 is in libtetrars-regex.so, which the installed binary finds in
# its installed place for the options that need it.
regex_library_installed() {
  local lib out rc=0
  lib=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/tetrars/libtetrars-regex.so
  [ -f "$lib" ] || { echo "$lib is not installed"; return 1; }
  dpkg-query -S "$lib" >/dev/null || { echo "$lib does not belong to the package"; return 1; }
  out=$(/usr/bin/tetrars --once --server-address unix:/nonexistent/tetragon.sock \
    --process ssh --match 'process.binary =~ ^/usr/bin/' 2>&1) || rc=$?
  if [ "$rc" -eq 2 ] || grep -q 'needs libtetrars-regex.so' <<<"$out"; then
    echo "the installed tetrars does not find $lib: $out"
    return 1
  fi
}
check "the package installs libtetrars-regex.so where tetrars finds it" regex_library_installed
check "the package's binary is stripped and keeps its SBOM (dh_strip)" stripped_with_sbom /usr/bin/tetrars

# Issue 20: the binary names its package (systemd's package note), and the
# package names the sources of what is linked into the binary.
package_note() {
  local note
  note=$(readelf --notes /usr/bin/tetrars | sed -n 's/^ *Packaging Metadata: //p')
  [ -n "$note" ] || { echo "no .note.package in /usr/bin/tetrars"; return 1; }
  python3 - "$note" "$version" "$arch" <<'PY' || return 1
import json, sys
note, version, arch = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
want = {"type": "deb", "name": "tetrars", "version": version, "architecture": arch, "os": "debian"}
bad = {k: (note.get(k), v) for k, v in want.items() if note.get(k) != v}
if bad or not note.get("osVersion"):
    sys.exit(f"package note {note}: differs in {bad or 'osVersion'}")
PY
}
static_built_using() {
  local field source
  field=$(dpkg-deb -f "$deb" Static-Built-Using)
  for source in nghttp2 gcc-12; do
    echo "$field" | grep -q "\b$source (= " || { echo "Static-Built-Using: '$field' lacks $source"; return 1; }
  done
  # RE2 is linked dynamically, by libtetrars-regex.so: a Depends, not a static copy.
  ! echo "$field" | grep -q "\bre2 (= " || { echo "Static-Built-Using: '$field' names re2"; return 1; }
}
check "the binary carries .note.package with the package's name and version" package_note
check "the package declares Static-Built-Using: nghttp2, gcc-12 (not re2)" static_built_using
echo "== systemd-analyze security"
systemd-analyze security --offline=true /lib/systemd/system/tetrars.service | tail -1

# First install: the administrator has to look at /etc/default/tetrars first,
# so nothing may start or enable the unit.
first_install_leaves_unit_alone() {
  if grep -Ew '(start|restart|try-restart|reload-or-restart|enable|reenable|preset)' "$work/install.calls"; then
    echo "the first install started or enabled tetrars.service (above)"
    return 1
  fi
  ! unit_enabled || { echo "the first install enabled tetrars.service"; return 1; }
}
check "first install neither starts nor enables tetrars.service" first_install_leaves_unit_alone

echo "== dpkg -i $(basename "$deb2") (upgrade)"
fake_dpkg upgrade -i "$deb2"

# Upgrade: a running service must run the new binary afterwards, so the
# maintainer scripts restart it (try-restart: only if it runs, so one the
# administrator stopped stays stopped), and must not stop it on the way, which
# would turn that restart into a no-op and the audit logging off until reboot.
upgrade_restarts_unit() {
  [ "$(dpkg-query -W -f '${Version}' tetrars)" = "$next" ] ||
    { echo "installed version after the upgrade: $(dpkg-query -W -f '${Version}' tetrars)"; return 1; }
  [ -s "$work/upgrade.calls" ] || {
    echo "the upgrade called neither deb-systemd-invoke nor systemctl from $fakebin:"
    echo "did dpkg not pass PATH on to the maintainer scripts, or do they not act on systemd?"
    return 1; }
  if grep -Ew '(stop|kill)' "$work/upgrade.calls"; then
    echo "the upgrade stopped tetrars.service (above): it is not running afterwards"
    return 1
  fi
  grep -Eq "^(deb-systemd-invoke|systemctl) .*(try-restart|restart) .*tetrars\.service" "$work/upgrade.calls" ||
    { echo "the upgrade does not restart tetrars.service"; return 1; }
  ! unit_enabled || { echo "the upgrade enabled tetrars.service"; return 1; }
}
check "upgrade $version -> $next restarts a running tetrars.service and does not stop it" upgrade_restarts_unit

echo "== dpkg --purge tetrars"
fake_dpkg purge --purge tetrars

# Purge: the service is stopped (a removed binary must not go on running), and
# the files, the conffile and deb-systemd-helper's state are gone.
purge_cleans_up() {
  grep -Eq "^(deb-systemd-invoke|systemctl) .*stop .*tetrars\.service" "$work/purge.calls" ||
    { echo "removing the package does not stop tetrars.service"; return 1; }
  local status
  status=$(dpkg-query -W -f '${Status}' tetrars 2>/dev/null) || true
  case $status in "" | *not-installed) ;; *) echo "after dpkg --purge, tetrars is: $status"; return 1 ;; esac
  local f
  for f in /usr/bin/tetrars /lib/systemd/system/tetrars.service /etc/default/tetrars \
    /usr/share/man/man1/tetrars.1.gz /var/lib/systemd/deb-systemd-helper-enabled/tetrars.service.dsh-also; do
    [ ! -e "$f" ] || { echo "dpkg --purge left $f behind"; return 1; }
  done
}
check "purge stops tetrars.service and removes its files" purge_cleans_up

echo "deb_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
