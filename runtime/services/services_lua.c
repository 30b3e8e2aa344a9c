/* The bindings' Lua surface: internal functions in the stdlib environment
 * (`hbi`, never visible to workflows) over hb_services_call. stdlib/
 * zendesk.lua, gitlab.lua, zuora.lua and salesforce.lua build the
 * intent-level operations on them.
 *
 *   hbi.request{service=, op=, method=, path=, query=, body=, form=, object=,
 *               marker=}
 *     What the request may do is its operation's (service_table.h): C
 *     refuses an operation it does not know, another service's, a service
 *     outside the workflow's `uses`, a method or a write's path the
 *     operation does not use, and decides whether it writes (dry run,
 *     intent), may be repeated and what `forbid` sees, from the table and
 *     the body. Nothing else the spec says is believed.
 *     -> {status=, body=, headers={...}, planned=}     on success
 *     -> nil, err                                      when the service
 *        refused or could not be reached; err is the uniform error table
 *        {service, status, code, message, details, request_id} with a
 *        __tostring
 *     raises a string for misuse, a forbidden operation or configuration
 *   hbi.escape(s)        percent-encodes a path segment or query value
 *   hbi.marker()         -> marker, pending, since: the next exactly-once
 *        marker of this step (nil outside a step), whether an interrupted
 *        execution recorded an intent with it, and the RFC 3339 time (to the
 *        second) after which the change would have been made, less
 *        ONCE_CLOCK_SKEW_S for a service clock that runs behind ours
 *   hbi.reconciled{service=, op=, object=, marker=, found=} audits a change
 *        found by its marker instead of written again
 *   hbi.service_error(t) gives a table the uniform error's metatable
 *   hbi.created{service=, op=, object=, created=} audits the key of an object a
 *        write created (known from its reply)
 *   hbi.web_base(service) -> the base URL of the service's web pages (links
 *        for people: hb_services_web_base), or nil when it is not configured
 *
 * The hb_services lives in the Lua registry (the engine owns the host's
 * userdata slot). Errors are raised only after C has freed what it owns. */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "hb/http.h"
#include "hb/clock.h"
#include "hb/lua_host.h"
#include "hb/lua_json.h"
#include "hb/services.h"
#include "hb/util.h"
#include "services_internal.h"

#define SERVICES_KEY "hb.services"
#define ERROR_MT     "hb.service_error"
#define STATUS_KEY   "hb.services.raised"
#define OUTAGE_KEY   "hb.services.outage"

/* The uniform error's status: 0 when the service was not reached. */
static bool is_outage(const cJSON *error)
{
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(error, "status");
    int code = cJSON_IsNumber(status) ? (int)status->valuedouble : 0;
    return code == 0 || code == 408 || code == 429 || code >= 500;
}

static hb_services *services_of(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, SERVICES_KEY);
    hb_services *s = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return s;
}

/* Pushes t[name] and returns it as a string, NULL when nil; raises when it
 * is something else (nothing is allocated yet when this runs). */
static const char *opt_string_field(lua_State *L, int t, const char *name)
{
    int type = lua_getfield(L, t, name);
    if (type == LUA_TNIL)
        return NULL;
    if (type != LUA_TSTRING && type != LUA_TNUMBER)
        luaL_error(L, "hbi.request: field '%s' must be a string", name);
    return lua_tostring(L, -1);
}

typedef struct query_pair {
    const char *key;
    const char *value;
} query_pair;

static int compare_pairs(const void *a, const void *b)
{
    return strcmp(((const query_pair *)a)->key, ((const query_pair *)b)->key);
}

static void add_escaped(luaL_Buffer *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            luaL_addchar(b, (char)*p);
        } else {
            luaL_addchar(b, '%');
            luaL_addchar(b, hex[*p >> 4]);
            luaL_addchar(b, hex[*p & 15]);
        }
    }
}

