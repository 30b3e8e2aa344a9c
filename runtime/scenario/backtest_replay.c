/* One recorded run driven again under the new version: started with its
 * inputs, actor and id at the time it started, then, each time the new run
 * waits, given what the recorded run was given there (the answer to that
 * ask, the event, the time passing) at the time it was given. Its requests
 * go to a replay source built from the recording's api_call events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtest_internal.h"
#include "hb/json_print.h"
#include "hb/services.h"
#include "hb/util.h"

/* One exchange of the recorded run: its last attempt. */
typedef struct exchange {
    const char *method;
    const char *path;
    const cJSON *request; /* digest, or NULL */
    const cJSON *reply;   /* digest, or NULL */
    long status;
    bool used;
} exchange;

typedef struct source {
    const cJSON *rec;
    exchange *x;
    size_t n;
    char *problem; /* the first reason the run cannot be replayed */
    const hb_service_vars *vars;
} source;

const char *hb_backtest_body(const cJSON *rec, const cJSON *d)
{
    if (!cJSON_IsString(d))
        return NULL;
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(rec, "bodies"), d->valuestring);
    return cJSON_IsString(b) ? b->valuestring : NULL;
}

static const char *str(const cJSON *o, const char *field)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, field);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void build_exchanges(source *s)
{
    const cJSON *ev;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(s->rec, "audit"))
    {
        const char *type = str(ev, "type");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(ev, "data");
        if (!type || strcmp(type, "api_call") || !str(d, "method") || !str(d, "path"))
            continue;
        const cJSON *attempt = cJSON_GetObjectItemCaseSensitive(d, "attempt");
        exchange *x = NULL;
        /* A later attempt of the same request replaces the earlier one:
         * the reply the run went on with is the last. */
        if (cJSON_IsNumber(attempt) && attempt->valuedouble > 1 && s->n > 0 &&
            !strcmp(s->x[s->n - 1].method, str(d, "method")) &&
            !strcmp(s->x[s->n - 1].path, str(d, "path")))
            x = &s->x[s->n - 1];
        if (!x) {
            s->x = hb_xrealloc(s->x, (s->n + 1) * sizeof *s->x);
            x = &s->x[s->n++];
        }
        const cJSON *status = cJSON_GetObjectItemCaseSensitive(d, "status");
        *x = (exchange){.method = str(d, "method"),
                        .path = str(d, "path"),
                        .request = cJSON_GetObjectItemCaseSensitive(d, "request_body"),
                        .reply = cJSON_GetObjectItemCaseSensitive(d, "response_body"),
                        .status = cJSON_IsNumber(status) ? (long)status->valuedouble : 0};
    }
}

/* Two bodies are the same request when their JSON is (key order aside),
 * or, not JSON (a form), their text is. */
static bool same_body(const char *a, const char *b)
{
    if (!a || !b)
        return !a && !b;
    cJSON *ja = cJSON_Parse(a), *jb = cJSON_Parse(b);
    bool same = ja && jb ? cJSON_Compare(ja, jb, true) : !strcmp(a, b);
    cJSON_Delete(ja);
    cJSON_Delete(jb);
    return same;
}

static void set_problem(source *s, char *why)
{
    if (s->problem)
        free(why);
    else
        s->problem = why;
}

static bool cut_short(const char *body)
{
    const char *note = body ? strstr(body, "\n[hb: ") : NULL;
    return note && strstr(note, " more bytes not stored]");
}

static hb_status answer(void *ud, const hb_replay_query *q, long *status, char **body)
{
    source *s = ud;
    bool body_lost = false;
    exchange *found = NULL, *same_place = NULL;
    for (size_t i = 0; i < s->n && !found; i++) {
        exchange *x = &s->x[i];
        if (x->used || strcmp(x->method, q->method) || strcmp(x->path, q->path))
            continue;
        if (!same_place)
            same_place = x;
        const char *sent = hb_backtest_body(s->rec, x->request);
        if (x->request && !sent) {
            body_lost = true;
            continue;
        }
        if (same_body(sent, q->body))
            found = x;
    }
    /* A write with another body (a new label on the issue it creates) is
     * still answered by the reply to the write it replaces, so the steps
     * after it read the object as the run did; the comparison of the
     * writes reports it changed. */
    if (!found && q->write)
        found = same_place;
    if (!found) {
        if (!q->write)
            set_problem(s, body_lost ? hb_xasprintf("the body of %s %s was not kept, so the "
                                                    "request cannot be matched",
                                                    q->method, q->path)
                                     : hb_xasprintf("the new version reads %s %s (%s), which "
                                                    "the run never read",
                                                    q->method, q->path, q->op));
        return HB_EFAILED; /* a write: planned */
    }
    const char *reply = hb_backtest_body(s->rec, found->reply);
    if ((found->reply && !reply) || cut_short(reply)) {
        if (!q->write)
            set_problem(s, hb_xasprintf("the reply to %s %s was %s", q->method, q->path,
                                        reply ? "kept only in part (HB_AUDIT_BODY_MAX_KB)"
                                              : "not kept (purged)"));
        return HB_EFAILED;
    }
    found->used = true;
    *status = found->status;
    *body = reply ? hb_xstrdup(reply) : NULL;
    return HB_OK;
}

