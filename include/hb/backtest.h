/* hb backtest: what a new version of a workflow would have done with the
 * runs the old one handled. Each recorded run (finished or waiting) is run
 * again under the new version in a store of its own, with the recorded
 * inputs, answers, events and clock; every read is answered from the
 * recorded reply to the same request (method, path and query, body), in
 * order; every write is planned, never sent (services.h,
 * hb_service_replay). Nothing reaches a service, and the recorded runs are
 * only read.
 *
 * A recorded run is one JSON object, the line format of `hb export runs`:
 *   {id, workflow, version, status, step, target, actor, created_at,
 *    inputs, events, audit: [{seq, type, step, ts, actor, data}],
 *    bodies: {digest: text}, links: {ZENDESK_WEB_URL: ...}}
 * links (optional) holds the non-secret URLs its links were built from;
 * bodies holds the request and response bodies its events name, as the
 * store keeps them (redacted, capped); a purged one is absent. */
#ifndef HB_BACKTEST_H
#define HB_BACKTEST_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "hb/clock.h"
#include "hb/error.h"
#include "hb/store.h"

struct hb_engine;
struct hb_service_vars;

/* Which recorded runs: those of workflow, not dry runs, finished or
 * waiting, created at or after since (0: any), the latest `last` of them
 * (0: all), oldest first. */
typedef struct hb_backtest_select {
    const char *workflow;
    hb_time_us since;
    int last;
} hb_backtest_select;

/* Appends to runs (a JSON array) each recorded run of store that sel picks. */
hb_status hb_backtest_collect(hb_store *store, const hb_backtest_select *sel, cJSON *runs,
                              hb_err *e);
/* One run as a recorded run (above), newly made. */
hb_status hb_backtest_record(hb_store *store, const hb_run *run, cJSON **out, hb_err *e);
/* Whether a recorded run (from a file) is one sel picks. */
bool hb_backtest_selects(const hb_backtest_select *sel, const cJSON *rec);

typedef struct hb_backtest_options {
    /* Limits and stdlib; its store, clock, home and replay are replaced. */
    const struct hb_engine *engine;
    const char *workflow_file; /* the new version */
    /* The variables the recorded runs had, by target, where known (links
     * in bodies are built from them): may be NULL. */
    const struct hb_service_vars *live_vars;
    const struct hb_service_vars *sandbox_vars;
} hb_backtest_options;

/* Replays each recorded run of runs in a scratch folder of its own (under
 * $TMPDIR, removed after); *report (newly made):
 *   {workflow, file, runs: [{run, status, verdict: "same" | "changed" |
 *    "not replayable", why, step, old, new, writes: {added, removed,
 *    changed}}], total, changed, not_replayable, summary}
 * HB_EUSAGE when the new version does not load; a run that cannot be
 * replayed is a verdict, not an error. */
hb_status hb_backtest_run(const hb_backtest_options *o, const cJSON *runs, cJSON **report,
                          hb_err *e);

/* The report for people: "text" (a line a run, the summary last) or
 * "markdown" (a table, for a merge request's comment). Newly allocated. */
char *hb_backtest_format(const cJSON *report, const char *format);

#endif
