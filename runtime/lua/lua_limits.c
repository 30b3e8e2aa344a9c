/* Per-call limits of the Lua host: an allocator with a cap, and a count hook
 * that checks the instruction budget and a monotonic deadline.
 *
 * Once a limit trips, the hook fires on every instruction and raises every
 * time, so a `pcall` in the script cannot swallow the stop: each handler it
 * reaches fails at its first instruction, until the error leaves the
 * outermost protected call. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "hb/clock.h"
#include "hb/settings.h"
#include "lua_host_internal.h"

/* How often the count hook runs while no limit has tripped. Checking the
 * clock every 10000 instructions costs well under 1% of a tight loop. */
#define HOOK_INTERVAL 10000

#define MIB ((size_t)1024 * 1024)

static bool same_request(const hb_lua_refusal *r, void *ptr, size_t osize, size_t nsize)
{
    return r->pending && r->ptr == ptr && r->osize == osize && r->nsize == nsize;
}

/* Called for a refused growth: a second refusal of the same request is the
 * retry after an emergency collection failing; any other request means the
 * earlier refusal was not retried but raised. Either way the state is out
 * of room. */
static void note_refusal(hb_lua *h, void *ptr, size_t osize, size_t nsize)
{
    if (h->refusal.pending)
        h->mem_exhausted = true;
    h->refusal = (hb_lua_refusal){true, ptr, osize, nsize};
}

/* Called for a growth that succeeded; retry tells whether it was the
 * request refused just before (the retry after a collection). */
static void note_growth(hb_lua *h, bool retry)
{
    if (!h->refusal.pending)
        return;
    if (!retry)
        h->mem_exhausted = true;
    h->refusal.pending = false;
}

void *hb_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    hb_lua *h = ud;
    /* With ptr NULL, osize encodes the kind of object, not a size. */
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        h->mem_used -= old;
        return NULL;
    }
    bool grows = nsize > old;
    if (grows && h->enforce_depth > 0) {
        size_t room =
            h->limits.memory_bytes > h->mem_used ? h->limits.memory_bytes - h->mem_used : 0;
        if (nsize - old > room) {
            note_refusal(h, ptr, osize, nsize);
            return NULL;
        }
    }
    bool retry = same_request(&h->refusal, ptr, osize, nsize);
    void *p = realloc(ptr, nsize);
    if (!p)
        return NULL;
    if (grows)
        note_growth(h, retry);
    h->mem_used = h->mem_used - old + nsize;
    return p;
}

hb_lua_trip hb_lua_current_trip(hb_lua *h)
{
    if (h->tripped == HB_TRIP_NONE && (h->mem_exhausted || h->refusal.pending))
        h->tripped = HB_TRIP_MEMORY;
    return h->tripped;
}

static void record_trip_location(hb_lua *h, lua_State *L, int level)
{
    if (h->trip_where[0])
        return;
    hb_lua_where(L, level, h->trip_where, sizeof h->trip_where);
    if (!strcmp(h->trip_where, "?"))
        h->trip_where[0] = '\0';
}

static void limits_hook(lua_State *L, lua_Debug *ar);

/* Stops the running call: from now on the hook raises at every
 * instruction, so no pcall of the script can carry on. */
static void raise_trip(hb_lua *h, lua_State *L)
{
    lua_sethook(L, limits_hook, LUA_MASKCOUNT, 1);
    char msg[256];
    hb_lua_trip_message(h, h->tripped, msg, sizeof msg);
    lua_pushstring(L, msg);
    lua_error(L);
}

