#!/usr/bin/env bash
# The C sources follow the checked-in .clang-format. Every .c and .h below
# include/, runtime/, tests/ and bench/ counts, so a new folder cannot escape
# the check. `make format` (this script with --fix) rewrites them.
set -euo pipefail
cd "${HB_SRC:-$(dirname "$0")/..}"
mapfile -t files < <(find include runtime tests bench \( -name '*.c' -o -name '*.h' \) \
  -not -path '*/node_modules/*' | sort)
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run -Werror "${files[@]}"; then
  echo "format: run 'make format'" >&2
  exit 1
fi
echo "format: ${#files[@]} files clean"