/* Pushes the query at idx as one string: keys sorted, so the audit path is
 * stable. A table's values must be strings, numbers or booleans. All the
 * memory here belongs to Lua (an anchor table, a userdata for the sort), so
 * an error raised midway leaks nothing. */
static const char *push_query(lua_State *L, int idx)
{
    if (lua_isnoneornil(L, idx) || lua_type(L, idx) == LUA_TSTRING) {
        lua_pushvalue(L, idx);
        return lua_tostring(L, -1);
    }
    if (!lua_istable(L, idx))
        luaL_error(L, "hbi.request: query must be a string or a table");
    hb_lua_push_unfrozen(L, idx); /* a stdlib table is a read-only view */
    lua_replace(L, idx);
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        int vt = lua_type(L, -1);
        if (lua_type(L, -2) != LUA_TSTRING ||
            (vt != LUA_TSTRING && vt != LUA_TNUMBER && vt != LUA_TBOOLEAN))
            luaL_error(L, "hbi.request: query keys must be strings, values scalars");
        n++;
        lua_pop(L, 1);
    }
    query_pair *pairs = lua_newuserdatauv(L, (n ? n : 1) * sizeof *pairs, 0);
    lua_newtable(L); /* anchors the converted strings */
    int anchor = lua_gettop(L);
    size_t i = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        pairs[i].value = luaL_tolstring(L, -1, NULL);
        lua_rawseti(L, anchor, (lua_Integer)(2 * i + 2));
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        pairs[i].key = lua_tostring(L, -1);
        lua_rawseti(L, anchor, (lua_Integer)(2 * i + 1));
        i++;
    }
    qsort(pairs, n, sizeof *pairs, compare_pairs);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (i = 0; i < n; i++) {
        if (i)
            luaL_addchar(&b, '&');
        add_escaped(&b, pairs[i].key);
        luaL_addchar(&b, '=');
        add_escaped(&b, pairs[i].value);
    }
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

static int push_json_unprotected(lua_State *L)
{
    hb_json_push(L, lua_touserdata(L, 1));
    return 1;
}

/* Pushes a cJSON value; on failure pushes the message instead and returns
 * false, so the caller frees before raising. */
static bool push_json(lua_State *L, const cJSON *v)
{
    lua_pushcfunction(L, push_json_unprotected);
    lua_pushlightuserdata(L, (void *)v);
    return lua_pcall(L, 1, 1, 0) == LUA_OK;
}

static int push_result_unprotected(lua_State *L)
{
    const hb_service_response *r = lua_touserdata(L, 1);
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, r->status);
    lua_setfield(L, -2, "status");
    lua_pushboolean(L, r->planned);
    lua_setfield(L, -2, "planned");
    lua_newtable(L);
    const cJSON *h;
    cJSON_ArrayForEach(h, r->headers)
    {
        if (cJSON_IsString(h)) {
            lua_pushstring(L, h->valuestring);
            lua_setfield(L, -2, h->string);
        }
    }
    lua_setfield(L, -2, "headers");
    if (r->body) {
        hb_json_push(L, r->body);
        lua_setfield(L, -2, "body");
    }
    return 1;
}

/* Pushes the result table; on failure (an integer JSON cannot hold, memory)
 * pushes the message instead and returns false. */
static bool push_result(lua_State *L, const hb_service_response *r)
{
    lua_pushcfunction(L, push_result_unprotected);
    lua_pushlightuserdata(L, (void *)r);
    return lua_pcall(L, 1, 1, 0) == LUA_OK;
}

