/* hb runs: the runs in the store, newest first, as a table with a header
 * (id, workflow, status, target, step, object, updated, waiting until), or
 * one JSON object a line. hb call's one-step runs are left out unless
 * --all: they are a record, not work anyone follows. The store lists runs
 * oldest first; they are collected and printed the other way round. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/cli.h"
#include "hb/sha256.h"
#include "hb/engine.h"
#include "hb/json_print.h"
#include "hb/store.h"
#include "hb/util.h"

/* The workflow name of hb call's runs starts with this (engine_call.c). */
#define CALL_PREFIX "call:"

typedef struct row {
    hb_run run;
    char *object;     /* what the run is about, or NULL */
    char *waiting;    /* the "waiting until" cell, or NULL */
    char version[65]; /* --outdated: the file's version now, "" when gone */
} row;

typedef struct runs_ctx {
    hb_store *store;
    hb_kv *inputs;
    size_t ninputs;
    bool json;
    bool outdated;
    bool all;
    row *rows;
    size_t nrows;
} runs_ctx;

/* The sha256 of the workflow file as it is now, or "" when it is gone. */
static void current_version(const hb_run *r, char out[65])
{
    out[0] = '\0';
    size_t len;
    char *src = r->workflow_file ? hb_read_file(r->workflow_file, &len, NULL) : NULL;
    if (src)
        hb_sha256_hex(src, len, out);
    free(src);
}

static bool input_matches(const hb_run *r, const hb_kv *kv)
{
    cJSON *in = cJSON_Parse(r->inputs_json ? r->inputs_json : "{}");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, kv->key);
    bool ok = false;
    if (cJSON_IsString(v))
        ok = !strcmp(v->valuestring, kv->value);
    else if (cJSON_IsNumber(v)) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.17g", v->valuedouble);
        ok = !strcmp(buf, kv->value);
    } else if (cJSON_IsBool(v))
        ok = !strcmp(cJSON_IsTrue(v) ? "true" : "false", kv->value);
    cJSON_Delete(in);
    return ok;
}

static int first_object(const hb_audit_event *ev, void *ud)
{
    char **out = ud;
    if (!ev->object)
        return 0;
    *out = hb_xstrdup(ev->object);
    return 1;
}

/* What the run is about: its ticket when it has a `ticket` input (the
 * handbook's workflows start from one), else the first object its audit
 * trail names (what it wrote to first). */
static char *run_object(hb_store *s, const hb_run *r)
{
    cJSON *in = cJSON_Parse(r->inputs_json ? r->inputs_json : "{}");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(in, "ticket");
    char *obj = NULL;
    if (cJSON_IsNumber(t))
        obj = hb_xasprintf("zendesk:ticket:%.17g", t->valuedouble);
    cJSON_Delete(in);
    if (obj)
        return obj;
    hb_err ignored;
    s->ops->audit_iter(s, r->id, first_object, &obj, &ignored);
    return obj;
}

