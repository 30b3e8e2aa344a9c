/* The sandboxed Lua host: one fresh lua_State per run with an allow-listed
 * environment, per-step instruction / wall-time / memory limits, a module
 * loader for stdlib/ and the workflow's lib/, and protected calls that turn
 * every Lua error into "file:line: message" plus a traceback.
 *
 * Two environments live in one state:
 *  - the workflow environment: safe globals only; reading or writing an
 *    undeclared global raises "undeclared global 'x'" with file:line, and the
 *    guard's metatable is protected;
 *  - the stdlib environment: the same plus `hbi`, a table of internal C
 *    functions (HTTP transport, caller location, ...) that workflows never
 *    see. Modules found under stdlib/ run in it; modules under lib/ do not.
 */
#ifndef HB_LUA_HOST_H
#define HB_LUA_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "hb/error.h"

typedef struct hb_lua_limits {
    int64_t instructions; /* per protected call; HB_STEP_INSTRUCTIONS, default 100000000 */
    int64_t wall_ms;      /* per protected call; HB_STEP_TIMEOUT_MS, default 30000 */
    size_t memory_bytes;  /* whole state; HB_LUA_MEMORY_MB, default 256 */
} hb_lua_limits;

/* Defaults, then the environment variables above. HB_EUSAGE naming the
 * variable when one is set but not a positive integer. */
hb_status hb_lua_limits_from_env(hb_lua_limits *l, hb_err *e);

/* Module resolution hooks. The engine uses them to pin every module a run
 * loads (fresh run) or to serve the pinned text (resumed run). */
typedef struct hb_lua_modules {
    const char *stdlib_dir;   /* required */
    const char *workflow_dir; /* folder of the workflow file; lib/ below it; may be NULL */
    /* Called before the file search; return HB_OK with *content set (owned by
     * the callee until the state is closed) to serve a pinned text, HB_EUSAGE
     * with *content NULL to fall through to the files. May be NULL. */
    hb_status (*lookup)(void *ud, const char *module, const char **content, size_t *len,
                        bool *is_stdlib, hb_err *e);
    /* Called after a module's text was read from a file. May be NULL. */
    hb_status (*loaded)(void *ud, const char *module, const char *path, const char *content,
                        size_t len, hb_err *e);
    void *ud;
} hb_lua_modules;

typedef struct hb_lua hb_lua;

hb_lua *hb_lua_new(const hb_lua_limits *limits, const hb_lua_modules *modules, hb_err *e);
void hb_lua_free(hb_lua *h);
lua_State *hb_lua_state(hb_lua *h);

/* Pushes the workflow environment table / the stdlib environment table. */
void hb_lua_push_workflow_env(hb_lua *h);
void hb_lua_push_stdlib_env(hb_lua *h);

/* Registers a C function in the `hbi` internal table (stdlib only). */
void hb_lua_register_internal(hb_lua *h, const char *name, lua_CFunction fn);

/* Adds a global to the workflow environment after load (services in `uses`,
 * DSL constructors): pops the value from the stack. */
void hb_lua_set_workflow_global(hb_lua *h, const char *name);

/* Loads text (never bytecode) as a chunk whose _ENV is the workflow env
 * (stdlib_env = false) or the stdlib env; pushes the function. chunkname is
 * shown in messages: pass the file path. Syntax errors: HB_EUSAGE with
 * "file:line: message". */
hb_status hb_lua_load(hb_lua *h, const char *chunkname, const char *src, size_t len,
                      bool stdlib_env, hb_err *e);

/* Runs require(module) from C, pushing its result. */
hb_status hb_lua_require(hb_lua *h, const char *module, hb_err *e);

/* lua_pcall with a traceback handler and the limits armed for this call.
 * On error: pops nothing extra, leaves no result, sets e->msg to
 * "file:line: message" (HB_EFAILED), and when traceback is not NULL stores a
 * newly allocated traceback there. A limit hit reads "step exceeded its
 * instruction limit (N)" / "... time limit (N ms)" / "... memory limit".
 * If the error value was a table, it is left in the registry slot
 * hb_lua_last_error (see below) for the caller to inspect. */
hb_status hb_lua_pcall(hb_lua *h, int nargs, int nresults, char **traceback, hb_err *e);

/* Pushes the error value of the last failed hb_lua_pcall (nil if none). */
void hb_lua_push_last_error(hb_lua *h);

/* The "file:line" of the Lua function `level` levels up the stack from the
 * running C function (1 = its caller), for DSL constructors. Exposed to the
 * stdlib as hbi.where(level). */
void hb_lua_where(lua_State *L, int level, char *out, size_t outlen);

/* Memory in use by the state, in bytes. */
size_t hb_lua_memory_used(hb_lua *h);

/* The hb_lua a lua_State belongs to (stored in its extra space). */
hb_lua *hb_lua_from_state(lua_State *L);

/* A per-state slot for the embedding module's context (the engine's run). */
void hb_lua_set_userdata(hb_lua *h, void *ud);
void *hb_lua_get_userdata(hb_lua *h);

#endif
