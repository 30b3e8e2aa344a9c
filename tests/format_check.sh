#!/usr/bin/env bash
# The C sources follow the checked-in .clang-format (`make format` fixes them).
set -euo pipefail
cd "$HB_SRC"
files=$(ls include/hb/*.h runtime/*.c runtime/*.h runtime/sandbox/*.c runtime/sandbox/*.h \
  tests/unit/*.c tests/support/*.c tests/support/*.h)
if ! clang-format --dry-run -Werror $files; then
  echo "format: run 'make format'" >&2
  exit 1
fi
echo "format: $(echo "$files" | wc -w) files clean"