static const char *str_field(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The "waiting until" cell: the moment a worker looks again, else what
 * only a person can bring (an answer, an event). */
static char *waiting_cell(const hb_run *r)
{
    if (r->status != HB_RUN_WAITING)
        return NULL;
    if (r->due_at) {
        char t[32];
        hb_time_format_seconds(r->due_at, t);
        return hb_xstrdup(t);
    }
    cJSON *w = r->wait_json ? cJSON_Parse(r->wait_json) : NULL;
    const char *kind = str_field(w, "kind"), *event = str_field(w, "event");
    char *cell = event                          ? hb_xasprintf("event %s", event)
                 : kind && !strcmp(kind, "ask") ? hb_xstrdup("an answer")
                                                : hb_xstrdup(kind ? kind : "?");
    cJSON_Delete(w);
    return cell;
}

static int collect_run(const hb_run *r, void *ud)
{
    runs_ctx *c = ud;
    if (!c->all && hb_str_starts_with(r->workflow, CALL_PREFIX))
        return 0;
    for (size_t i = 0; i < c->ninputs; i++)
        if (!input_matches(r, &c->inputs[i]))
            return 0;
    char version[65] = "";
    if (c->outdated) {
        current_version(r, version);
        if (!strcmp(version, r->version))
            return 0;
    }
    c->rows = hb_xrealloc(c->rows, (c->nrows + 1) * sizeof *c->rows);
    row *w = &c->rows[c->nrows++];
    memset(w, 0, sizeof *w);
    hb_run_copy(&w->run, r);
    memcpy(w->version, version, sizeof version);
    return 0;
}

static void print_json(const row *w, bool outdated)
{
    const hb_run *r = &w->run;
    cJSON *o = hb_cli_run_json(r);
    cJSON_AddStringToObject(o, "version", r->version);
    cJSON_AddItemToObject(o, "inputs", cJSON_Parse(r->inputs_json ? r->inputs_json : "{}"));
    if (w->object)
        cJSON_AddStringToObject(o, "object", w->object);
    char t[32];
    hb_time_format_seconds(r->created_at, t);
    cJSON_AddStringToObject(o, "created", t);
    hb_time_format_seconds(r->updated_at, t);
    cJSON_AddStringToObject(o, "updated", t);
    if (r->due_at && r->status == HB_RUN_WAITING) {
        hb_time_format_seconds(r->due_at, t);
        cJSON_AddStringToObject(o, "waiting_until", t);
    }
    cJSON *wait = r->wait_json ? cJSON_Parse(r->wait_json) : NULL;
    if (wait)
        cJSON_AddItemToObject(o, "waiting_for", wait);
    if (outdated)
        cJSON_AddStringToObject(o, "file_version", w->version);
    char *text = hb_json_print(o);
    printf("%s\n", text);
    free(text);
    cJSON_Delete(o);
}

/* Under a waiting run: what it waits for, since when and until when. */
static void print_wait_detail(const hb_run *r)
{
    cJSON *wait = r->wait_json ? cJSON_Parse(r->wait_json) : NULL;
    if (!wait)
        return;
    const char *kind = str_field(wait, "kind"), *ev = str_field(wait, "event");
    const char *since = str_field(wait, "since"), *until = str_field(wait, "until");
    const char *question = str_field(wait, "question");
    printf("    waits for %s%s%s", kind ? kind : "?", ev ? " " : "", ev ? ev : "");
    if (question)
        printf(": %s", question);
    if (since)
        printf(" since %s", since);
    if (until)
        printf(" until %s", until);
    printf("\n");
    cJSON_Delete(wait);
}

enum { COL_ID, COL_WORKFLOW, COL_STATUS, COL_TARGET, COL_STEP, COL_OBJECT, COL_UPDATED, NCOLS };

static const char *const HEADERS[NCOLS + 1] = {"ID",   "WORKFLOW", "STATUS",  "TARGET",
                                               "STEP", "OBJECT",   "UPDATED", "WAITING UNTIL"};

static void cells(const row *w, const char *cell[NCOLS], char updated[32])
{
    const hb_run *r = &w->run;
    hb_time_format_seconds(r->updated_at, updated);
    cell[COL_ID] = r->id;
    cell[COL_WORKFLOW] = r->workflow;
    cell[COL_STATUS] = hb_run_status_name(r->status);
    cell[COL_TARGET] = hb_run_target_name(r->target);
    cell[COL_STEP] = r->step ? r->step : "-";
    cell[COL_OBJECT] = w->object ? w->object : "-";
    cell[COL_UPDATED] = updated;
}

/* Columns as wide as their widest cell, newest run first. */
static void print_table(const runs_ctx *c)
{
    int width[NCOLS];
    for (int k = 0; k < NCOLS; k++)
        width[k] = (int)strlen(HEADERS[k]);
    for (size_t i = 0; i < c->nrows; i++) {
        const char *cell[NCOLS];
        char updated[32];
        cells(&c->rows[i], cell, updated);
        for (int k = 0; k < NCOLS; k++)
            if ((int)strlen(cell[k]) > width[k])
                width[k] = (int)strlen(cell[k]);
    }
    for (int k = 0; k < NCOLS; k++)
        printf("%-*s  ", width[k], HEADERS[k]);
    printf("%s\n", HEADERS[NCOLS]);
    for (size_t i = c->nrows; i-- > 0;) {
        const row *w = &c->rows[i];
        const char *cell[NCOLS];
        char updated[32];
        cells(w, cell, updated);
        for (int k = 0; k < NCOLS; k++)
            printf("%-*s  ", width[k], cell[k]);
        printf("%s\n", w->waiting ? w->waiting : "-");
        if (w->run.status == HB_RUN_WAITING)
            print_wait_detail(&w->run);
        if (c->outdated) {
            printf("    pinned to version %.12s; %s is now %.12s\n", w->run.version,
                   w->run.workflow_file, w->version[0] ? w->version : "(gone)");
            if (w->run.status == HB_RUN_WAITING && w->version[0])
                printf("    move it onto the version on disk: hb migrate %s --to-current "
                       "(a dry run; --apply moves it)\n",
                       w->run.id);
        }
    }
}

static hb_status set_status(void *filter, const char *text, hb_err *e)
{
    hb_run_filter *f = filter;
    if (hb_run_status_parse(text, &f->status))
        return HB_OK;
    return hb_err_set(e, HB_EUSAGE, "unknown status '%s' (%s)", text, hb_run_status_list());
}

static hb_status add_input(void *ctx, const char *text, hb_err *e)
{
    runs_ctx *c = ctx;
    hb_kv kv;
    hb_status st = hb_kv_parse(text, &kv, e);
    if (st != HB_OK)
        return st;
    c->inputs = hb_xrealloc(c->inputs, (c->ninputs + 1) * sizeof *c->inputs);
    c->inputs[c->ninputs++] = kv;
    return HB_OK;
}

static void print_rows(runs_ctx *c)
{
    for (size_t i = 0; i < c->nrows; i++) {
        c->rows[i].object = run_object(c->store, &c->rows[i].run);
        c->rows[i].waiting = waiting_cell(&c->rows[i].run);
    }
    if (!c->json) {
        print_table(c);
        return;
    }
    for (size_t i = c->nrows; i-- > 0;)
        print_json(&c->rows[i], c->outdated);
}

static void free_rows(runs_ctx *c)
{
    for (size_t i = 0; i < c->nrows; i++) {
        hb_run_free(&c->rows[i].run);
        free(c->rows[i].object);
        free(c->rows[i].waiting);
    }
    free(c->rows);
}

int hb_cmd_runs(int argc, char **argv)
{
    hb_run_filter f = {0};
    runs_ctx c = {0};
    const hb_option options[] = {
        HB_EACH("status", set_status, &f, "S", "only runs with this status"),
        HB_STRING("workflow", &f.workflow, "NAME", "only runs of this workflow"),
        HB_EACH("input", add_input, &c, "K=V", "only runs with this input (repeatable)"),
        HB_FLAG("outdated", &c.outdated,
                "only active runs pinned to an older version of their\n"
                "workflow than the file on disk"),
        HB_FLAG("all", &c.all, "include hb call's one-step runs (workflow call:...)"),
        HB_FLAG("json", &c.json, "one JSON object a line"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "runs",
        .about = "Lists runs, newest first: id, workflow, status, target, step, the object the\n"
                 "run is about (its ticket, else what it changed first), when it last changed\n"
                 "and, for a waiting run, until when (or what it waits for). A waiting run's\n"
                 "second line says what it waits for, since when and until when. hb call's\n"
                 "runs are left out unless --all. Statuses: running waiting succeeded failed\n"
                 "cancelled planned. Runs --outdated resume under their own version.\n",
        .options = options,
    };
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        goto out;
    f.active_only = c.outdated;
    hb_err e;
    if ((rc = hb_store_open_default(&c.store, &e)) != HB_OK ||
        (rc = c.store->ops->run_list(c.store, &f, collect_run, &c, &e)) != HB_OK)
        hb_cli_error("%s", e.msg);
    else
        print_rows(&c);
out:
    hb_store_close(c.store);
    free_rows(&c);
    hb_kv_free(c.inputs, c.ninputs);
    return rc;
}
