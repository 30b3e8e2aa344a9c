/* Executing one step of each kind. A step never touches the store's run
 * row: it reports an outcome and engine.c checkpoints it. */
#include <ctype.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine_internal.h"
#include "hb/clock.h"
#include "hb/lua_json.h"
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

static void go(hb_outcome *o, const char *next, const char *label, const char *result)
{
    o->kind = HB_OUT_NEXT;
    o->next = next;
    o->label = label ? hb_xstrdup(label) : NULL;
    o->result = hb_xstrdup(result);
}

static void failed(hb_outcome *o, const char *msg, char *traceback)
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

static hb_status exec_task(hb_exec *x, size_t i, hb_outcome *o, hb_err *e)
{
    const hb_step *s = &x->wf->steps[i];
    hb_err err;
    char *tb = NULL;
    for (int attempt = 1;; attempt++) {
        free(tb);
        tb = NULL;
        lua_State *L = hb_lua_state(x->lua);
        int top = lua_gettop(L);
        hb_status st = hb_ctx_call(x, s->run_ref, 0, &tb, &err);
        lua_settop(L, top);
        if (st == HB_OK) {
            free(tb);
            go(o, hb_step_default_next(x->wf, i), NULL, "ok");
            return HB_OK;
        }
        if (attempt >= s->retry_attempts)
            break;
        int64_t wait = s->retry_backoff_us << (attempt - 1);
        cJSON *note = cJSON_CreateObject();
        char msg[2300];
        snprintf(msg, sizeof msg, "attempt %d of %d failed: %s; retrying in %lld ms", attempt,
                 s->retry_attempts, err.msg, (long long)(wait / 1000));
        cJSON_AddStringToObject(note, "message", msg);
        hb_status ast = hb_exec_audit(x, "note", note, e);
        cJSON_Delete(note);
        if (ast != HB_OK) {
            free(tb);
            return ast;
        }
        fprintf(stderr, "  %s: %s\n", s->id, msg);
        sleep_us(wait);
    }
    if (s->on_error) {
        o->kind = HB_OUT_NEXT;
        o->next = s->on_error;
        o->label = hb_xstrdup("error");
        o->result = hb_xstrdup("error");
        o->error = hb_xstrdup(err.msg);
        o->traceback = tb;
        return HB_OK;
    }
    failed(o, err.msg, tb);
    return HB_OK;
}

static hb_status exec_choice(hb_exec *x, size_t i, hb_outcome *o, hb_err *e)
{
    (void)e;
    const hb_step *s = &x->wf->steps[i];
    lua_State *L = hb_lua_state(x->lua);
    for (size_t k = 0; k < s->nedges; k++) {
        const hb_edge *edge = &s->edges[k];
        bool taken = edge->when_ref == LUA_NOREF;
        if (!taken) {
            hb_err err;
            char *tb = NULL;
            int top = lua_gettop(L);
            if (hb_ctx_call(x, edge->when_ref, 1, &tb, &err) != HB_OK) {
                char msg[2400];
                snprintf(msg, sizeof msg, "branch '%s': %s", edge->label, err.msg);
                failed(o, msg, tb);
                return HB_OK;
            }
            taken = lua_toboolean(L, -1);
            lua_settop(L, top);
        }
        if (taken) {
            go(o, edge->target, edge->label, edge->label);
            return HB_OK;
        }
    }
    failed(o, "no branch matched and the choice has no default branch (one without `when`)", NULL);
    return HB_OK;
}

/* The allowed values of an enum ask: a literal list or choices(ctx). Pushes
 * nothing; fills a NULL-terminated array the caller frees. */
static char **enum_choices(hb_exec *x, const hb_step *s, hb_outcome *o)
{
    char **list = hb_xcalloc(s->nchoices + 1, sizeof *list);
    if (s->choices_ref == LUA_NOREF) {
        for (size_t k = 0; k < s->nchoices; k++)
            list[k] = hb_xstrdup(s->choices[k]);
        return list;
    }
    free(list);
    lua_State *L = hb_lua_state(x->lua);
    int top = lua_gettop(L);
    hb_err err;
    char *tb = NULL;
    if (hb_ctx_call(x, s->choices_ref, 1, &tb, &err) != HB_OK) {
        failed(o, err.msg, tb);
        return NULL;
    }
    if (!lua_istable(L, -1)) {
        lua_settop(L, top);
        failed(o, "choices(ctx) must return a list of strings", NULL);
        return NULL;
    }
    hb_lua_push_unfrozen(L, -1); /* a stdlib list (support.level_order) is a view */
    lua_replace(L, -2);
    size_t n = lua_rawlen(L, -1);
    list = hb_xcalloc(n + 1, sizeof *list);
    for (size_t k = 0; k < n; k++) {
        lua_rawgeti(L, -1, (lua_Integer)k + 1);
        const char *v = lua_tostring(L, -1);
        list[k] = hb_xstrdup(v ? v : "");
        lua_pop(L, 1);
    }
    lua_settop(L, top);
    return list;
}

static void free_list(char **list)
{
    for (size_t k = 0; list && list[k]; k++)
        free(list[k]);
    free(list);
}

static void join_list(hb_buf *b, char **list)
{
    for (size_t k = 0; list[k]; k++)
        hb_buf_printf(b, "%s%s", k ? ", " : "", list[k]);
}

