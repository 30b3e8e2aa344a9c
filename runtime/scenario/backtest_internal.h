/* Shared by the backtest files: backtest.c (every run, the report),
 * backtest_replay.c (one run driven again under the new version) and
 * backtest_compare.c (the old run against the new). */
#ifndef HB_BACKTEST_INTERNAL_H
#define HB_BACKTEST_INTERNAL_H

#include <cjson/cJSON.h>

#include "hb/backtest.h"
#include "hb/engine.h"

/* The outcome of replaying one recorded run: *problem (newly allocated)
 * says why it could not be replayed, else NULL and the new run is in
 * eng->store under the recorded run's id. */
hb_status hb_backtest_replay(const hb_engine *eng, const hb_backtest_options *o, const cJSON *rec,
                             char **problem, hb_err *e);

/* Fills entry (the report's run object) with the verdict "same" or
 * "changed" and, changed, where and how: the recorded run rec against the
 * new run of the same id in store. */
hb_status hb_backtest_compare(hb_store *store, const cJSON *rec, cJSON *entry, hb_err *e);

/* The text of body digest d of a recorded run, or NULL. */
const char *hb_backtest_body(const cJSON *rec, const cJSON *d);

#endif