/* The URLs the recording says its links were built from (hb export runs
 * writes them), else those the backtest was given for its target. */
static const char *getvar(void *ud, const char *name)
{
    source *s = ud;
    const char *v = str(cJSON_GetObjectItemCaseSensitive(s->rec, "links"), name);
    if (v)
        return v;
    return s->vars ? hb_service_vars_get((void *)s->vars, name) : NULL;
}

/* A recorded answer or event, in the order the run was given them. */
typedef struct given {
    const cJSON *ev;
    bool used;
} given;

typedef struct replay {
    const hb_engine *eng;
    const hb_backtest_options *o;
    const cJSON *rec;
    const char *id;
    hb_clock *clock;
    given *g;
    size_t ng;
    source src;
} replay;

static void collect_given(replay *r)
{
    const cJSON *ev;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(r->rec, "audit"))
    {
        const char *type = str(ev, "type");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(ev, "data");
        if (type && (!strcmp(type, "answered") || (!strcmp(type, "resumed") && str(d, "event")))) {
            r->g = hb_xrealloc(r->g, (r->ng + 1) * sizeof *r->g);
            r->g[r->ng++] = (given){.ev = ev};
        }
    }
}

/* The next recorded answer to ask `step`, or event `event`, not used yet. */
static const cJSON *next_given(replay *r, const char *step, const char *event)
{
    for (size_t i = 0; i < r->ng; i++) {
        const cJSON *ev = r->g[i].ev;
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(ev, "data");
        bool match = event ? !strcmp(str(ev, "type"), "resumed") && str(d, "event") &&
                                 !strcmp(str(d, "event"), event)
                           : !strcmp(str(ev, "type"), "answered") && str(ev, "step") &&
                                 !strcmp(str(ev, "step"), step);
        if (!r->g[i].used && match) {
            r->g[i].used = true;
            return ev;
        }
    }
    return NULL;
}

/* The clock moves to when the recorded run was given something, never back. */
static void move_clock(replay *r, const char *ts)
{
    hb_time_us at;
    if (ts && hb_time_parse(ts, &at, NULL) == HB_OK && at > r->clock->at)
        r->clock->at = at;
}

static hb_status to_engine(replay *r, hb_run_request *req, bool start, char **problem, hb_err *e)
{
    hb_status st = start ? hb_engine_start(r->eng, req, e) : hb_engine_resume(r->eng, req, e);
    if (st == HB_EUSAGE) {
        *problem = hb_xasprintf("the new version refuses what the run was given: %s", e->msg);
        return HB_OK;
    }
    if (st == HB_EBUSY || st == HB_EINTERNAL)
        return st;
    return HB_OK;
}

/* Gives the waiting new run what the recorded run was given there; *done
 * when the recording has nothing more for it. */
static hb_status go_on(replay *r, const hb_run *now, bool *done, char **problem, hb_err *e)
{
    *done = true;
    cJSON *w = now->wait_json ? cJSON_Parse(now->wait_json) : NULL;
    const char *kind = str(w, "kind"), *step = str(w, "step"), *event = str(w, "event");
    const char *old_status = str(r->rec, "status"), *old_step = str(r->rec, "step");
    bool old_waits_here =
        old_status && !strcmp(old_status, "waiting") && step && old_step && !strcmp(step, old_step);
    hb_kv answer = {0};
    hb_run_request req = {.run_id = r->id};
    hb_status st = HB_OK;
    const cJSON *ev = NULL;
    if (kind && !strcmp(kind, "ask")) {
        ev = next_given(r, step, NULL);
        if (!ev && !old_waits_here)
            *problem = hb_xasprintf("the new version asks %s, which the run was never asked", step);
        if (ev) {
            const cJSON *d = cJSON_GetObjectItemCaseSensitive(ev, "data");
            answer.key = (char *)step;
            answer.value = (char *)(str(d, "value") ? str(d, "value") : "");
            req.answers = &answer;
            req.nanswers = 1;
            req.actor = str(d, "by");
        }
    } else if (event) {
        ev = next_given(r, NULL, event);
        if (!ev && !old_waits_here)
            *problem = hb_xasprintf("the new version waits at %s for event %s, which the run "
                                    "never received",
                                    step, event);
        if (ev) {
            req.event_name = event;
            const cJSON *payload = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(r->rec, "events"), str(ev, "step"));
            req.event_json = payload ? hb_json_print(payload) : NULL;
            req.actor = str(cJSON_GetObjectItemCaseSensitive(ev, "data"), "by");
        }
    } else if (!old_waits_here) {
        /* Time passing, or a condition polled: as a worker would, when due. */
        if (now->due_at <= 0)
            *problem = hb_xasprintf("the new version waits at %s with no time to go on at", step);
        else {
            r->clock->at = now->due_at > r->clock->at ? now->due_at : r->clock->at;
            ev = r->rec; /* go on */
        }
    }
    if (ev && !*problem) {
        if (ev != r->rec)
            move_clock(r, str(ev, "ts"));
        if (!req.actor)
            req.actor = str(r->rec, "actor");
        *done = false;
        st = to_engine(r, &req, false, problem, e);
    }
    free((char *)req.event_json);
    cJSON_Delete(w);
    return st;
}

