#!/usr/bin/env bash
# Fetches lwIP 2.1.3 — the untouched upstream tarball of Debian's `lwip` source
# package — into third_party/ (ignored by git), checks its sha256 and unpacks it:
#   third_party/cache/lwip_2.1.3+dfsg1.orig.tar.xz
#   third_party/lwip-2.1.3/
# Tries, in order: the unpacked tree (already checked), the cached tarball, a
# download from the Debian mirror's pool ($DEBIAN_MIRROR), and `apt-get source
# --download-only lwip` (as root it adds the deb-src entry that needs). Nothing of
# lwIP is ever committed. On failure it says why and what to do, and exits 1.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/third_party"
# A kit copied for grading or a handout check may share the original kit's cache.
CACHE="${COPS_LWIP_CACHE:-$DEST/cache}"
ORIG="lwip_2.1.3+dfsg1.orig.tar.xz"
SHA256="0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24"
TREE="$DEST/lwip-2.1.3"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
STAMP="$TREE/.cops-sha256"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$SHA256" ]; then
    exit 0
fi
mkdir -p "$CACHE"

good() { [ -f "$CACHE/$ORIG" ] && echo "$SHA256  $CACHE/$ORIG" | sha256sum --check --status; }

why=""
if ! good; then
    rm -f "$CACHE/$ORIG"
    echo "lwip: fetching $ORIG from $MIRROR (Debian's lwip source package)"
    if ! python3 - "$MIRROR/pool/main/l/lwip/$ORIG" "$CACHE/$ORIG.part" <<'PY'
import sys, urllib.request
url, out = sys.argv[1], sys.argv[2]
try:
    with urllib.request.urlopen(url, timeout=60) as r, open(out, "wb") as f:
        f.write(r.read())
except Exception as e:  # noqa: BLE001 - any failure is reported the same way
    print(f"lwip: download failed: {e}", file=sys.stderr)
    sys.exit(1)
PY
    then
        why="the download from $MIRROR failed"
    else
        mv "$CACHE/$ORIG.part" "$CACHE/$ORIG"
    fi
fi
if ! good && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    rm -f "$CACHE/$ORIG"
    src=/etc/apt/sources.list.d/cops-deb-src.sources
    if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
        echo "lwip: adding $src (deb-src for bookworm) and running apt-get update"
        printf 'Types: deb-src\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            "$MIRROR" > "$src"
        apt-get update -qq || true
    fi
    (cd "$CACHE" && apt-get source --download-only -qq lwip >/dev/null 2>&1) || why="$why; apt-get source lwip failed"
fi
if ! good; then
    [ -f "$CACHE/$ORIG" ] && why="$why; $CACHE/$ORIG does not have the sha256 $SHA256" && rm -f "$CACHE/$ORIG"
    cat >&2 <<MSG
lwip: cannot get lwIP 2.1.3's source (${why#; }).
  Chapters 1-5 do not need it; chapter 6 and lwIP's own unit tests do. Either:
    * put Debian's $ORIG into $CACHE/ (sha256 $SHA256), or
    * as root: add a deb-src entry for bookworm (Types: deb-src, URIs: $MIRROR,
      Suites: bookworm bookworm-updates, Components: main) under /etc/apt/sources.list.d/,
      run apt-get update, then: cd $CACHE && apt-get source --download-only lwip
  and run the command again.
MSG
    exit 1
fi
rm -rf "$TREE" "$DEST/.lwip-unpack"
mkdir -p "$DEST/.lwip-unpack"
tar -xJf "$CACHE/$ORIG" -C "$DEST/.lwip-unpack"
mv "$DEST/.lwip-unpack/lwip-2.1.3" "$TREE"
rm -rf "$DEST/.lwip-unpack"
echo "$SHA256" > "$STAMP"
echo "lwip: lwIP 2.1.3 unpacked in $TREE (sha256 checked)"
