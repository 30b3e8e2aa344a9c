/* Executing one step of each kind but wait (engine_wait.c). A step never
 * touches the store's run row: it reports an outcome and engine_loop.c
 * checkpoints it. The workflow's functions are called through the call
 * facade (hb/lua_call.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "engine_internal.h"
#include "hb/clock.h"
#include "hb/json_print.h"
#include "hb/services.h"
#include "hb/util.h"

void hb_outcome_free(hb_outcome *o)
{
    free(o->label);
    free(o->result);
    free(o->error);
    free(o->traceback);
    cJSON_Delete(o->wait);
    memset(o, 0, sizeof *o);
}

void hb_outcome_next(hb_outcome *o, const char *next, const char *label, const char *result)
{
    o->kind = HB_OUT_NEXT;
    o->next = next;
    o->label = label ? hb_xstrdup(label) : NULL;
    o->result = hb_xstrdup(result);
}

void hb_outcome_error(hb_outcome *o, const char *msg, char *traceback)
{
    o->kind = HB_OUT_ERROR;
    o->error = hb_xstrdup(msg);
    o->traceback = traceback;
    o->result = hb_xstrdup("error");
}

static void sleep_us(int64_t us)
{
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Audits (and reports) an attempt that failed and will be tried again. */
static hb_status note_retry(hb_exec *x, const hb_step *s, int attempt, int64_t wait,
                            const hb_err *err, hb_err *e)
{
    char *msg = hb_xasprintf("attempt %d of %d failed: %s; retrying in %lld ms", attempt,
                             s->retry_attempts, err->msg, (long long)(wait / 1000));
    cJSON *note = cJSON_CreateObject();
    cJSON_AddStringToObject(note, "message", msg);
    hb_status st = hb_exec_audit(x, "note", note, e);
    cJSON_Delete(note);
    if (st == HB_OK)
        hb_report_note(x, s->id, msg);
    free(msg);
    return st;
}

/* The task's last attempt failed: on to on_error, else the run fails.
 * Takes traceback. */
static hb_status task_failed(const hb_step *s, const hb_err *err, char *traceback, hb_outcome *o)
{
    if (!s->on_error) {
        hb_outcome_error(o, err->msg, traceback);
        return HB_OK;
    }
    hb_outcome_next(o, s->on_error, "error", "error");
    o->error = hb_xstrdup(err->msg);
    o->traceback = traceback;
    return HB_OK;
}

static hb_status exec_task(hb_exec *x, size_t i, hb_outcome *o, hb_err *e)
{
    const hb_step *s = &x->wf->steps[i];
    hb_err err;
    char *tb = NULL;
    hb_services_lua_take_outage(x->lua);
    for (int attempt = 1; hb_lua_ctx_call(x->ctx, s->run_ref, &tb, &err) != HB_OK; attempt++) {
        bool outage = hb_services_lua_take_outage(x->lua);
        if (attempt >= s->retry_attempts || (s->retry_outage_only && !outage))
            return task_failed(s, &err, tb, o);
        free(tb);
        int64_t wait = s->retry_backoff_us << (attempt - 1);
        hb_status st = note_retry(x, s, attempt, wait, &err, e);
        if (st != HB_OK)
            return st;
        sleep_us(wait);
        /* The next attempt makes its writes with this attempt's markers, so
         * one this attempt made (its answer a 500) is found, not repeated. */
        hb_once_step_started(x, s->id);
    }
    hb_outcome_next(o, hb_step_default_next(x->wf, i), NULL, "ok");
    return HB_OK;
}

static hb_status exec_choice(hb_exec *x, size_t i, hb_outcome *o, hb_err *e)
{
    (void)e;
    const hb_step *s = &x->wf->steps[i];
    for (size_t k = 0; k < s->nedges; k++) {
        const hb_edge *edge = &s->edges[k];
        bool taken = edge->when_ref == HB_LUA_NOREF;
        hb_err err;
        char *tb = NULL;
        if (!taken && hb_lua_ctx_call_bool(x->ctx, edge->when_ref, &taken, &tb, &err) != HB_OK) {
            char *msg = hb_xasprintf("branch '%s': %s", edge->label, err.msg);
            hb_outcome_error(o, msg, tb);
            free(msg);
            return HB_OK;
        }
        if (taken) {
            hb_outcome_next(o, edge->target, edge->label, edge->label);
            return HB_OK;
        }
    }
    hb_outcome_error(
        o, "no branch matched and the choice has no default branch (one without `when`)", NULL);
    return HB_OK;
}

