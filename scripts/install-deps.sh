#!/bin/sh
# Installs the Debian packages hb builds, tests and demos with: every
# program the build, the tests and `make demo` call (jq and sqlite3 for the
# end-to-end tests, python3-yaml to read the CI template's jobs, node, npm and openssl for the official-client checks of
# tests/clients included), then those clients from the npm registry, so a
# fresh Debian 12 needs nothing by hand. Idempotent: when everything is
# present it installs nothing and touches no network.
set -eu
pkgs="build-essential cmake pkg-config git liblua5.4-dev libcurl4-openssl-dev libcjson-dev
libcmocka-dev libsqlite3-dev libssl-dev libmicrohttpd-dev sqlite3 ca-certificates
curl clang-format jq openssl python3 python3-yaml"
# Debian 12's nodejs is node 18, which every pinned client supports. A node
# that came from elsewhere (with its own npm) is used as it is: Debian's
# npm package would conflict with it.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  pkgs="$pkgs nodejs npm"
fi
missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
if [ -n "$missing" ]; then
  echo "hb: installing Debian packages:$missing" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# The clients are only for the checks of tests/clients: a machine that
# cannot reach the npm registry still builds, demos and tests the rest
# (that check then reports itself skipped).
"$(dirname "$0")/../tests/clients/install.sh" >/dev/null || rc=$?
if [ "${rc:-0}" -eq 3 ]; then
  echo "hb: the official-client checks will be skipped: no npm registry" >&2
elif [ "${rc:-0}" -ne 0 ]; then
  exit "$rc"
fi