static int request(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    hb_services *s = services_of(L);
    if (!s)
        return luaL_error(L, "hbi.request: no services are open in this state");
    luaL_checkstack(L, 40, NULL);
    hb_service_request req = {0};
    req.service = opt_string_field(L, 1, "service");
    req.op = opt_string_field(L, 1, "op");
    req.method = opt_string_field(L, 1, "method");
    req.path = opt_string_field(L, 1, "path");
    req.form = opt_string_field(L, 1, "form");
    req.object = opt_string_field(L, 1, "object");
    req.marker = opt_string_field(L, 1, "marker");
    if (!req.op || !req.method || !req.path)
        return luaL_error(L, "hbi.request needs op, method and path");
    lua_getfield(L, 1, "query");
    req.query = push_query(L, lua_gettop(L));

    /* From here C owns memory: every exit frees before raising. */
    hb_err e;
    hb_err_clear(&e);
    cJSON *body = NULL;
    if (lua_getfield(L, 1, "body") != LUA_TNIL) {
        body = hb_json_from_lua(L, lua_gettop(L), "body", &e);
        if (!body)
            return luaL_error(L, "%s: %s", req.op, e.msg);
    }
    req.body = body;
    hb_service_response resp;
    int64_t t0 = hb_clock_monotonic_us();
    hb_status st = hb_services_call(s, &req, &resp, &e);
    hb_lua_exclude_time(hb_lua_from_state(L), hb_clock_monotonic_us() - t0);
    cJSON_Delete(body);

    int nret = 0;
    bool pushed = true;
    if (st == HB_OK) {
        pushed = push_result(L, &resp);
        nret = 1;
    } else if (st == HB_EFAILED && resp.error) {
        if (is_outage(resp.error)) {
            lua_pushboolean(L, 1);
            lua_setfield(L, LUA_REGISTRYINDEX, OUTAGE_KEY);
        }
        lua_pushnil(L);
        pushed = push_json(L, resp.error);
        if (pushed)
            luaL_setmetatable(L, ERROR_MT);
        nret = 2;
    }
    hb_service_response_free(&resp);
    if (!pushed)
        return lua_error(L); /* the conversion's message is on top */
    if (nret == 0) {
        /* Kept for the embedder: a raised string cannot say whether the
         * store failed (exit 5) or a credential is missing (exit 2). */
        lua_pushinteger(L, st);
        lua_setfield(L, LUA_REGISTRYINDEX, STATUS_KEY);
        return luaL_error(L, "%s", e.msg);
    }
    return nret;
}

/* Service clocks may run behind this host's: a change made just after the
 * intent may carry a time up to this much earlier. */
#define ONCE_CLOCK_SKEW_S 300

static int marker(lua_State *L)
{
    hb_services *s = services_of(L);
    char m[512];
    const char *since = NULL;
    if (!s || !hb_services_next_marker(s, m, sizeof m, &since)) {
        lua_pushnil(L);
        return 1;
    }
    hb_time_us from = hb_clock_time(s->cfg.clock);
    hb_err ignored;
    if (since && hb_time_parse(since, &from, &ignored) != HB_OK)
        from = hb_clock_time(s->cfg.clock);
    char text[32];
    hb_time_format_seconds(from - (hb_time_us)ONCE_CLOCK_SKEW_S * 1000000, text);
    lua_pushstring(L, m);
    lua_pushboolean(L, since != NULL);
    lua_pushstring(L, text);
    return 3;
}

static int reconciled(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    hb_services *s = services_of(L);
    if (!s)
        return luaL_error(L, "hbi.reconciled: no services are open in this state");
    const char *service = opt_string_field(L, 1, "service");
    const char *op = opt_string_field(L, 1, "op");
    const char *object = opt_string_field(L, 1, "object");
    const char *m = opt_string_field(L, 1, "marker");
    const char *found = opt_string_field(L, 1, "found");
    if (!service || !op || !m || !found)
        return luaL_error(L, "hbi.reconciled needs service, op, marker and found");
    hb_err e;
    hb_err_clear(&e);
    hb_status st = hb_services_audit_reconciled(s, service, op, object, m, found, &e);
    if (st != HB_OK) {
        lua_pushinteger(L, st);
        lua_setfield(L, LUA_REGISTRYINDEX, STATUS_KEY);
        return luaL_error(L, "%s", e.msg);
    }
    return 0;
}

