# Builds the Debian package of a source tree twice, for the tests that install
# it and then upgrade it: tests/deb_test.sh (maintainer scripts, lintian) and
# tests/systemd/run.py (under a real systemd). Sourced, not run:
#
#   . tests/deb_build.sh
#   deb_build_pair SRC WORK || exit 1
#
# Sets DEB_VERSION (debian/changelog's, e.g. 0.1.0-1), DEB_NEXT (one upstream
# version up, e.g. 0.1.0.1-1), DEB_TREE (the copy built in, under WORK, with
# its obj-<triplet> build directory), DEB1 and DEB2 (the two .deb files, in
# WORK). The build logs are WORK/build.log and WORK/build2.log. On failure it
# prints the log's tail and one line saying what failed, and returns 1.
#
# The second package is a real one from the real debian/rules, so its
# maintainer scripts are the ones an upgrade runs (a dpkg-deb repack would only
# copy the first package's scripts under a changed control Version). Its
# upstream version is one step up (CMake's project version too), so that the
# upgraded binary says a different version in its `started` line; it is rebuilt
# with -nc (no pre-clean), so dh reuses the compiled obj-<triplet> and only what
# the version touches is recompiled.

deb_build_pair() {
  local src=$1 work=$2 upstream arch maintainer next_upstream
  DEB_VERSION=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version) || return 1
  arch=$(dpkg --print-architecture)
  upstream=${DEB_VERSION%-*}
  DEB_TREE="$work/tetrars-$upstream"
  mkdir -p "$DEB_TREE"
  # The files git knows (tracked and new, not ignored): what a clone would build.
  git -C "$src" ls-files -z --cached --others --exclude-standard |
    tar -C "$src" --null -T - -cf - | tar -C "$DEB_TREE" -xf - || return 1

  echo "== dpkg-buildpackage -us -uc -b ($DEB_VERSION)"
  (cd "$DEB_TREE" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
    tail -40 "$work/build.log"; echo "deb_build: dpkg-buildpackage failed (log: $work/build.log)" >&2; return 1; }
  DEB1="$work/tetrars_${DEB_VERSION}_${arch}.deb"
  [ -f "$DEB1" ] || { echo "deb_build: dpkg-buildpackage made no $(basename "$DEB1")" >&2; return 1; }

  # 0.1.0 -> 0.1.0.1, 0.1.0.1 -> 0.1.0.2: a fourth number, which CMake's
  # project(VERSION) accepts and Debian sorts above the third.
  if [[ $upstream =~ ^([0-9]+\.[0-9]+\.[0-9]+)\.([0-9]+)$ ]]; then
    next_upstream="${BASH_REMATCH[1]}.$((BASH_REMATCH[2] + 1))"
  elif [[ $upstream =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    next_upstream="$upstream.1"
  else
    echo "deb_build: cannot make a version above $upstream (not MAJOR.MINOR.PATCH[.N])" >&2; return 1
  fi
  DEB_NEXT="$next_upstream-1"
  dpkg --compare-versions "$DEB_NEXT" gt "$DEB_VERSION" || {
    echo "deb_build: $DEB_NEXT does not sort above $DEB_VERSION" >&2; return 1; }
  maintainer=$(dpkg-parsechangelog -l "$DEB_TREE/debian/changelog" -S Maintainer)
  {
    cat <<EOF
tetrars ($DEB_NEXT) unstable; urgency=medium

  * Test build for the upgrade checks (tests/deb_build.sh).

 -- $maintainer  $(LC_ALL=C date -R)

EOF
    cat "$src/debian/changelog"
  } >"$DEB_TREE/debian/changelog"
  [ "$(dpkg-parsechangelog -l "$DEB_TREE/debian/changelog" -S Version)" = "$DEB_NEXT" ] || {
    echo "deb_build: dpkg-parsechangelog does not read $DEB_NEXT from the bumped changelog" >&2; return 1; }
  grep -q "^project(tetrars VERSION $upstream " "$DEB_TREE/CMakeLists.txt" || {
    echo "deb_build: CMakeLists.txt has no 'project(tetrars VERSION $upstream ': the changelog and CMake disagree" >&2
    return 1; }
  sed -i "s/^project(tetrars VERSION $upstream /project(tetrars VERSION $next_upstream /" "$DEB_TREE/CMakeLists.txt"
  # dh skips the whole build sequence while this stamp exists; without it, dh
  # configures again (CMake sees the new version) and make rebuilds what the
  # version header touches.
  rm -f "$DEB_TREE/debian/debhelper-build-stamp"
  echo "== dpkg-buildpackage -us -uc -b -nc ($DEB_NEXT)"
  (cd "$DEB_TREE" && dpkg-buildpackage -us -uc -b -nc) >"$work/build2.log" 2>&1 || {
    tail -40 "$work/build2.log"; echo "deb_build: the second dpkg-buildpackage failed (log: $work/build2.log)" >&2
    return 1; }
  DEB2="$work/tetrars_${DEB_NEXT}_${arch}.deb"
  [ -f "$DEB2" ] || { echo "deb_build: the second dpkg-buildpackage made no $(basename "$DEB2")" >&2; return 1; }
}
