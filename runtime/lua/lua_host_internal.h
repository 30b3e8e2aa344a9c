/* Shared between the files of the Lua host (lua_host.c, lua_limits.c,
 * lua_sandbox.c, lua_guards.c, lua_modules.c). Nothing outside them
 * includes this; lua_call.c and lua_call_op.c, the call facade, use only
 * the public hb/lua_host.h. */
#ifndef HB_LUA_HOST_INTERNAL_H
#define HB_LUA_HOST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "hb/lua_host.h"

/* Which limit stopped the current protected call, if any. */
typedef enum hb_lua_trip {
    HB_TRIP_NONE = 0,
    HB_TRIP_INSTRUCTIONS,
    HB_TRIP_TIME,
    HB_TRIP_MEMORY,
} hb_lua_trip;

/* An allocation the cap refused. Lua retries most refused allocations once
 * after an emergency collection; only when that retry fails too (or the
 * refusal was not retried, i.e. it became an error) did the state really
 * run out of room. */
typedef struct hb_lua_refusal {
    bool pending;
    void *ptr;
    size_t osize;
    size_t nsize;
} hb_lua_refusal;

struct hb_lua {
    lua_State *L;
    hb_lua_limits limits;

    /* Allocator. The cap is enforced only while Lua code runs under a
     * protected call (enforce_depth > 0): C code pushing data between calls
     * has no way to recover from a refusal, and what it pushes is bounded by
     * its own inputs. */
    size_t mem_used;
    int enforce_depth;
    hb_lua_refusal refusal;
    bool mem_exhausted;

    /* Limits of the outermost running hb_lua_pcall. */
    int armed_depth;
    int hook_interval;
    int64_t instructions_run;
    int64_t deadline_us;
    hb_lua_trip tripped;
    char trip_where[512];  /* "file:line" where the first trip was raised */
    char error_where[512]; /* "file:line" of the nearest Lua frame of the last error */

    /* Module resolution. */
    char *stdlib_dir;
    char *workflow_dir;
    hb_lua_modules hooks;

    void *userdata;
};

/* Registry keys (their addresses are the keys, used with lua_rawgetp). */
extern const char hb_lua_key_workflow_env;
extern const char hb_lua_key_stdlib_env;
extern const char hb_lua_key_hbi;
extern const char hb_lua_key_loaded;

/* lua_limits.c */
void *hb_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize);
/* Starts enforcing the limits for one outermost protected call. */
void hb_lua_arm(hb_lua *h);
/* Stops enforcing them, removes the hook, and says which limit tripped. */
hb_lua_trip hb_lua_disarm(hb_lua *h);
/* The trip seen so far in the running call (the allocator's verdict too). */
hb_lua_trip hb_lua_current_trip(hb_lua *h);
/* Counts units of work a C function did (a pattern match's steps) against
 * the running call's instruction budget and checks its deadline; raises
 * the limit's error, as the hook would, when one trips. A no-op outside
 * hb_lua_pcall. */
void hb_lua_charge(lua_State *L, int64_t units);
/* "step exceeded its ... limit (...)" for a trip. */
void hb_lua_trip_message(const hb_lua *h, hb_lua_trip trip, char *out, size_t outlen);

/* lua_sandbox.c: builds both environments; a lua_CFunction run under
 * lua_pcall while the state is created. */
int hb_lua_open_sandbox(lua_State *L);

/* lua_guards.c: replaces xpcall and coroutine.resume / close / wrap
 * in the environment at env with versions a tripped limit cannot escape. */
void hb_lua_install_guards(lua_State *L, int env);
/* Wraps string.rep, table.move, table.insert and table.remove in the
 * library tables themselves (before the environments copy them) so their C
 * loops cannot run for ever. */
void hb_lua_bound_library_loops(lua_State *L, int string_lib, int table_lib);

/* Pushes the registry table at key whose keys are weak, creating it the
 * first time. */
void hb_lua_push_weak_registry_table(lua_State *L, const void *key);

/* lua_freeze.c: pushes a read-only view of the table at idx (a data
 * table: one without a metatable; anything else is pushed as it is), the
 * same view every time; name is what messages call it ("support.levels"). */
void hb_lua_push_frozen(lua_State *L, int idx, const char *name);
/* Is the value at idx such a view? (rawset must not write into one.) */
bool hb_lua_is_frozen(lua_State *L, int idx);

/* lua_patterns.c: replaces string.find, match, gmatch and gsub in the
 * library table itself (the string metatable's __index too) with matchers
 * that the limits reach. */
void hb_lua_bound_patterns(lua_State *L, int string_lib);

/* lua_modules.c: `require`, as a closure whose upvalue 1 says whether it
 * is the stdlib environment's (true: may load hb's internal modules) or
 * the workflow environment's. */
int hb_lua_require_function(lua_State *L);
void hb_lua_push_require(lua_State *L, bool stdlib);
/* Registers what the module loader needs in the registry. */
void hb_lua_open_modules(lua_State *L);

#endif