/* The answer for this ask given on the command line, or NULL. */
static const char *given_answer(hb_exec *x, const char *step)
{
    for (size_t k = 0; k < x->req->nanswers; k++)
        if (!x->answer_used[k] && !strcmp(x->req->answers[k].key, step)) {
            x->answer_used[k] = true;
            return x->req->answers[k].value;
        }
    return NULL;
}

static char *prompt_answer(const hb_step *s, char **choices)
{
    fprintf(stderr, "\n? %s\n", s->description ? s->description : s->id);
    if (s->nedges) {
        for (size_t k = 0; k < s->nedges; k++)
            fprintf(stderr, "  - %s\n", s->edges[k].label);
    } else if (choices) {
        for (size_t k = 0; choices[k]; k++)
            fprintf(stderr, "  - %s\n", choices[k]);
    } else {
        fprintf(stderr, "  (a %s)\n", s->value_type);
    }
    fprintf(stderr, "> ");
    fflush(stderr);
    char line[1024];
    if (!fgets(line, sizeof line, stdin))
        return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    return line[0] ? hb_xstrdup(line) : NULL;
}

/* Checks an answer and pushes its Lua value; NULL when valid, else a message. */
static char *check_answer(hb_exec *x, const hb_step *s, char **choices, const char *value)
{
    lua_State *L = hb_lua_state(x->lua);
    hb_buf b;
    hb_buf_init(&b);
    if (s->nedges) {
        for (size_t k = 0; k < s->nedges; k++)
            if (!strcmp(s->edges[k].label, value)) {
                lua_pushstring(L, value);
                return NULL;
            }
        hb_buf_printf(&b, "'%s' is not an option of ask '%s' (options: ", value, s->id);
        for (size_t k = 0; k < s->nedges; k++)
            hb_buf_printf(&b, "%s%s", k ? ", " : "", s->edges[k].label);
        hb_buf_puts(&b, ")");
        return hb_buf_take(&b);
    }
    if (!strcmp(s->value_type, "integer")) {
        char *end = NULL;
        long long v = strtoll(value, &end, 10);
        if (*value && end && !*end) {
            lua_pushinteger(L, v);
            return NULL;
        }
        hb_buf_printf(&b, "'%s' is not an integer (ask '%s')", value, s->id);
        return hb_buf_take(&b);
    }
    if (!strcmp(s->value_type, "date")) {
        hb_time_us t;
        if (strlen(value) == 10 && hb_time_parse(value, &t, NULL) == HB_OK) {
            lua_pushstring(L, value);
            return NULL;
        }
        hb_buf_printf(&b, "'%s' is not a date YYYY-MM-DD (ask '%s')", value, s->id);
        return hb_buf_take(&b);
    }
    if (!strcmp(s->value_type, "enum")) {
        for (size_t k = 0; choices && choices[k]; k++)
            if (!strcmp(choices[k], value)) {
                lua_pushstring(L, value);
                return NULL;
            }
        hb_buf_printf(&b, "'%s' is not one of the choices of ask '%s' (", value, s->id);
        if (choices)
            join_list(&b, choices);
        hb_buf_puts(&b, ")");
        return hb_buf_take(&b);
    }
    if (!*value) {
        hb_buf_printf(&b, "ask '%s' needs a non-empty answer", s->id);
        return hb_buf_take(&b);
    }
    lua_pushstring(L, value);
    return NULL;
}

static cJSON *ask_wait_description(const hb_step *s, char **choices)
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
    return w;
}

static hb_status exec_ask(hb_exec *x, size_t i, hb_outcome *o, hb_err *e)
{
    (void)e;
    const hb_step *s = &x->wf->steps[i];
    char **choices = NULL;
    if (s->value_type && !strcmp(s->value_type, "enum")) {
        choices = enum_choices(x, s, o);
        if (!choices)
            return HB_OK; /* o says why */
    }
    const char *given = given_answer(x, s->id);
    char *typed = NULL;
    if (!given && x->req->interactive && !x->run.dry_run)
        given = typed = prompt_answer(s, choices);
    if (!given) {
        o->kind = HB_OUT_PAUSE;
        o->wait = ask_wait_description(s, choices);
        o->result = hb_xstrdup("waiting");
        free_list(choices);
        return HB_OK;
    }
    char *problem = check_answer(x, s, choices, given);
    free_list(choices);
    if (problem) {
        o->kind = HB_OUT_USAGE;
        o->error = problem;
        o->result = hb_xstrdup("invalid");
        free(typed);
        return HB_OK;
    }
    hb_ctx_set_answer(x, s->id);
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "value", given);
    cJSON_AddStringToObject(data, "by", x->actor);
    hb_status st = hb_exec_audit(x, "answered", data, e);
    cJSON_Delete(data);
    if (st != HB_OK) {
        free(typed);
        return st;
    }
    const char *next = hb_step_default_next(x->wf, i);
    for (size_t k = 0; k < s->nedges; k++)
        if (!strcmp(s->edges[k].label, given) && s->edges[k].target)
            next = s->edges[k].target;
    go(o, next, s->nedges ? given : NULL, given);
    free(typed);
    return HB_OK;
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