/* The allowed values of an enum ask: a literal list or choices(ctx), as a
 * NULL-terminated array the caller frees; NULL with o saying why. */
static char **enum_choices(hb_exec *x, const hb_step *s, hb_outcome *o)
{
    if (s->choices_ref == HB_LUA_NOREF) {
        char **list = hb_xcalloc(s->nchoices + 1, sizeof *list);
        for (size_t k = 0; k < s->nchoices; k++)
            list[k] = hb_xstrdup(s->choices[k]);
        return list;
    }
    char **list = NULL;
    hb_err err;
    char *tb = NULL;
    hb_status st = hb_lua_ctx_call_list(x->ctx, s->choices_ref, &list, &tb, &err);
    if (st == HB_EUSAGE) {
        char *msg = hb_xasprintf("choices(ctx) %s", err.msg);
        hb_outcome_error(o, msg, NULL);
        free(msg);
    } else if (st != HB_OK) {
        hb_outcome_error(o, err.msg, tb);
    }
    return list;
}

static void join_list(hb_buf *b, char *const *list)
{
    for (size_t k = 0; list[k]; k++)
        hb_buf_printf(b, "%s%s", k ? ", " : "", list[k]);
}

/* The answer for this ask given with the request, or NULL. */
static const char *given_answer(hb_exec *x, const char *step)
{
    for (size_t k = 0; k < x->req->nanswers; k++)
        if (!x->answer_used[k] && !strcmp(x->req->answers[k].key, step)) {
            x->answer_used[k] = true;
            return x->req->answers[k].value;
        }
    return NULL;
}

/* Asks whoever the request named (the terminal for the command line);
 * problem says why the previous answer was refused, or is NULL. */
static char *ask_someone(hb_exec *x, const hb_step *s, char **choices, const hb_context *c,
                         const char *problem)
{
    const hb_engine_ask *ask = &x->req->ask;
    if (!ask->fn || x->run.dry_run)
        return NULL;
    const char **labels = NULL;
    if (s->nedges) {
        labels = hb_xcalloc(s->nedges + 1, sizeof *labels);
        for (size_t k = 0; k < s->nedges; k++)
            labels[k] = s->edges[k].label;
    }
    hb_engine_question q = {
        .run = x->run.id,
        .step = s->id,
        .text = s->description ? s->description : s->id,
        .options = labels ? labels : (const char *const *)choices,
        .value_type = s->nedges ? NULL : s->value_type,
        .workflow = x->run.workflow,
        .problem = problem,
        .ticket = c->ticket,
        .ticket_url = c->ticket_url,
        .shows = c->shows,
        .nshows = c->nshows,
    };
    char *answer = ask->fn(ask->ud, &q);
    free(labels);
    return answer;
}

/* The allowed value an answer means: itself, the one value equal to it in
 * any case, or the one value it is the start of in any case ("u" for
 * "ultimate", "Premium" for "premium"). NULL when none or several. */
static const char *resolve(const char *value, const char *const *allowed, size_t n)
{
    size_t len = strlen(value);
    const char *folded = NULL, *prefixed = NULL;
    int nfolded = 0, nprefixed = 0;
    for (size_t k = 0; k < n; k++) {
        if (!strcmp(allowed[k], value))
            return allowed[k];
        if (!strcasecmp(allowed[k], value)) {
            folded = allowed[k];
            nfolded++;
        } else if (len && !strncasecmp(allowed[k], value, len)) {
            prefixed = allowed[k];
            nprefixed++;
        }
    }
    if (nfolded)
        return nfolded == 1 ? folded : NULL;
    return nprefixed == 1 ? prefixed : NULL;
}

