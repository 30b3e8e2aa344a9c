/* hb runs: the runs in the store, newest first, with what waiting runs wait for. */
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

typedef struct runs_ctx {
    hb_kv *inputs;
    size_t ninputs;
    bool json;
    bool outdated;
    int shown;
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

static int show_run(const hb_run *r, void *ud)
{
    runs_ctx *c = ud;
    for (size_t i = 0; i < c->ninputs; i++)
        if (!input_matches(r, &c->inputs[i]))
            return 0;
    char now_version[65] = "";
    if (c->outdated) {
        current_version(r, now_version);
        if (!strcmp(now_version, r->version))
            return 0;
    }
    c->shown++;
    cJSON *wait = r->wait_json ? cJSON_Parse(r->wait_json) : NULL;
    if (c->json) {
        cJSON *o = hb_cli_run_json(r);
        cJSON_AddStringToObject(o, "version", r->version);
        cJSON_AddItemToObject(o, "inputs", cJSON_Parse(r->inputs_json ? r->inputs_json : "{}"));
        if (wait)
            cJSON_AddItemToObject(o, "waiting_for", cJSON_Duplicate(wait, true));
        if (c->outdated)
            cJSON_AddStringToObject(o, "file_version", now_version);
        char *t = hb_json_print(o);
        printf("%s\n", t);
        free(t);
        cJSON_Delete(o);
    } else {
        printf("%s  %-28s %-9s %-7s %-26s %s\n", r->id, r->workflow, hb_run_status_name(r->status),
               hb_run_target_name(r->target), r->step ? r->step : "",
               r->inputs_json ? r->inputs_json : "");
        if (wait && r->status == HB_RUN_WAITING) {
            const cJSON *kind = cJSON_GetObjectItemCaseSensitive(wait, "kind");
            const cJSON *ev = cJSON_GetObjectItemCaseSensitive(wait, "event");
            const cJSON *since = cJSON_GetObjectItemCaseSensitive(wait, "since");
            const cJSON *until = cJSON_GetObjectItemCaseSensitive(wait, "until");
            printf("    waits for %s%s%s", cJSON_IsString(kind) ? kind->valuestring : "?",
                   cJSON_IsString(ev) ? " " : "", cJSON_IsString(ev) ? ev->valuestring : "");
            if (cJSON_IsString(since))
                printf(" since %s", since->valuestring);
            if (cJSON_IsString(until))
                printf(" until %s", until->valuestring);
            printf("\n");
        }
        if (c->outdated)
            printf("    pinned to version %.12s; %s is now %.12s\n", r->version, r->workflow_file,
                   now_version[0] ? now_version : "(gone)");
    }
    cJSON_Delete(wait);
    return 0;
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
        HB_FLAG("json", &c.json, "one JSON object a line"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "runs",
        .about = "Lists runs, newest first. Statuses: running waiting succeeded failed\n"
                 "cancelled planned. A waiting run shows what it waits for, since when and\n"
                 "until when. Runs --outdated resume under their own version.\n",
        .options = options,
    };
    hb_store *s = NULL;
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        goto out;
    f.active_only = c.outdated;
    hb_err e;
    if ((rc = hb_store_open_default(&s, &e)) != HB_OK ||
        (rc = s->ops->run_list(s, &f, show_run, &c, &e)) != HB_OK)
        hb_cli_error("%s", e.msg);
out:
    hb_store_close(s);
    hb_kv_free(c.inputs, c.ninputs);
    return rc;
}
