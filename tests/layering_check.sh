#!/usr/bin/env bash
# Each folder of runtime/ is a layer (runtime/README.md). A file may include
# the headers of its own layer and of the layers its layer uses, never of a
# layer above; a third-party library's headers only where that library
# belongs. CMake links the layers the same way; this check also catches an
# include the linker would not notice (a header-only use, a macro).
#   tests/layering_check.sh [ROOT]    ROOT defaults to the source tree
set -euo pipefail
root=${1:-${HB_SRC:-$(dirname "$0")/..}}
cd "$root"

# layer: the layers it may use (base is implied for all but base itself).
declare -A uses=(
  [base]=""
  [lua]=""
  [http]=""
  [store]=""
  [sandbox]=""
  [workflow]="services lua"
  [services]="http lua"
  [review]="workflow services lua"
  [engine]="workflow services store sandbox lua"
  [scenario]="engine workflow services sandbox store lua"
  [server]="engine workflow review services store sandbox lua"
  [cli]="server scenario engine review workflow services store sandbox http lua"
)

# The layer each public header belongs to.
declare -A header_layer=(
  [error.h]=base [clock.h]=base [util.h]=base [sha256.h]=base
  [canonical_json.h]=base [json_print.h]=base [paths.h]=base [settings.h]=base [env_file.h]=base
  [secrets.h]=base
  [lua_host.h]=lua [lua_json.h]=lua [lua_call.h]=lua
  [http.h]=http
  [store.h]=store [audit.h]=store
  [sandbox.h]=sandbox
  [workflow.h]=workflow [workflow_find.h]=workflow
  [services.h]=services [redact.h]=services [credentials.h]=services [service_table.h]=services
  [graph.h]=review [doc.h]=review [diff.h]=review [lint.h]=review [chunk_facts.h]=review
  [file_kind.h]=review [op_docs.h]=review
  [engine.h]=engine
  [scenario.h]=scenario [backtest.h]=scenario
  [server.h]=server
  [cli.h]=cli
)

# Third-party headers (by the first part of their name): the layers that may
# include them. Lua's C API belongs to the host (lua/); the workflow loader,
# the bindings' bridge, the review tools' bytecode reader and scenario files
# read Lua values through it too.
declare -A external_layers=(
  [lua.h]="lua workflow services review scenario"
  [lauxlib.h]="lua workflow services review scenario"
  [lualib.h]="lua workflow services review scenario"
  [curl]="http"
  [sqlite3.h]="store"
  [libpq-fe.h]="store"
  [microhttpd.h]="sandbox server"
)

# A public header that includes a third-party header hands it to whoever
# includes it: hb/lua_json.h carries <lua.h>, so engine/ may not include it
# even though it may use lua/ (through the Lua-free hb/lua_host.h and
# hb/lua_call.h). CMake agrees: Lua's include path reaches only the layers
# listed for lua.h above.
declare -A carries=()
for f in include/hb/*.h; do
  carries[$(basename "$f")]=$(grep -hoE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<[^>]+>' "$f" |
    sed -E 's/.*<([^>/]+)(\/[^>]*)?>.*/\1/' | while read -r key; do
      [ -n "${external_layers[$key]+x}" ] && printf '%s ' "$key"
    done)
done

allowed() { # allowed FROM TO
  [ "$1" = "$2" ] && return 0
  [ "$2" = base ] && return 0
  local u
  for u in ${uses[$1]:-}; do [ "$u" = "$2" ] && return 0; done
  return 1
}

bad=0
report() { echo "layering: $*" >&2; bad=$((bad + 1)); }

for dir in runtime/*/; do
  layer=$(basename "$dir")
  if [ -z "${uses[$layer]+x}" ]; then
    report "runtime/$layer/ is not a known layer: add it to tests/layering_check.sh and runtime/README.md"
    continue
  fi
  while IFS=: read -r file line text; do
    inc=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*//' <<<"$text")
    case "$inc" in
      \"hb/*\")
        h=${inc#\"hb/}; h=${h%\"}
        to=${header_layer[$h]:-}
        if [ -z "$to" ]; then
          report "$file:$line: include/hb/$h has no layer: add it to tests/layering_check.sh"
        elif ! allowed "$layer" "$to"; then
          report "$file:$line: $layer/ includes hb/$h of $to/, which $layer/ may not use (allowed: ${uses[$layer]:-none} base)"
        else
          for key in ${carries[$h]:-}; do
            ok=0
            for l in ${external_layers[$key]}; do [ "$l" = "$layer" ] && ok=1; done
            [ $ok = 1 ] || report "$file:$line: $layer/ includes hb/$h, which brings <$key>, which only ${external_layers[$key]} may use"
          done
        fi ;;
      \"*\")
        h=${inc#\"}; h=${h%\"}
        [ -f "$dir$h" ] || report "$file:$line: \"$h\" is not a header of $layer/ (internal headers stay in their folder)" ;;
      \<*\>)
        h=${inc#<}; h=${h%>}; key=${h%%/*}
        if [ -n "${external_layers[$key]+x}" ]; then
          ok=0
          for l in ${external_layers[$key]}; do [ "$l" = "$layer" ] && ok=1; done
          [ $ok = 1 ] || report "$file:$line: $layer/ includes <$h>, which only ${external_layers[$key]} may use"
        fi ;;
    esac
  done < <(grep -nE '^[[:space:]]*#[[:space:]]*include' "$dir"*.c "$dir"*.h 2>/dev/null | sed -E 's/^([^:]*):([0-9]+):/\1:\2:/')
done

# Public headers follow the same arrows.
for f in include/hb/*.h; do
  h=$(basename "$f")
  from=${header_layer[$h]:-}
  if [ -z "$from" ]; then report "$f has no layer: add it to tests/layering_check.sh"; continue; fi
  while IFS=: read -r line text; do
    inc=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*//' <<<"$text")
    case "$inc" in
      \"hb/*\")
        t=${inc#\"hb/}; t=${t%\"}; to=${header_layer[$t]:-}
        [ -n "$to" ] && ! allowed "$from" "$to" && report "$f:$line: a $from/ header includes hb/$t of $to/" ;;
      \<*\>)
        t=${inc#<}; t=${t%>}; key=${t%%/*}
        if [ -n "${external_layers[$key]+x}" ]; then
          ok=0
          for l in ${external_layers[$key]}; do [ "$l" = "$from" ] && ok=1; done
          [ $ok = 1 ] || report "$f:$line: a $from/ header includes <$t>, which only ${external_layers[$key]} may use"
        fi ;;
    esac
  done < <(grep -nE '^[[:space:]]*#[[:space:]]*include' "$f")
done

[ "$(find runtime -maxdepth 1 -name '*.c' ! -name main.c | wc -l)" = 0 ] ||
  report "runtime/ holds C files outside a layer folder: $(find runtime -maxdepth 1 -name '*.c' ! -name main.c | tr '\n' ' ')"

if [ $bad -gt 0 ]; then
  echo "layering: $bad problem(s)" >&2
  exit 1
fi
echo "layering: $(ls -d runtime/*/ | wc -l) layers, every include points down"
