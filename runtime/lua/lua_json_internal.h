/* Limits shared by the two halves of the JSON conversion (lua_json.c,
 * lua_json_lib.c). */
#ifndef HB_LUA_JSON_INTERNAL_H
#define HB_LUA_JSON_INTERNAL_H

/* Tables / arrays and objects nested deeper than this are refused. */
#define HB_JSON_MAX_DEPTH 200

#include <lua.h>

#include "hb/json_print.h"

typedef enum hb_json_marker {
    HB_JSON_UNMARKED,   /* no metatable */
    HB_JSON_ARRAY,      /* json.array */
    HB_JSON_OBJECT,     /* json.object */
    HB_JSON_OTHER_META, /* some other metatable */
} hb_json_marker;

/* The marker of the table at idx; never allocates or raises. */
hb_json_marker hb_json_table_marker(lua_State *L, int idx);

#endif
