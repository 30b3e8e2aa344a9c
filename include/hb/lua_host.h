/* The sandboxed Lua host: one fresh lua_State per run with an allow-listed
 * environment, per-call instruction / wall-time / memory limits, a module
 * loader for stdlib/ and the workflow's lib/, and protected calls that turn
 * every Lua error into "file:line: message" plus a traceback. Run Lua code
 * only through hb_lua_load + hb_lua_pcall (or hb_lua_require): they arm the
 * limits.
 *
 * Two environments live in one state:
 *  - the workflow environment: assert error ipairs next pairs pcall xpcall
 *    print (to stderr: stdout is the results channel) rawequal rawget
 *    rawlen rawset (refuses the environments and stdlib modules) select
 *    setmetatable (refuses __gc) getmetatable tonumber tostring type
 *    _VERSION load (text only; env defaults to the caller's) require (not
 *    of hb's internal modules, hb.* other than the workflow language's
 *    hb.workflow, hb.when and hb.text; stdlib modules come as read-only
 *    views) collectgarbage ("count" only),
 *    and copies of string (no dump), table, math, utf8, coroutine, json and
 *    os = {time, date, clock}. Reading or writing an undeclared global
 *    raises "file:line: undeclared global 'x'"; the guard's metatable is
 *    protected (getmetatable(_ENV) is false, setmetatable raises);
 *  - the stdlib environment: the same, with its own copies of the library
 *    tables, plus `hbi`, a table of internal C functions (hbi.where, and
 *    whatever hb_lua_register_internal adds) that workflows never see, and
 *    a require that may load hb.*. Modules found under stdlib/ run in it;
 *    modules under lib/ do not.
 * Pattern matching (string.find/match/gmatch/gsub) is hb's own matcher,
 * which the limits reach (lua_patterns.c).
 * C code reading an environment must use lua_rawget*: the guard raises.
 *
 * This header names no Lua type but struct lua_State, so the layers that
 * must not touch Lua (engine/, cli/) can own a state and hand it on; they
 * call into it through hb/lua_call.h. The files that work the Lua stack
 * include <lua.h> themselves.
 */
#ifndef HB_LUA_HOST_H
#define HB_LUA_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hb/error.h"

struct lua_State;

/* All positive. instructions and wall_ms apply to each outermost
 * hb_lua_pcall; memory_bytes caps the whole state while Lua code runs under
 * hb_lua_pcall (C code pushing values between calls is not refused: it
 * could not recover). The instruction count is checked every 10000
 * instructions, so a limit is exact to that granularity. */
typedef struct hb_lua_limits {
    int64_t instructions; /* HB_STEP_INSTRUCTIONS, default 100000000 */
    int64_t wall_ms;      /* HB_STEP_TIMEOUT_MS, default 30000 */
    size_t memory_bytes;  /* HB_LUA_MEMORY_MB (in MiB), default 256 */
} hb_lua_limits;

/* The settings above (hb/settings.h: their defaults and bounds). HB_EUSAGE
 * naming the variable when one is not understood or out of bounds. */
hb_status hb_lua_limits_from_env(hb_lua_limits *l, hb_err *e);

/* Module resolution. require("a.b") (names: letters, digits, '_' and '-'
 * separated by dots) asks lookup, else reads stdlib_dir/a/b.lua, else
 * workflow_dir/lib/a/b.lua. Each module runs once per state. The hooks let
 * the engine pin every module a run loads (fresh run) or serve the pinned
 * text (resumed run); a hook's error becomes a Lua error at the require. */
typedef struct hb_lua_modules {
    const char *stdlib_dir;   /* required */
    const char *workflow_dir; /* folder of the workflow file; lib/ below it; may be NULL */
    /* Called before the file search; return HB_OK with *content set (owned by
     * the callee until the state is closed) and *is_stdlib (which
     * environment it runs in) to serve a pinned text; HB_EUSAGE (or HB_OK
     * with *content NULL) to fall through to the files; any other status
     * fails the require with e->msg. May be NULL. */
    hb_status (*lookup)(void *ud, const char *module, const char **content, size_t *len,
                        bool *is_stdlib, hb_err *e);
    /* Called after a module's text was read from a file (not for texts
     * lookup served). path starts with stdlib_dir for stdlib modules. A
     * status other than HB_OK fails the require with e->msg. May be NULL. */
    hb_status (*loaded)(void *ud, const char *module, const char *path, const char *content,
                        size_t len, hb_err *e);
    void *ud;
} hb_lua_modules;

typedef struct hb_lua hb_lua;

/* A fresh state with both environments. The strings in modules are copied;
 * modules->ud must outlive the state. NULL with e set on failure (HB_EUSAGE
 * for bad limits, HB_EINTERNAL otherwise). */
hb_lua *hb_lua_new(const hb_lua_limits *limits, const hb_lua_modules *modules, hb_err *e);
void hb_lua_free(hb_lua *h);
struct lua_State *hb_lua_state(hb_lua *h);

/* Pushes the workflow environment table / the stdlib environment table. */
void hb_lua_push_workflow_env(hb_lua *h);
void hb_lua_push_stdlib_env(hb_lua *h);

/* Registers a C function in the `hbi` internal table (stdlib only). The
 * function finds its host with hb_lua_from_state. */
void hb_lua_register_internal(hb_lua *h, const char *name, int (*fn)(struct lua_State *L));

