#!/usr/bin/env bash
# The layering check must fail on an upward include: a copy of the tree gets
# some (store/ including the engine's header, the engine including
# <sqlite3.h>, and Lua's C API reaching engine/ through hb/lua_json.h and
# cli/ directly) and the check has to name each.
set -euo pipefail
src=${HB_SRC:-$(dirname "$0")/..}
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
cp -r "$src/runtime" "$src/include" "$t/"
sed -i '1a #include "hb/engine.h"' "$t/runtime/store/store.c"
sed -i '1a #include <sqlite3.h>' "$t/runtime/engine/engine.c"
sed -i '1a #include "hb/lua_json.h"' "$t/runtime/engine/engine_steps.c"
sed -i '1a #include <lauxlib.h>' "$t/runtime/cli/cli_call.c"
if out=$(bash "$src/tests/layering_check.sh" "$t" 2>&1); then
  echo "layering check passed a tree with upward includes" >&2; exit 1
fi
grep -q 'store/store.c:2: store/ includes hb/engine.h' <<<"$out" || { echo "$out" >&2; exit 1; }
grep -q 'engine/engine.c:2: engine/ includes <sqlite3.h>' <<<"$out" || { echo "$out" >&2; exit 1; }
grep -q 'engine/engine_steps.c:2: engine/ includes hb/lua_json.h, which brings <lua.h>' <<<"$out" ||
  { echo "$out" >&2; exit 1; }
grep -q 'cli/cli_call.c:2: cli/ includes <lauxlib.h>' <<<"$out" || { echo "$out" >&2; exit 1; }
echo "layering self-test: every upward include named"