static hb_kv *inputs_of(const cJSON *rec, size_t *n)
{
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(rec, "inputs");
    hb_kv *kv = hb_xcalloc((size_t)cJSON_GetArraySize(in) + 1, sizeof *kv);
    *n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, in)
    {
        if (cJSON_IsNull(v))
            continue;
        kv[*n].key = hb_xstrdup(v->string);
        kv[*n].value = cJSON_IsString(v) ? hb_xstrdup(v->valuestring) : hb_json_print(v);
        (*n)++;
    }
    return kv;
}

static const char *started_at(const cJSON *rec)
{
    const cJSON *ev;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(rec, "audit"))
    {
        const char *type = str(ev, "type");
        if (type && !strcmp(type, "run_started"))
            return str(ev, "ts");
    }
    return str(rec, "created_at");
}

hb_status hb_backtest_replay(const hb_engine *base, const hb_backtest_options *o, const cJSON *rec,
                             char **problem, hb_err *e)
{
    *problem = NULL;
    const char *id = str(rec, "id");
    if (!id || strlen(id) != HB_RUN_ID_LEN) {
        *problem = hb_xstrdup("the recording has no run id");
        return HB_OK;
    }
    const char *target = str(rec, "target");
    bool sandbox = target && !strcmp(target, "sandbox");
    hb_clock clock = {.frozen = true};
    if (!started_at(rec) || hb_time_parse(started_at(rec), &clock.at, NULL) != HB_OK) {
        *problem = hb_xstrdup("the recording does not say when the run started");
        return HB_OK;
    }
    replay r = {.o = o, .rec = rec, .id = id, .clock = &clock};
    r.src = (source){.rec = rec, .vars = sandbox ? o->sandbox_vars : o->live_vars};
    build_exchanges(&r.src);
    collect_given(&r);
    hb_service_replay iface = {.ud = &r.src, .answer = answer, .getvar = getvar};
    hb_engine eng = *base;
    eng.clock = &clock;
    eng.replay = &iface;
    eng.sandbox = NULL;
    hb_store_set_clock(eng.store, &clock);
    r.eng = &eng;

    size_t ninputs;
    hb_kv *inputs = inputs_of(rec, &ninputs);
    hb_run_request req = {.workflow_file = o->workflow_file,
                          .inputs = inputs,
                          .ninputs = ninputs,
                          .sandbox = sandbox,
                          .allow_duplicate = true,
                          .actor = str(rec, "actor") ? str(rec, "actor") : "hb-backtest",
                          .replay_of = id};
    hb_status st = to_engine(&r, &req, true, problem, e);
    /* The new run goes on at most as often as the recorded one was given
     * something or resumed, and once more: a loop cannot spin. */
    size_t budget = r.ng + 2;
    const cJSON *ev;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(rec, "audit"))
    {
        const char *type = str(ev, "type");
        budget += type && !strcmp(type, "resumed");
    }
    for (size_t i = 0; st == HB_OK && !*problem && !r.src.problem; i++) {
        hb_run now = {0};
        if ((st = eng.store->ops->run_get(eng.store, id, &now, e)) != HB_OK) {
            if (st == HB_EUSAGE) { /* never created: the refusal said why */
                st = HB_OK;
                if (!*problem)
                    *problem = hb_xasprintf("the new version did not start the run: %s", e->msg);
            }
            break;
        }
        bool done = true;
        if (now.status == HB_RUN_WAITING && i < budget)
            st = go_on(&r, &now, &done, problem, e);
        else if (now.status == HB_RUN_WAITING)
            *problem =
                hb_xasprintf("the new version waits at %s more often than the run did", now.step);
        hb_run_free(&now);
        if (done)
            break;
    }
    if (r.src.problem && !*problem) {
        *problem = r.src.problem;
        r.src.problem = NULL;
    }
    hb_store_set_clock(eng.store, base->clock);
    hb_kv_free(inputs, ninputs);
    free(r.src.problem);
    free(r.src.x);
    free(r.g);
    return st;
}
