#!/usr/bin/env bash
# Builds the Debian package from this tree, checks it with lintian, installs
# it, checks what it installed, and removes it again. Needs root (dpkg -i),
# as `make test` has on the Debian machines it runs on.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
cleanup() {
  dpkg --purge tetrars >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "deb_test: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "installing the package needs root: run make test as root"
if dpkg-query -W -f '${Status}' tetrars 2>/dev/null | grep -q 'install ok installed'; then
  fail "a tetrars package is already installed: this test would replace it; remove it first"
fi

version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
tree="$work/tetrars-${version%-*}"
mkdir -p "$tree"
git -C "$src" ls-files -z --cached --others --exclude-standard |
  tar -C "$src" --null -T - -cf - | tar -C "$tree" -xf -

echo "== dpkg-buildpackage -us -uc -b"
(cd "$tree" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
  tail -40 "$work/build.log"; fail "dpkg-buildpackage failed"; }
deb=$(ls "$work"/tetrars_*.deb)

echo "== lintian $(basename "$deb")"
lintian --tag-display-limit 0 "$deb" >"$work/lintian.txt" 2>&1 || true
cat "$work/lintian.txt"
# Every tag lintian still reports must be listed, with its reason, in
# debian/lintian-expected; anything else fails the test.
while read -r line; do
  tag=$(echo "$line" | awk '{print $3}')
  [ -z "$tag" ] && continue
  grep -q "^$tag " "$src/debian/lintian-expected" || fail "unexplained lintian tag: $line"
done < <(grep -E '^[EWI]: ' "$work/lintian.txt" || true)

echo "== dpkg -i"
dpkg -i "$deb" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dpkg -i failed"; }

/usr/bin/tetrars --version | grep -q "^tetrars ${version%-*}" ||
  fail "installed tetrars --version says: $(/usr/bin/tetrars --version)"
/usr/bin/tetrars --sbom | python3 -c '
import json, sys
bom = json.load(sys.stdin)
names = {c["name"] for c in bom["components"]}
assert bom["specVersion"] == "1.5", bom["specVersion"]
assert any(n.startswith("libnghttp2") for n in names), names
assert any(n.startswith("libprotobuf") for n in names), names
' || fail "the installed binary's SBOM is missing or incomplete (stripped by dh_strip?)"
[ -f /usr/share/man/man1/tetrars.1.gz ] || fail "man page not installed"
[ -f /lib/systemd/system/tetrars.service ] || fail "systemd unit not installed"
dpkg-query -W -f '${Conffiles}' tetrars | grep -q '/etc/default/tetrars' ||
  fail "/etc/default/tetrars is not a conffile"
systemd-analyze verify /lib/systemd/system/tetrars.service ||
  fail "systemd-analyze verify rejects the installed unit"
echo "== systemd-analyze security"
systemd-analyze security --offline=true /lib/systemd/system/tetrars.service | tail -1

dpkg --purge tetrars >/dev/null
[ ! -e /usr/bin/tetrars ] || fail "dpkg --purge left /usr/bin/tetrars behind"
echo "deb_test: 1 passed, 0 failed"
