/* Lua values -> JSON (README "The workflow format": JSON values in Lua), plus the marker
 * metatables and the null sentinel shared with lua_json_lib.c.
 *
 * The conversion never raises: it reads tables raw (no metamethods, no Lua
 * code runs), allocates only C memory, and names the path of the first
 * value it cannot store. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "hb/lua_json.h"
#include "hb/util.h"
#include "lua_host_internal.h"
#include "lua_json_internal.h"

#define MAX_DEPTH         HB_JSON_MAX_DEPTH
#define MAX_EXACT_INTEGER HB_JSON_MAX_EXACT_INTEGER

static const char null_sentinel = 0;
static const char key_array_mt = 0;
static const char key_object_mt = 0;

/* --- markers ------------------------------------------------------------ */

/* The marker metatables are protected (`__metatable` is their name): every
 * decoded table in the state shares them, so a script must not be able to
 * add an __index or __newindex to all of them at once. */
static void push_marker(lua_State *L, const void *key, const char *name)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, key) == LUA_TTABLE)
        return;
    lua_pop(L, 1);
    lua_createtable(L, 0, 2);
    lua_pushstring(L, name);
    lua_setfield(L, -2, "__name");
    lua_pushstring(L, name);
    lua_setfield(L, -2, "__metatable");
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, key);
}

void hb_json_push_array_mt(lua_State *L)
{
    push_marker(L, &key_array_mt, "json.array");
}

void hb_json_push_object_mt(lua_State *L)
{
    push_marker(L, &key_object_mt, "json.object");
}

void hb_json_push_null(lua_State *L)
{
    lua_pushlightuserdata(L, (void *)&null_sentinel);
}

/* Reads the marker without allocating (lua_rawgetp on light keys). */
hb_json_marker hb_json_table_marker(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    if (!lua_getmetatable(L, idx))
        return HB_JSON_UNMARKED;
    hb_json_marker m = HB_JSON_OTHER_META;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_array_mt);
    if (lua_rawequal(L, -1, -2))
        m = HB_JSON_ARRAY;
    lua_pop(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_object_mt);
    if (lua_rawequal(L, -1, -2))
        m = HB_JSON_OBJECT;
    lua_pop(L, 2);
    return m;
}

/* --- Lua -> JSON ----------------------------------------------------------- */

typedef struct to_json {
    lua_State *L;
    hb_err *e;
    char path[512];
    size_t path_len;
    const void *ancestors[MAX_DEPTH];
    int depth;
} to_json;

static cJSON *fail(to_json *c, const char *what)
{
    hb_err_set(c->e, HB_EFAILED, "%s: %s", c->path, what);
    return NULL;
}

/* Appends at most max bytes of text to the error path, truncating quietly. */
static void path_append(to_json *c, const char *text, size_t max)
{
    size_t room = sizeof c->path - c->path_len - 1;
    size_t n = strnlen(text, max);
    if (n > room)
        n = room;
    memcpy(c->path + c->path_len, text, n);
    c->path_len += n;
    c->path[c->path_len] = '\0';
}

static void path_push_index(to_json *c, lua_Integer index)
{
    char buf[32];
    snprintf(buf, sizeof buf, "[%lld]", (long long)index);
    path_append(c, buf, sizeof buf);
}

static void path_pop(to_json *c, size_t len)
{
    c->path_len = len;
    c->path[len] = '\0';
}

static bool is_identifier(const char *s, size_t len)
{
    if (len == 0 || len > 64 || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_'))
            return false;
    }
    return true;
}

static void path_push_key(to_json *c, const char *key, size_t len)
{
    if (is_identifier(key, len)) {
        path_append(c, ".", 1);
        path_append(c, key, len);
    } else {
        path_append(c, "[\"", 2);
        path_append(c, key, len < 40 ? len : 40);
        path_append(c, "\"]", 2);
    }
}

/* RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool valid_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char b = s[i];
        size_t n;
        uint32_t cp;
        if (b < 0x80) {
            i++;
            continue;
        } else if ((b & 0xE0) == 0xC0) {
            n = 1;
            cp = b & 0x1F;
        } else if ((b & 0xF0) == 0xE0) {
            n = 2;
            cp = b & 0x0F;
        } else if ((b & 0xF8) == 0xF0) {
            n = 3;
            cp = b & 0x07;
        } else {
            return false;
        }
        if (n >= len - i)
            return false; /* truncated sequence */
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        static const uint32_t min_for_length[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_for_length[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

static cJSON *value_to_json(to_json *c, int idx);

static cJSON *number_to_json(to_json *c, int idx)
{
    lua_State *L = c->L;
    char what[160];
    if (lua_isinteger(L, idx)) {
        lua_Integer i = lua_tointeger(L, idx);
        if (i > (lua_Integer)MAX_EXACT_INTEGER || i < -(lua_Integer)MAX_EXACT_INTEGER) {
            snprintf(what, sizeof what, "integer %lld cannot be represented exactly (beyond 2^53)",
                     (long long)i);
            return fail(c, what);
        }
        return cJSON_CreateNumber((double)i);
    }
    double d = lua_tonumber(L, idx);
    if (!isfinite(d))
        return fail(c, "NaN and infinity cannot be stored as JSON");
    if (d == floor(d) && fabs(d) > MAX_EXACT_INTEGER) {
        snprintf(what, sizeof what,
                 "number %.17g is a whole number beyond 2^53, which cannot be represented "
                 "exactly",
                 d);
        return fail(c, what);
    }
    return cJSON_CreateNumber(d);
}

static cJSON *string_to_json(to_json *c, int idx)
{
    size_t len;
    const char *s = lua_tolstring(c->L, idx, &len);
    if (strlen(s) != len)
        return fail(c, "a string containing a NUL byte cannot be stored as JSON");
    if (!valid_utf8((const unsigned char *)s, len))
        return fail(c, "a string that is not valid UTF-8 cannot be stored as JSON");
    return cJSON_CreateString(s);
}

typedef struct key_shape {
    size_t count, strings, integers;
    lua_Integer max_integer;
    int bad_key_type; /* LUA_TNONE when every key is a string or positive integer */
} key_shape;

static key_shape scan_keys(lua_State *L, int idx)
{
    key_shape k = {0, 0, 0, 0, LUA_TNONE};
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        k.count++;
        if (lua_type(L, -2) == LUA_TSTRING) {
            k.strings++;
        } else if (lua_isinteger(L, -2) && lua_tointeger(L, -2) >= 1) {
            k.integers++;
            if (lua_tointeger(L, -2) > k.max_integer)
                k.max_integer = lua_tointeger(L, -2);
        } else if (k.bad_key_type == LUA_TNONE) {
            k.bad_key_type = lua_type(L, -2);
        }
        lua_pop(L, 1);
    }
    return k;
}

static cJSON *array_to_json(to_json *c, int idx, lua_Integer n)
{
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        return fail(c, "out of memory");
    size_t saved = c->path_len;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(c->L, idx, i);
        path_push_index(c, i);
        cJSON *item = value_to_json(c, lua_gettop(c->L));
        path_pop(c, saved);
        lua_pop(c->L, 1);
        if (!item) {
            cJSON_Delete(arr);
            return NULL;
        }
        cJSON_AddItemToArray(arr, item);
    }
    return arr;
}

typedef struct member {
    const char *key; /* points into a Lua string kept alive by the table */
    size_t len;
    cJSON *value;
} member;

static int compare_members(const void *a, const void *b)
{
    const member *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int r = memcmp(x->key, y->key, n);
    return r ? r : (x->len > y->len) - (x->len < y->len);
}

/* Objects come out with their keys sorted, so the same table always gives
 * the same text (checkpoints and json.encode are deterministic). */
