/* The engine's side of exactly-once writes (services.h): at every step start
 * the bindings learn the step and its visit, so their markers name it; on
 * re-entry they learn which markers the run's audit trail already holds an
 * intent for, so they look for those changes before making them again.
 *
 * A step's visit counts how often the run *entered* it: the run's start
 * enters its first step, each transition enters its target. Whatever
 * re-enters a step without a transition is the same visit, with the same
 * markers: a resume after a crash or a wait, a task's next attempt
 * (retry), `hb retry`. A step whose execution raised and went on through
 * on_error has not finished its visit either: the next transition back to
 * it continues that visit, so a write the raising execution made (a reply
 * whose answer was a 500) is found by its marker instead of made twice.
 * `hb retry --from` rewinds the counts to where the run last entered that
 * step (its `retried` event carries them), so the steps it goes through
 * again get the markers they had. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "hb/services.h"
#include "hb/util.h"

typedef struct trail_scan {
    const char *first_step; /* the run's start enters it; NULL for hb call */
    cJSON *visits;          /* step -> entries */
    cJSON *raised;          /* step -> true: its visit raised and went on (on_error) */
    cJSON *pending;         /* marker -> time of its first intent */
    const char *at_step;    /* hb_once_visits_at: whose last entry to keep */
    cJSON *at;              /* the counts as that entry left them */
} trail_scan;

static void bump(cJSON *counts, const char *step)
{
    cJSON *n = cJSON_GetObjectItemCaseSensitive(counts, step);
    if (n)
        cJSON_SetNumberValue(n, n->valuedouble + 1);
    else
        cJSON_AddNumberToObject(counts, step, 1);
}

/* The run goes into step `to`: a new visit, unless `to`'s last visit raised
 * and never finished. */
static void enter(cJSON *visits, cJSON *raised, const char *to)
{
    if (cJSON_GetObjectItemCaseSensitive(raised, to))
        cJSON_DeleteItemFromObjectCaseSensitive(raised, to);
    else
        bump(visits, to);
}

static void leave(cJSON *raised, const char *step, bool did_raise)
{
    cJSON_DeleteItemFromObjectCaseSensitive(raised, step);
    if (did_raise)
        cJSON_AddTrueToObject(raised, step);
}

static const char *str_field(const cJSON *d, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void scan_data(trail_scan *t, const hb_audit_event *ev, const cJSON *d)
{
    if (!strcmp(ev->type, "transition") && str_field(d, "to")) {
        enter(t->visits, t->raised, str_field(d, "to"));
    } else if (!strcmp(ev->type, "step_finished") && ev->step) {
        leave(t->raised, ev->step, cJSON_GetObjectItemCaseSensitive(d, "error") != NULL);
    } else if (!strcmp(ev->type, "retried")) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, "visits");
        if (cJSON_IsObject(v)) {
            cJSON_Delete(t->visits);
            t->visits = cJSON_Duplicate(v, true);
        }
        cJSON_Delete(t->raised);
        t->raised = cJSON_CreateObject();
    } else if (!strcmp(ev->type, "intent")) {
        const char *m = str_field(d, "marker");
        if (m && !cJSON_GetObjectItemCaseSensitive(t->pending, m))
            cJSON_AddStringToObject(t->pending, m, ev->ts);
    }
}

static int scan_event(const hb_audit_event *ev, void *ud)
{
    trail_scan *t = ud;
    if (!strcmp(ev->type, "run_started")) {
        if (t->first_step)
            bump(t->visits, t->first_step);
        return 0;
    }
    if (!strcmp(ev->type, "step_started")) {
        if (t->at_step && ev->step && !strcmp(ev->step, t->at_step)) {
            cJSON_Delete(t->at);
            t->at = cJSON_Duplicate(t->visits, true);
        }
        return 0;
    }
    cJSON *d = ev->data ? cJSON_Parse(ev->data) : NULL;
    scan_data(t, ev, d);
    cJSON_Delete(d);
    return 0;
}

static hb_status scan_trail(hb_exec *x, trail_scan *t, hb_err *e)
{
    t->first_step = x->wf && x->wf->nsteps ? x->wf->steps[0].id : NULL;
    t->visits = cJSON_CreateObject();
    t->raised = cJSON_CreateObject();
    t->pending = cJSON_CreateObject();
    return x->store->ops->audit_iter(x->store, x->run.id, scan_event, t, e);
}

static void scan_free(trail_scan *t)
{
    cJSON_Delete(t->visits);
    cJSON_Delete(t->raised);
    cJSON_Delete(t->pending);
    cJSON_Delete(t->at);
}

hb_status hb_once_open(hb_exec *x, hb_err *e)
{
    hb_services *svc = hb_exec_services(x);
    if (!svc)
        return HB_OK;
    trail_scan t = {0};
    hb_status st = scan_trail(x, &t, e);
    if (st == HB_OK) {
        hb_services_set_pending(svc, t.pending);
        cJSON_Delete(x->step_visits);
        cJSON_Delete(x->step_raised);
        x->step_visits = t.visits;
        x->step_raised = t.raised;
        t.visits = t.raised = NULL;
    }
    scan_free(&t);
    return st;
}

hb_status hb_once_visits_at(hb_exec *x, const char *step, cJSON **out, hb_err *e)
{
    trail_scan t = {.at_step = step};
    hb_status st = scan_trail(x, &t, e);
    *out = st == HB_OK ? t.at : NULL;
    if (st == HB_OK)
        t.at = NULL;
    scan_free(&t);
    return st;
}

void hb_once_step_started(hb_exec *x, const char *step)
{
    hb_services *svc = hb_exec_services(x);
    if (!svc)
        return;
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(x->step_visits, step);
    long visit = cJSON_IsNumber(n) && n->valuedouble >= 1 ? (long)n->valuedouble : 1;
    hb_services_begin_step(svc, x->run.id, step, visit);
}

void hb_once_transition(hb_exec *x, const char *from, bool raised, const char *to)
{
    if (!x->step_visits)
        return;
    leave(x->step_raised, from, raised);
    enter(x->step_visits, x->step_raised, to);
}