static const char *resolve_option(const hb_step *s, const char *value)
{
    const char **labels = hb_xcalloc(s->nedges + 1, sizeof *labels);
    for (size_t k = 0; k < s->nedges; k++)
        labels[k] = s->edges[k].label;
    const char *found = resolve(value, labels, s->nedges);
    free(labels);
    return found;
}

static size_t count(char *const *list)
{
    size_t n = 0;
    while (list && list[n])
        n++;
    return n;
}

/* Checks an answer; NULL when valid, with *json its value as ctx.answers
 * keeps it (newly allocated), else a message. An option or an enum's
 * choice is taken in any case or by a unique prefix; *json holds the
 * value itself. */
char *hb_ask_check_answer(const hb_step *s, char *const *choices, const char *value, char **json)
{
    hb_buf b;
    hb_buf_init(&b);
    cJSON *v = NULL;
    if (s->nedges) {
        const char *label = resolve_option(s, value);
        if (label)
            v = cJSON_CreateString(label);
        if (!v) {
            hb_buf_printf(&b, "'%s' is not an option of ask '%s' (options: ", value, s->id);
            for (size_t k = 0; k < s->nedges; k++)
                hb_buf_printf(&b, "%s%s", k ? ", " : "", s->edges[k].label);
            hb_buf_puts(&b, ")");
        }
    } else if (!strcmp(s->value_type, "integer")) {
        /* Below 2^53 in magnitude, as every integer hb keeps in JSON
         * (hb/lua_json.h): a larger one could not be checkpointed. */
        char *end = NULL;
        long long n = strtoll(value, &end, 10);
        if (*value && end && !*end && n < (1LL << 53) && n > -(1LL << 53))
            *json = hb_xasprintf("%lld", n);
        else
            hb_buf_printf(&b, "'%s' is not an integer (ask '%s')", value, s->id);
        return b.len ? hb_buf_take(&b) : NULL;
    } else if (!strcmp(s->value_type, "date")) {
        hb_time_us t;
        if (strlen(value) == 10 && hb_time_parse(value, &t, NULL) == HB_OK)
            v = cJSON_CreateString(value);
        else
            hb_buf_printf(&b, "'%s' is not a date YYYY-MM-DD (ask '%s')", value, s->id);
    } else if (!strcmp(s->value_type, "enum")) {
        const char *choice =
            choices ? resolve(value, (const char *const *)choices, count(choices)) : NULL;
        if (choice)
            v = cJSON_CreateString(choice);
        if (!v) {
            hb_buf_printf(&b, "'%s' is not one of the choices of ask '%s' (", value, s->id);
            if (choices)
                join_list(&b, choices);
            hb_buf_puts(&b, ")");
        }
    } else if (!*value) {
        hb_buf_printf(&b, "ask '%s' needs a non-empty answer", s->id);
    } else {
        v = cJSON_CreateString(value);
    }
    if (v) {
        *json = hb_json_print(v);
        cJSON_Delete(v);
    }
    return b.len ? hb_buf_take(&b) : NULL;
}

static cJSON *ask_wait_description(const hb_step *s, char **choices, const hb_context *c)
{
    cJSON *w = cJSON_CreateObject();
    cJSON_AddStringToObject(w, "kind", "ask");
    cJSON_AddStringToObject(w, "step", s->id);
    if (s->description)
        cJSON_AddStringToObject(w, "question", s->description);
    cJSON *opts = cJSON_AddArrayToObject(w, "options");
    if (s->nedges) {
        for (size_t k = 0; k < s->nedges; k++)
            cJSON_AddItemToArray(opts, cJSON_CreateString(s->edges[k].label));
    } else {
        cJSON_AddStringToObject(w, "value", s->value_type);
        for (size_t k = 0; choices && choices[k]; k++)
            cJSON_AddItemToArray(opts, cJSON_CreateString(choices[k]));
    }
    hb_context_add_to(c, w);
    return w;
}

/* Records a valid answer: ctx.answers, the audit trail, the way on. given
 * is the value the answer stands for (an option's label, not the prefix
 * typed). */
