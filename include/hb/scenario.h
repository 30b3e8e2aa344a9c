/* `hb test`: scenario files for workflow authors. Each scenario runs its
 * workflow against a fresh in-process sandbox and a throwaway store, plays
 * its actions (answers, events, sandbox changes, time passing), then checks
 * the path, the status and assertions on the sandbox's state and requests. */
#ifndef HB_SCENARIO_H
#define HB_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hb/error.h"

struct hb_engine;

typedef struct hb_test_options {
    /* The limits and stdlib every scenario's engine has; its store, clock,
     * home and sandbox are each scenario's own. */
    const struct hb_engine *engine;
    const char *const *names; /* workflows to test; NULL/0 = every one with a scenario file */
    size_t nnames;
    bool coverage;
    bool verbose;
    FILE *out;
} hb_test_options;

typedef struct hb_test_totals {
    int passed;
    int failed;
    int untaken_edges;
    int untested; /* with coverage and no names: workflows without a scenario file */
} hb_test_totals;

/* Runs the scenarios; HB_OK when all passed (and, with coverage, every
 * edge was taken and, testing every workflow, each has scenarios),
 * HB_EFAILED otherwise, HB_EUSAGE for a broken scenario file or unknown
 * workflow. */
hb_status hb_test_run(const hb_test_options *o, hb_test_totals *t, hb_err *e);

/* The scenario file of a workflow file: <dir>/tests/<name>_test.lua. */
char *hb_scenario_file_for(const char *workflow_file, const char *name);

#endif