static cJSON *object_to_json(to_json *c, int idx, size_t count)
{
    lua_State *L = c->L;
    member *members = calloc(count ? count : 1, sizeof *members);
    cJSON *obj = cJSON_CreateObject();
    if (!members || !obj) {
        free(members);
        cJSON_Delete(obj);
        return fail(c, "out of memory");
    }
    size_t n = 0, saved = c->path_len;
    bool ok = true;
    lua_pushnil(L);
    while (ok && lua_next(L, idx)) {
        member *m = &members[n];
        m->key = lua_tolstring(L, -2, &m->len);
        path_push_key(c, m->key, m->len);
        if (strlen(m->key) != m->len)
            ok = fail(c, "a key containing a NUL byte cannot be stored as JSON") != NULL;
        else if (!valid_utf8((const unsigned char *)m->key, m->len))
            ok = fail(c, "a key that is not valid UTF-8 cannot be stored as JSON") != NULL;
        else
            ok = (m->value = value_to_json(c, lua_gettop(L))) != NULL;
        path_pop(c, saved);
        lua_pop(L, ok ? 1 : 2); /* on failure the key goes too: iteration stops */
        if (ok)
            n++;
    }
    if (ok)
        qsort(members, n, sizeof *members, compare_members);
    for (size_t i = 0; i < n; i++) {
        if (ok)
            cJSON_AddItemToObject(obj, members[i].key, members[i].value);
        else
            cJSON_Delete(members[i].value);
    }
    free(members);
    if (!ok) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

static cJSON *table_to_json(to_json *c, int idx)
{
    lua_State *L = c->L;
    if (c->depth >= MAX_DEPTH)
        return fail(c, "tables nested deeper than 200 levels cannot be stored as JSON");
    const void *self = lua_topointer(L, idx);
    for (int i = 0; i < c->depth; i++)
        if (c->ancestors[i] == self)
            return fail(c, "a table that contains itself cannot be stored as JSON");
    if (!lua_checkstack(L, 8))
        return fail(c, "not enough Lua stack to convert this value");

    hb_json_marker m = hb_json_table_marker(L, idx);
    key_shape k = scan_keys(L, idx);
    char what[200];
    if (k.bad_key_type != LUA_TNONE) {
        snprintf(what, sizeof what,
                 "a table with a %s key cannot be stored as JSON (keys must be strings, or "
                 "1..n for a list)",
                 lua_typename(L, k.bad_key_type));
        return fail(c, what);
    }
    if (k.strings && (k.integers || m == HB_JSON_ARRAY))
        return fail(c, "a table mixing list items and named keys cannot be stored as JSON");
    if (k.integers && m == HB_JSON_OBJECT)
        return fail(c, "a table marked json.object has number keys, which JSON objects cannot");
    if (k.integers && (size_t)k.max_integer != k.integers) {
        snprintf(what, sizeof what,
                 "a list with holes cannot be stored as JSON (%zu items, but index %lld)",
                 k.integers, (long long)k.max_integer);
        return fail(c, what);
    }

    c->ancestors[c->depth++] = self;
    cJSON *out = k.integers || (k.count == 0 && m == HB_JSON_ARRAY)
                     ? array_to_json(c, idx, (lua_Integer)k.integers)
                     : object_to_json(c, idx, k.count);
    c->depth--;
    return out;
}

static cJSON *value_to_json(to_json *c, int idx)
{
    lua_State *L = c->L;
    cJSON *out;
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        out = cJSON_CreateNull();
        break;
    case LUA_TBOOLEAN:
        out = cJSON_CreateBool(lua_toboolean(L, idx));
        break;
    case LUA_TNUMBER:
        return number_to_json(c, idx);
    case LUA_TSTRING:
        return string_to_json(c, idx);
    case LUA_TTABLE: {
        /* A stdlib table a workflow copied: convert what it shows. */
        if (!lua_checkstack(L, 2))
            return fail(c, "not enough Lua stack to convert this value");
        hb_lua_push_unfrozen(L, idx);
        out = table_to_json(c, lua_gettop(L));
        lua_pop(L, 1);
        return out;
    }
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == &null_sentinel) {
            out = cJSON_CreateNull();
            break;
        }
        return fail(c, "a userdata cannot be stored as JSON");
    default: {
        char what[96];
        snprintf(what, sizeof what, "a %s cannot be stored as JSON", luaL_typename(L, idx));
        return fail(c, what);
    }
    }
    return out ? out : fail(c, "out of memory");
}

cJSON *hb_json_from_lua(lua_State *L, int idx, const char *root_name, hb_err *e)
{
    to_json *c = calloc(1, sizeof *c);
    if (!c) {
        hb_err_set(e, HB_EINTERNAL, "out of memory");
        return NULL;
    }
    hb_err scratch;
    c->L = L;
    c->e = e ? e : &scratch;
    path_append(c, root_name && *root_name ? root_name : "value", 64);
    cJSON *out = value_to_json(c, lua_absindex(L, idx));
    free(c);
    return out;
}
