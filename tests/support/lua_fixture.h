/* A Lua host in a scratch folder for the lua_* unit tests: stdlib/ and a
 * workflow folder with lib/, module hooks that count and can be told to
 * serve a pinned text or fail, and a one-call way to run a chunk. */
#ifndef HB_TEST_LUA_FIXTURE_H
#define HB_TEST_LUA_FIXTURE_H

#include <stdbool.h>

#include "hb/lua_host.h"

typedef struct hbt_lua {
    char *root;   /* scratch folder */
    char *stdlib; /* root/stdlib */
    char *wfdir;  /* root/wf (lib/ below it) */
    char *flow;   /* root/wf/flow.lua: the chunk name hbt_lua_run uses */
    hb_lua *h;
    hb_err e;
    char *traceback; /* of the latest failed hbt_lua_run, or NULL */

    /* Module hooks. */
    int lookups;
    int loads;
    char loaded_module[128];
    char loaded_path[1024];
    const char *pinned_module; /* lookup serves pinned_text for this name */
    const char *pinned_text;
    bool pinned_stdlib;
    hb_status lookup_status; /* returned for other names (HB_EUSAGE: fall through) */
    hb_status loaded_status; /* returned by loaded (HB_OK: accept) */
} hbt_lua;

/* Limits for tests: generous instructions and time, 64 MiB. */
hb_lua_limits hbt_lua_test_limits(void);
/* Opens a host (limits NULL: hbt_lua_test_limits()). */
hbt_lua *hbt_lua_open(const hb_lua_limits *limits);
void hbt_lua_close(hbt_lua *t);
/* Writes root/rel, creating folders. */
void hbt_lua_write(hbt_lua *t, const char *rel, const char *text);
/* Loads src as flow.lua in the workflow environment and runs it under
 * hb_lua_pcall with one result, left on the stack on success. */
hb_status hbt_lua_run(hbt_lua *t, const char *src);
/* hbt_lua_run, then the result as text (tostring), newly allocated; NULL
 * when the run failed (t->e says why). */
char *hbt_lua_eval(hbt_lua *t, const char *src);
/* Asserts that src fails and that the message contains every fragment. */
void hbt_lua_expect_error(hbt_lua *t, const char *src, const char *fragment1,
                          const char *fragment2);

#endif