static hb_status take_answer(hb_exec *x, size_t i, const char *typed, const char *json,
                             hb_outcome *o, hb_err *e)
{
    const hb_step *s = &x->wf->steps[i];
    cJSON *value = cJSON_Parse(json);
    const char *given = cJSON_IsString(value) ? value->valuestring : typed;
    hb_status st = hb_lua_ctx_set(x->ctx, HB_CTX_ANSWERS, s->id, json, e);
    if (st != HB_OK)
        return st;
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "value", given);
    cJSON_AddStringToObject(data, "by", x->actor);
    st = hb_exec_audit(x, "answered", data, e);
    cJSON_Delete(data);
    if (st == HB_OK) {
        const char *next = hb_step_default_next(x->wf, i);
        for (size_t k = 0; k < s->nedges; k++)
            if (!strcmp(s->edges[k].label, given) && s->edges[k].target)
                next = s->edges[k].target;
        hb_outcome_next(o, next, s->nedges ? given : NULL, given);
    }
    cJSON_Delete(value);
    return st;
}

/* Asks until an answer the ask takes (*json set) or none comes; returns
 * the answer typed, or NULL. */
static char *ask_until_valid(hb_exec *x, const hb_step *s, char **choices, const hb_context *c,
                             char **json)
{
    char *problem = NULL;
    int64_t attempts = x->eng->ask_attempts > 0 ? x->eng->ask_attempts : 1;
    for (int64_t k = 0; k < attempts; k++) {
        char *typed = ask_someone(x, s, choices, c, problem);
        free(problem);
        problem = typed ? hb_ask_check_answer(s, choices, typed, json) : NULL;
        if (!typed || !problem)
            return typed;
        free(typed);
    }
    free(problem);
    return NULL;
}

static hb_status exec_ask(hb_exec *x, size_t i, hb_outcome *o, hb_err *e)
{
    const hb_step *s = &x->wf->steps[i];
    char **choices = NULL;
    if (s->value_type && !strcmp(s->value_type, "enum")) {
        choices = enum_choices(x, s, o);
        if (!choices)
            return HB_OK; /* o says why */
    }
    hb_context c;
    hb_context_build(x, s, &c);
    char *json = NULL, *problem = NULL, *typed = NULL;
    const char *given = given_answer(x, s->id);
    if (given)
        problem = hb_ask_check_answer(s, choices, given, &json);
    else
        given = typed = ask_until_valid(x, s, choices, &c, &json);
    hb_status st = HB_OK;
    if (!given) {
        o->kind = HB_OUT_PAUSE;
        o->wait = ask_wait_description(s, choices, &c);
        o->result = hb_xstrdup("waiting");
    } else if (problem) {
        o->kind = HB_OUT_USAGE;
        o->error = problem;
        o->result = hb_xstrdup("invalid");
    } else {
        st = take_answer(x, i, given, json, o, e);
    }
    hb_context_free(&c);
    hb_lua_list_free(choices);
    free(json);
    free(typed);
    return st;
}

hb_status hb_exec_step(hb_exec *x, size_t i, hb_outcome *o, hb_err *e)
{
    memset(o, 0, sizeof *o);
    const hb_step *s = &x->wf->steps[i];
    switch (s->kind) {
    case HB_STEP_TASK:
        return exec_task(x, i, o, e);
    case HB_STEP_CHOICE:
        return exec_choice(x, i, o, e);
    case HB_STEP_ASK:
        return exec_ask(x, i, o, e);
    case HB_STEP_WAIT:
        return hb_exec_wait(x, i, o, e);
    case HB_STEP_SUCCEED:
    case HB_STEP_FAIL:
        o->kind = HB_OUT_FINISH;
        o->succeeded = s->kind == HB_STEP_SUCCEED;
        o->result = hb_xstrdup(o->succeeded ? "succeeded" : "failed");
        if (s->message)
            o->error = hb_xstrdup(s->message);
        return HB_OK;
    }
    return hb_err_set(e, HB_EINTERNAL, "unknown step kind");
}
