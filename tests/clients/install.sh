#!/bin/sh
# Installs the client libraries pinned in package-lock.json from the npm
# registry, once, into a cache folder named after the lock file's digest,
# and prints that folder. Nothing is fetched at check time, and a changed
# lock file gets a folder of its own. Idempotent: with the folder complete
# it touches no network. Exits 3 when the npm registry cannot be reached.
#   tests/clients/install.sh [cache root]   (default $HB_CLIENT_CACHE, else
#                                            ${XDG_CACHE_HOME:-~/.cache}/hb/clients)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${1:-${HB_CLIENT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hb/clients}}
command -v npm >/dev/null 2>&1 || {
  echo "hb: npm is not installed (scripts/install-deps.sh installs Debian's nodejs and npm)" >&2
  exit 1
}
LOCK_SUM=$(sha256sum "$HERE/package-lock.json" | cut -c1-16)
DIR="$ROOT/$LOCK_SUM"
if [ -f "$DIR/.complete" ]; then
  echo "$DIR"
  exit 0
fi
mkdir -p "$ROOT"
# One installer at a time; a second one waits, then finds the folder done.
exec 9>"$ROOT/.lock"
flock 9
if [ ! -f "$DIR/.complete" ]; then
  # Asked once, without npm's retries, so a machine with no registry
  # learns it in seconds rather than after minutes of backing off.
  if ! npm ping --fetch-retries=0 --fetch-timeout=20000 --loglevel=silent >/dev/null 2>&1; then
    echo "hb: the npm registry ($(npm config get registry)) cannot be reached from this machine" >&2
    exit 3
  fi
  TMP=$(mktemp -d "$ROOT/.install.XXXXXX")
  cp "$HERE/package.json" "$HERE/package-lock.json" "$TMP/"
  echo "hb: installing the client libraries of tests/clients into $DIR" >&2
  # No install scripts: none of these needs one to work.
  if ! (cd "$TMP" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2); then
    rm -rf "$TMP"
    echo "hb: npm ci failed in tests/clients" >&2
    exit 1
  fi
  touch "$TMP/.complete"
  rm -rf "$DIR"
  mv "$TMP" "$DIR"
fi
echo "$DIR"