static void limits_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    hb_lua *h = hb_lua_from_state(L);
    if (h->armed_depth == 0) {
        /* A coroutine created during an earlier call keeps its hook. */
        return;
    }
    if (h->tripped == HB_TRIP_NONE) {
        h->instructions_run += lua_gethookcount(L);
        if (h->instructions_run > h->limits.instructions)
            h->tripped = HB_TRIP_INSTRUCTIONS;
        else if (hb_clock_monotonic_us() > h->deadline_us)
            h->tripped = HB_TRIP_TIME;
        else if (hb_lua_current_trip(h) == HB_TRIP_NONE) {
            if (lua_gethookcount(L) != h->hook_interval)
                lua_sethook(L, limits_hook, LUA_MASKCOUNT, h->hook_interval);
            return;
        }
    }
    record_trip_location(h, L, 0);
    raise_trip(h, L);
}

void hb_lua_charge(lua_State *L, int64_t units)
{
    hb_lua *h = hb_lua_from_state(L);
    if (h->armed_depth == 0)
        return;
    if (h->tripped == HB_TRIP_NONE) {
        h->instructions_run += units;
        if (h->instructions_run > h->limits.instructions)
            h->tripped = HB_TRIP_INSTRUCTIONS;
        else if (hb_clock_monotonic_us() > h->deadline_us)
            h->tripped = HB_TRIP_TIME;
        else if (hb_lua_current_trip(h) == HB_TRIP_NONE)
            return;
    }
    record_trip_location(h, L, 1); /* the Lua code that called the C function */
    raise_trip(h, L);
}

void hb_lua_exclude_time(hb_lua *h, int64_t us)
{
    if (h->armed_depth > 0 && us > 0)
        h->deadline_us += us;
}

void hb_lua_arm(hb_lua *h)
{
    h->tripped = HB_TRIP_NONE;
    h->trip_where[0] = '\0';
    h->refusal.pending = false;
    h->mem_exhausted = false;
    h->instructions_run = 0;
    h->hook_interval =
        h->limits.instructions < HOOK_INTERVAL ? (int)h->limits.instructions : HOOK_INTERVAL;
    h->deadline_us = hb_clock_monotonic_us() + h->limits.wall_ms * 1000;
    h->enforce_depth++;
    h->armed_depth++;
    lua_sethook(h->L, limits_hook, LUA_MASKCOUNT, h->hook_interval);
}

hb_lua_trip hb_lua_disarm(hb_lua *h)
{
    lua_sethook(h->L, NULL, 0, 0);
    h->armed_depth--;
    h->enforce_depth--;
    return hb_lua_current_trip(h);
}

void hb_lua_trip_message(const hb_lua *h, hb_lua_trip trip, char *out, size_t outlen)
{
    switch (trip) {
    case HB_TRIP_INSTRUCTIONS:
        snprintf(out, outlen,
                 "step exceeded its instruction limit (%" PRId64
                 " instructions; HB_STEP_INSTRUCTIONS)",
                 h->limits.instructions);
        break;
    case HB_TRIP_TIME:
        snprintf(out, outlen, "step exceeded its time limit (%" PRId64 " ms; HB_STEP_TIMEOUT_MS)",
                 h->limits.wall_ms);
        break;
    case HB_TRIP_MEMORY:
        snprintf(out, outlen, "step exceeded its memory limit (%zu MiB; HB_LUA_MEMORY_MB)",
                 (h->limits.memory_bytes + MIB - 1) / MIB);
        break;
    case HB_TRIP_NONE:
        snprintf(out, outlen, "no limit was exceeded");
        break;
    }
}

hb_status hb_lua_limits_from_env(hb_lua_limits *l, hb_err *e)
{
    int64_t instructions, wall_ms, memory_mb;
    hb_status st;
    if ((st = hb_setting_int("HB_STEP_INSTRUCTIONS", &instructions, e)) != HB_OK ||
        (st = hb_setting_int("HB_STEP_TIMEOUT_MS", &wall_ms, e)) != HB_OK ||
        (st = hb_setting_int("HB_LUA_MEMORY_MB", &memory_mb, e)) != HB_OK)
        return st;
    l->instructions = instructions;
    l->wall_ms = wall_ms;
    l->memory_bytes = (size_t)memory_mb * MIB;
    return HB_OK;
}
