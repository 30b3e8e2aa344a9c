/* JSON <-> Lua conversion (DESIGN.md "JSON and Lua values"):
 *  - integral numbers become Lua integers; an integer beyond 2^53 is
 *    refused rather than rounded;
 *  - arrays and objects carry marker metatables (json.array / json.object)
 *    so that [] and {} survive a round trip;
 *  - null is the light userdata sentinel json.null.
 * Also the `json` library given to workflows: json.encode, json.decode,
 * json.null, json.array(t), json.object(t). */
#ifndef HB_LUA_JSON_H
#define HB_LUA_JSON_H

#include <cjson/cJSON.h>
#include <lua.h>

#include "hb/error.h"

/* Pushes the Lua value of a cJSON tree. Raises a Lua error on an integer
 * cJSON cannot hold exactly. Call under protection or check with the
 * non-raising form below. */
void hb_json_push(lua_State *L, const cJSON *v);

/* Converts the Lua value at idx. On failure returns NULL and sets e with the
 * path of the offending value ("vars.customer.when: a function cannot be
 * stored as JSON"). root_name starts the path ("vars"). A table with string
 * keys only is an object, with keys 1..n only an array; an empty table is
 * an array when marked json.array, else an object... unless it has the
 * array marker. Mixed keys, non-string non-sequence keys, functions,
 * userdata other than json.null, NaN and infinities are errors; cycles are
 * errors. Depth is bounded (200). */
cJSON *hb_json_from_lua(lua_State *L, int idx, const char *root_name, hb_err *e);

/* Parses text and pushes the value; HB_EUSAGE with the parse position when
 * the text is not JSON. */
int hb_json_push_text(lua_State *L, const char *text, size_t len, hb_err *e);

/* Registers the json library (returns it on the stack). */
int hb_luaopen_json(lua_State *L);

/* Pushes json.null. */
void hb_json_push_null(lua_State *L);

/* Pushes the array / object marker metatable. */
void hb_json_push_array_mt(lua_State *L);
void hb_json_push_object_mt(lua_State *L);

#endif
