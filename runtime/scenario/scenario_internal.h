/* Shared by scenario.c (files, totals, coverage) and scenario_run.c (one
 * scenario). */
#ifndef HB_SCENARIO_INTERNAL_H
#define HB_SCENARIO_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "hb/engine.h"
#include "hb/lua_host.h"
#include "hb/util.h"

typedef struct hb_scenario_file {
    char *path;
    char *workflow_file;
    hb_lua *lua;
    int scenarios_ref; /* the list of scenario tables */
    int module_ref;    /* the hb.scenario module */
    int count;
} hb_scenario_file;

/* Runs scenario number index (1-based) on an engine like eng, with its own
 * store and sandbox state under home and its own clock. Appends what went
 * wrong to report; adds the run's transitions ({from, to, label}) and
 * answers ({answered: step, value}) to transitions_out. */
bool hb_scenario_run(const hb_engine *eng, hb_scenario_file *sf, int index, const char *home,
                     hb_buf *report, cJSON *transitions_out);

#endif
