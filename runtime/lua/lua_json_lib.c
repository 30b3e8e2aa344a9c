/* JSON -> Lua values and the sandbox's `json` library: json.encode,
 * json.decode, json.null, json.array, json.object.
 *
 * A parsed tree is checked first (integers cJSON could not hold exactly,
 * depth) and then pushed under lua_pcall, so the tree is always freed
 * before an error reaches the caller. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "hb/lua_json.h"
#include "lua_json_internal.h"

static bool is_whole(double d)
{
    return isfinite(d) && d == floor(d);
}

/* --- JSON -> Lua ---------------------------------------------------------- */

static void push_value(lua_State *L, const cJSON *v, int depth);

static void push_container(lua_State *L, const cJSON *v, int depth)
{
    if (depth >= HB_JSON_MAX_DEPTH)
        luaL_error(L, "JSON nested deeper than %d levels", HB_JSON_MAX_DEPTH);
    luaL_checkstack(L, 4, "JSON nested too deeply");
    int n = cJSON_GetArraySize(v);
    bool array = cJSON_IsArray(v);
    lua_createtable(L, array ? n : 0, array ? 0 : n);
    if (array)
        hb_json_push_array_mt(L);
    else
        hb_json_push_object_mt(L);
    lua_setmetatable(L, -2);
    lua_Integer i = 1;
    for (const cJSON *item = v->child; item; item = item->next) {
        if (array) {
            push_value(L, item, depth + 1);
            lua_rawseti(L, -2, i++);
        } else {
            lua_pushstring(L, item->string);
            push_value(L, item, depth + 1);
            lua_rawset(L, -3);
        }
    }
}

static void push_value(lua_State *L, const cJSON *v, int depth)
{
    if (cJSON_IsNull(v)) {
        hb_json_push_null(L);
    } else if (cJSON_IsBool(v)) {
        lua_pushboolean(L, cJSON_IsTrue(v));
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (!is_whole(d))
            lua_pushnumber(L, d);
        else if (fabs(d) <= HB_JSON_MAX_EXACT_INTEGER)
            lua_pushinteger(L, (lua_Integer)d);
        else
            luaL_error(L, "integer %.0f cannot be represented exactly (beyond 2^53)", d);
    } else if (cJSON_IsString(v)) {
        lua_pushstring(L, v->valuestring);
    } else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        push_container(L, v, depth);
    } else {
        luaL_error(L, "unsupported JSON value");
    }
}

void hb_json_push(lua_State *L, const cJSON *v)
{
    push_value(L, v, 0);
}

/* What push_value would refuse, found without raising. */
static hb_status check_tree(const cJSON *v, int depth, hb_err *e)
{
    if (cJSON_IsNumber(v) && is_whole(v->valuedouble) &&
        fabs(v->valuedouble) > HB_JSON_MAX_EXACT_INTEGER)
        return hb_err_set(e, HB_EUSAGE, "integer %.0f cannot be represented exactly (beyond 2^53)",
                          v->valuedouble);
    if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
        return HB_OK;
    if (depth >= HB_JSON_MAX_DEPTH)
        return hb_err_set(e, HB_EUSAGE, "JSON nested deeper than %d levels", HB_JSON_MAX_DEPTH);
    for (const cJSON *item = v->child; item; item = item->next) {
        hb_status st = check_tree(item, depth + 1, e);
        if (st != HB_OK)
            return st;
    }
    return HB_OK;
}

static int push_tree_protected(lua_State *L)
{
    push_value(L, lua_touserdata(L, 1), 0);
    return 1;
}

static hb_status parse_error(const char *text, size_t len, size_t offset, const char *what,
                             hb_err *e)
{
    if (offset > len)
        offset = len;
    size_t line = 1, column = 1;
    for (size_t i = 0; i < offset; i++) {
        if (text[i] == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
    }
    return hb_err_set(e, HB_EUSAGE, "%s at line %zu, column %zu (byte %zu)", what, line, column,
                      offset + 1);
}

int hb_json_push_text(lua_State *L, const char *text, size_t len, hb_err *e)
{
    const char *end = NULL;
    cJSON *tree = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!tree) {
        parse_error(text, len, end ? (size_t)(end - text) : 0, "invalid JSON", e);
        return 0;
    }
    size_t rest = (size_t)(end - text);
    while (rest < len && strchr(" \t\r\n", text[rest]) && text[rest])
        rest++;
    if (rest < len) {
        cJSON_Delete(tree);
        parse_error(text, len, rest, "unexpected text after the JSON value", e);
        return 0;
    }
    if (check_tree(tree, 0, e) != HB_OK) {
        cJSON_Delete(tree);
        return 0;
    }
    lua_pushcfunction(L, push_tree_protected);
    lua_pushlightuserdata(L, tree);
    int rc = lua_pcall(L, 1, 1, 0);
    cJSON_Delete(tree);
    if (rc != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        hb_err_set(e, HB_EINTERNAL, "cannot convert the JSON value: %s", msg ? msg : "error");
        lua_pop(L, 1);
        return 0;
    }
    return 1;
}

/* --- the json library ------------------------------------------------------ */

static int push_cstring(lua_State *L)
{
    lua_pushstring(L, lua_touserdata(L, 1));
    return 1;
}

static int json_encode(lua_State *L)
{
    luaL_checkany(L, 1);
    hb_err e;
    cJSON *tree = hb_json_from_lua(L, 1, "value", &e);
    if (!tree)
        return luaL_error(L, "json.encode: %s", e.msg);
    char *text = hb_json_print(tree);
    cJSON_Delete(tree);
    /* Pushing may raise (memory); the C string must be freed first. */
    lua_pushcfunction(L, push_cstring);
    lua_pushlightuserdata(L, text);
    int rc = lua_pcall(L, 1, 1, 0);
    free(text);
    if (rc != LUA_OK)
        return lua_error(L);
    return 1;
}

static int json_decode(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    hb_err e;
    if (!hb_json_push_text(L, text, len, &e))
        return luaL_error(L, "json.decode: %s", e.msg);
    return 1;
}

/* json.array(t) / json.object(t): marks t (a new table when absent) and
 * returns it. A table with a metatable of its own is refused: replacing it
 * would silently change how the table behaves. */
static int mark_table(lua_State *L, bool array)
{
    const char *fn = array ? "json.array" : "json.object";
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_newtable(L);
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    if (hb_json_table_marker(L, 1) == HB_JSON_OTHER_META)
        return luaL_error(L, "%s: the table already has a metatable of its own", fn);
    if (array)
        hb_json_push_array_mt(L);
    else
        hb_json_push_object_mt(L);
    lua_setmetatable(L, 1);
    return 1;
}

static int json_array(lua_State *L)
{
    return mark_table(L, true);
}

static int json_object(lua_State *L)
{
    return mark_table(L, false);
}

int hb_luaopen_json(lua_State *L)
{
    static const luaL_Reg functions[] = {{"encode", json_encode},
                                         {"decode", json_decode},
                                         {"array", json_array},
                                         {"object", json_object},
                                         {NULL, NULL}};
    luaL_newlib(L, functions);
    hb_json_push_null(L);
    lua_setfield(L, -2, "null");
    return 1;
}
