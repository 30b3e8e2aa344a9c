/* hb runs: the runs in the store, newest first, with what waiting runs wait for. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/cli.h"
#include "hb/sha256.h"
#include "hb/engine.h"
#include "hb/store.h"
#include "hb/util.h"

static const char USAGE[] =
    "usage: hb runs [--status S] [--workflow NAME] [--input K=V]... [--outdated] [--json]\n"
    "\n"
    "Lists runs, newest first. Statuses: running waiting succeeded failed\n"
    "cancelled planned. A waiting run shows what it waits for, since when and\n"
    "until when. --outdated keeps only active runs pinned to an older version of\n"
    "their workflow than the file on disk (they resume under their own version).\n";

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
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "run", r->id);
        cJSON_AddStringToObject(o, "workflow", r->workflow);
        cJSON_AddStringToObject(o, "status", r->status);
        cJSON_AddStringToObject(o, "step", r->step ? r->step : "");
        cJSON_AddStringToObject(o, "target", r->target);
        cJSON_AddStringToObject(o, "version", r->version);
        cJSON_AddItemToObject(o, "inputs", cJSON_Parse(r->inputs_json ? r->inputs_json : "{}"));
        if (wait)
            cJSON_AddItemToObject(o, "waiting_for", cJSON_Duplicate(wait, true));
        if (c->outdated)
            cJSON_AddStringToObject(o, "file_version", now_version);
        char *t = cJSON_PrintUnformatted(o);
        printf("%s\n", t);
        free(t);
        cJSON_Delete(o);
    } else {
        printf("%s  %-28s %-9s %-7s %-26s %s\n", r->id, r->workflow, r->status, r->target,
               r->step ? r->step : "", r->inputs_json ? r->inputs_json : "");
        if (wait && !strcmp(r->status, "waiting")) {
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

int hb_cmd_runs(int argc, char **argv)
{
    if (hb_cli_wants_help(argc, argv)) {
        fputs(USAGE, stdout);
        return HB_OK;
    }
    hb_run_filter f = {0};
    runs_ctx c = {0};
    static const char *const statuses[] = {"running", "waiting",   "succeeded",
                                           "failed",  "cancelled", "planned"};
    int rc = HB_OK;
    for (int i = 1; i < argc && rc == HB_OK; i++) {
        if (!strcmp(argv[i], "--status") && i + 1 < argc) {
            f.status = argv[++i];
            bool known = false;
            for (size_t k = 0; k < sizeof statuses / sizeof statuses[0]; k++)
                known = known || !strcmp(statuses[k], f.status);
            if (!known) {
                hb_cli_error("unknown status '%s' (running waiting succeeded failed cancelled "
                             "planned)",
                             f.status);
                rc = HB_EUSAGE;
            }
        } else if (!strcmp(argv[i], "--workflow") && i + 1 < argc) {
            f.workflow = argv[++i];
        } else if (!strcmp(argv[i], "--input") && i + 1 < argc) {
            hb_err e;
            hb_kv kv;
            if (hb_kv_parse(argv[++i], &kv, &e) != HB_OK) {
                hb_cli_error("%s", e.msg);
                rc = HB_EUSAGE;
                break;
            }
            c.inputs = hb_xrealloc(c.inputs, (c.ninputs + 1) * sizeof *c.inputs);
            c.inputs[c.ninputs++] = kv;
        } else if (!strcmp(argv[i], "--json")) {
            c.json = true;
        } else if (!strcmp(argv[i], "--outdated")) {
            c.outdated = true;
            f.active_only = true;
        } else {
            hb_cli_error("unexpected argument '%s'\n%s", argv[i], USAGE);
            rc = HB_EUSAGE;
        }
    }
    if (rc == HB_OK) {
        hb_store *s = NULL;
        hb_err e;
        hb_status st = hb_store_open_default(&s, &e);
        if (st == HB_OK)
            st = s->ops->run_list(s, &f, show_run, &c, &e);
        if (st != HB_OK) {
            hb_cli_error("%s", e.msg);
            rc = st;
        }
        hb_store_close(s);
    }
    hb_kv_free(c.inputs, c.ninputs);
    return rc;
}
