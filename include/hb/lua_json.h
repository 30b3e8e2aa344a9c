/* JSON <-> Lua conversion (README "The workflow format": JSON values in Lua):
 *  - integral numbers become Lua integers, others floats; an integer whose
 *    magnitude is 2^53 or more is refused rather than rounded (cJSON keeps
 *    doubles: 2^53 + 1 already arrives as 2^53, so 2^53 cannot be trusted);
 *  - arrays and objects carry marker metatables (json.array / json.object)
 *    so that [] and {} survive a round trip. The markers are protected:
 *    getmetatable(t) gives "json.array" / "json.object", and setmetatable
 *    on a marked table raises;
 *  - null is the light userdata sentinel json.null;
 *  - nesting is bounded: 200 levels of arrays / objects / tables.
 * Also the `json` library given to both sandbox environments:
 *   json.encode(v)  compact text, object keys sorted (byte order); raises
 *                   naming the path of a value JSON cannot hold;
 *   json.decode(s)  raises "invalid JSON at line L, column C (byte B)";
 *   json.null, json.array([t]), json.object([t])  (mark t, or a new table,
 *                   and return it; a table with another metatable is
 *                   refused). */
#ifndef HB_LUA_JSON_H
#define HB_LUA_JSON_H

#include <cjson/cJSON.h>
#include <lua.h>

#include "hb/error.h"
#include "hb/json_print.h"

/* Pushes the Lua value of a cJSON tree. Raises a Lua error on an integer
 * cJSON cannot hold exactly or on nesting beyond the limit, leaving the tree
 * to the caller: call it under protection, or use the non-raising
 * hb_json_push_text. */
void hb_json_push(lua_State *L, const cJSON *v);

/* Converts the Lua value at idx; never raises and runs no Lua code (tables
 * are read raw). On failure returns NULL and sets e (HB_EFAILED) with the
 * path of the offending value ("vars.customer.tags[3]: a function cannot be
 * stored as JSON"); root_name starts the path ("vars"; "value" when NULL).
 * A table with string keys only is an object, with keys 1..n only an
 * array; an empty table is an object unless marked json.array (use
 * json.array{} for an empty list). Object keys come out sorted. Errors:
 * mixed keys, holes, other key types, a json.object with number keys,
 * functions, userdata other than json.null, NaN and infinities, integral
 * numbers of magnitude 2^53 or more, strings that are not UTF-8 or hold a
 * NUL byte, cycles, nesting beyond 200 levels. nil converts to null. */
cJSON *hb_json_from_lua(lua_State *L, int idx, const char *root_name, hb_err *e);

/* Parses text and pushes the value; never raises. Returns 1 (one value
 * pushed) on success, 0 with nothing pushed and e set on failure: HB_EUSAGE
 * "invalid JSON at line L, column C (byte B)" for bad text or trailing
 * garbage, or the integer / nesting refusal above. */
int hb_json_push_text(lua_State *L, const char *text, size_t len, hb_err *e);

/* Registers the json library (returns it on the stack): a new table on
 * each call. */
int hb_luaopen_json(lua_State *L);

/* Pushes json.null. */
void hb_json_push_null(lua_State *L);

/* Pushes the array / object marker metatable (created on first use). */
void hb_json_push_array_mt(lua_State *L);
void hb_json_push_object_mt(lua_State *L);

#endif
