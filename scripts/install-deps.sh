#!/bin/sh
# Installs the Debian packages hb builds, tests and demos with: every
# program the build, the tests and `make demo` call (jq and sqlite3 for the
# end-to-end tests included; python3-yaml reads the CI template's jobs), so a
# fresh Debian 12 needs nothing by hand.
# Idempotent: when every package is present it installs nothing and touches
# no network.
set -eu
pkgs="build-essential cmake pkg-config git liblua5.4-dev libcurl4-openssl-dev libcjson-dev
libcmocka-dev libsqlite3-dev libssl-dev libmicrohttpd-dev sqlite3 ca-certificates
curl clang-format jq python3 python3-yaml"
missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
echo "hb: installing Debian packages:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