static int created(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    hb_services *s = services_of(L);
    if (!s)
        return luaL_error(L, "hbi.created: no services are open in this state");
    const char *service = opt_string_field(L, 1, "service");
    const char *op = opt_string_field(L, 1, "op");
    const char *in = opt_string_field(L, 1, "object");
    const char *key = opt_string_field(L, 1, "created");
    if (!service || !op || !key)
        return luaL_error(L, "hbi.created needs service, op and created");
    hb_err e;
    hb_err_clear(&e);
    hb_status st = hb_services_audit_created(s, service, op, in, key, &e);
    if (st != HB_OK) {
        lua_pushinteger(L, st);
        lua_setfield(L, LUA_REGISTRYINDEX, STATUS_KEY);
        return luaL_error(L, "%s", e.msg);
    }
    return 0;
}

static int web_base(lua_State *L)
{
    const char *service = luaL_checkstring(L, 1);
    hb_services *s = services_of(L);
    char *base = s ? hb_services_web_base(s, service) : NULL;
    if (base)
        lua_pushstring(L, base);
    else
        lua_pushnil(L);
    free(base);
    return 1;
}

static int escape(lua_State *L)
{
    const char *s = luaL_checkstring(L, 1);
    char *out = hb_http_escape(s);
    lua_pushstring(L, out);
    free(out);
    return 1;
}

static int service_error(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    luaL_setmetatable(L, ERROR_MT);
    return 1;
}

/* "zendesk answered 404 RecordNotFound: Not found" */
static int error_tostring(lua_State *L)
{
    lua_getfield(L, 1, "service");
    lua_getfield(L, 1, "status");
    lua_getfield(L, 1, "code");
    lua_getfield(L, 1, "message");
    const char *service = luaL_optstring(L, 2, "service");
    lua_Integer status = lua_isinteger(L, 3) ? lua_tointeger(L, 3) : 0;
    const char *code = luaL_optstring(L, 4, "");
    const char *message = luaL_optstring(L, 5, "");
    if (status > 0)
        lua_pushfstring(L, "%s answered %d %s: %s", service, (int)status, code, message);
    else
        lua_pushfstring(L, "%s could not be reached: %s", service, message);
    return 1;
}

bool hb_services_lua_take_outage(hb_lua *h)
{
    lua_State *L = hb_lua_state(h);
    lua_getfield(L, LUA_REGISTRYINDEX, OUTAGE_KEY);
    bool outage = lua_toboolean(L, -1);
    lua_pop(L, 1);
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, OUTAGE_KEY);
    return outage;
}

hb_status hb_services_lua_last_status(hb_lua *h)
{
    lua_State *L = hb_lua_state(h);
    lua_getfield(L, LUA_REGISTRYINDEX, STATUS_KEY);
    hb_status st = lua_isinteger(L, -1) ? (hb_status)lua_tointeger(L, -1) : HB_OK;
    lua_pop(L, 1);
    return st;
}

hb_status hb_services_open_lua(hb_services *s, hb_lua *h, hb_err *e)
{
    lua_State *L = hb_lua_state(h);
    if (!lua_checkstack(L, 4))
        return hb_err_set(e, HB_EINTERNAL, "Lua stack exhausted opening the services");
    lua_pushlightuserdata(L, s);
    lua_setfield(L, LUA_REGISTRYINDEX, SERVICES_KEY);
    if (luaL_newmetatable(L, ERROR_MT)) {
        lua_pushcfunction(L, error_tostring);
        lua_setfield(L, -2, "__tostring");
        lua_pushstring(L, "service error");
        lua_setfield(L, -2, "__name");
    }
    lua_pop(L, 1);
    hb_lua_register_internal(h, "request", request);
    hb_lua_register_internal(h, "escape", escape);
    hb_lua_register_internal(h, "marker", marker);
    hb_lua_register_internal(h, "reconciled", reconciled);
    hb_lua_register_internal(h, "service_error", service_error);
    hb_lua_register_internal(h, "web_base", web_base);
    hb_lua_register_internal(h, "created", created);
    return HB_OK;
}