/* What the workflow environment offers, read from the environment itself
 * (the sandbox's allow-list, whatever the embedder added with
 * hb_lua_set_workflow_global, the library tables), without running
 * anything: for lint, which must agree with what runs. Names point into
 * the state and stay valid while it lives.
 *  hb_lua_workflow_globals: up to max global names (in no order);
 *  hb_lua_workflow_member: is lib a table global offering member?
 *  hb_lua_workflow_members: up to max of lib's members, in the order the
 *    sandbox offers them; 0 when lib is not a table. */
size_t hb_lua_workflow_globals(hb_lua *h, const char **out, size_t max);
bool hb_lua_workflow_member(hb_lua *h, const char *lib, const char *member);
size_t hb_lua_workflow_members(hb_lua *h, const char *lib, const char **out, size_t max);

/* Modules from stdlib/ are handed out as read-only views (an empty table
 * whose protected metatable reads through, and refuses assignments, down
 * to nested tables). C code that reads tables raw (lua_next, lua_rawget)
 * must read what a view shows: this pushes the table a view at idx shows,
 * or the value at idx itself. */
void hb_lua_push_unfrozen(struct lua_State *L, int idx);

/* Adds a global to the workflow environment (services in `uses`, DSL
 * constructors), bypassing the guard: pops the value from the stack. */
void hb_lua_set_workflow_global(hb_lua *h, const char *name);

/* Loads text (never bytecode) as a chunk whose _ENV is the workflow env
 * (stdlib_env = false) or the stdlib env; pushes the function. chunkname is
 * shown in messages: pass the file path (an "@" is added). Syntax errors:
 * HB_EUSAGE with "file:line: message", nothing pushed. */
hb_status hb_lua_load(hb_lua *h, const char *chunkname, const char *src, size_t len,
                      bool stdlib_env, hb_err *e);

/* Runs require(module) from C under hb_lua_pcall, pushing its result on
 * success; on failure pushes nothing and e says why (HB_EFAILED). */
hb_status hb_lua_require(hb_lua *h, const char *module, hb_err *e);

/* lua_pcall of the function below nargs arguments, with a traceback
 * handler and the limits armed (by the outermost call only: a nested call
 * shares the limits of the call it runs in). On success leaves nresults
 * results. On error leaves nothing (function and arguments are gone),
 * returns HB_EFAILED with e->msg:
 *  - a string error as raised ("file:line: message" for runtime errors);
 *  - a table error: its __tostring, else "<service> <status> <code>:
 *    <message>" from those fields, prefixed by the "file:line" of the
 *    nearest workflow (non-stdlib) frame;
 *  - a limit: "[file:line: ]step exceeded its instruction limit (N
 *    instructions; HB_STEP_INSTRUCTIONS)", "... time limit (N ms;
 *    HB_STEP_TIMEOUT_MS)", "... memory limit (N MiB; HB_LUA_MEMORY_MB)" --
 *    also when the script caught the stop with pcall and returned normally.
 * When traceback is not NULL it receives a newly allocated "stack
 * traceback:..." text (NULL when none could be taken, e.g. for memory
 * errors). The error value itself is kept for hb_lua_push_last_error. */
hb_status hb_lua_pcall(hb_lua *h, int nargs, int nresults, char **traceback, hb_err *e);

/* "file:line" of the Lua code where the latest outermost hb_lua_pcall
 * failed (the workflow's frame nearest the error, or where a limit
 * stopped it), "" when unknown: for messages raised without a position
 * (error("x", 0), a table). */
const char *hb_lua_last_error_where(const hb_lua *h);

/* Turns the message luaL_loadbufferx left on the stack (popped) into e as
 * "path:line: message": Lua gives no position for a binary chunk or for
 * nesting deeper than its compiler allows, so hb adds one. HB_EUSAGE for
 * anything in the text, HB_EINTERNAL for memory. */
hb_status hb_lua_load_error(struct lua_State *L, int rc, const char *path, const char *src,
                            size_t len, hb_err *e);

/* Pushes the error value of the latest outermost hb_lua_pcall (a service
 * error table stays a table; a limit is its message), or nil when that
 * call succeeded. */
void hb_lua_push_last_error(hb_lua *h);

/* The "file:line" of the Lua function `level` levels up the stack from the
 * running C function (1 = its caller; 0 = the running function, as in a
 * hook), for DSL constructors: the full path, never shortened. "?" when
 * there is no such level or it is a C function. Exposed to the stdlib as
 * hbi.where(level). */
void hb_lua_where(struct lua_State *L, int level, char *out, size_t outlen);

/* Moves the running call's wall-time deadline later by us: time spent
 * waiting on a service (which has its own timeouts and retry budget) is not
 * the step's Lua computation, which HB_STEP_TIMEOUT_MS bounds. */
void hb_lua_exclude_time(hb_lua *h, int64_t us);

/* Memory in use by the state, in bytes. */
size_t hb_lua_memory_used(hb_lua *h);

/* The hb_lua a lua_State belongs to (stored in its extra space). */
hb_lua *hb_lua_from_state(struct lua_State *L);

/* A per-state slot for the embedding module's context (the engine's run). */
void hb_lua_set_userdata(hb_lua *h, void *ud);
void *hb_lua_get_userdata(hb_lua *h);

#endif
