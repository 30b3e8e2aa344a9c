/* The store's backend-independent parts: options from the settings, the
 * default location, lease holder names and the value types' memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hb/canonical_json.h"
#include "hb/secrets.h"
#include "hb/settings.h"
#include "hb/sha256.h"
#include "hb/store.h"
#include "hb/util.h"

hb_status hb_store_options_load_env(hb_store_options *o, hb_err *e)
{
    /* Both read even when the first is bad: a bad one gives its default
     * and does not discard the other (hb_store_options_from_env). */
    int64_t timeout_ms = HB_STORE_DEFAULT_BUSY_TIMEOUT_MS;
    int durability = 0;
    hb_status st = hb_setting_int("HB_BUSY_TIMEOUT_MS", &timeout_ms, e);
    hb_status dst = hb_setting_enum("HB_DURABILITY", &durability, st == HB_OK ? e : NULL);
    o->busy_timeout_ms = (int)timeout_ms;
    o->durability_full = durability == 1; /* "normal|full" */
    return st != HB_OK ? st : dst;
}

void hb_store_options_from_env(hb_store_options *o)
{
    hb_store_options_load_env(o, NULL);
}

hb_status hb_store_open_default(hb_store **out, hb_err *e)
{
    *out = NULL;
    hb_store_options o;
    hb_status st = hb_store_options_load_env(&o, e);
    if (st != HB_OK)
        return st;
    char *home = NULL;
    if ((st = hb_home_dir_ready(&home, e)) != HB_OK)
        return st;
    char *path = hb_path_join(home, "hb.db");
    st = hb_store_open_sqlite(path, &o, out, e);
    free(path);
    free(home);
    return st;
}

static const char *const STATUS_NAMES[HB_RUN_STATUS_COUNT] = {
    [HB_RUN_RUNNING] = "running",     [HB_RUN_WAITING] = "waiting",
    [HB_RUN_SUCCEEDED] = "succeeded", [HB_RUN_FAILED] = "failed",
    [HB_RUN_CANCELLED] = "cancelled", [HB_RUN_PLANNED] = "planned",
};

static const char *const TARGET_NAMES[HB_TARGET_COUNT] = {
    [HB_TARGET_LIVE] = "live",
    [HB_TARGET_SANDBOX] = "sandbox",
};

const char *hb_run_status_name(hb_run_status s)
{
    return s > HB_RUN_ANY && s < HB_RUN_STATUS_COUNT ? STATUS_NAMES[s] : "?";
}

bool hb_run_status_parse(const char *text, hb_run_status *out)
{
    int i = text ? hb_name_index(STATUS_NAMES, HB_RUN_STATUS_COUNT, text, false) : -1;
    if (i <= HB_RUN_ANY)
        return false;
    *out = (hb_run_status)i;
    return true;
}

const char *hb_run_status_list(void)
{
    static char list[128];
    if (!list[0]) {
        size_t at = 0;
        for (int i = HB_RUN_ANY + 1; i < HB_RUN_STATUS_COUNT; i++)
            at += (size_t)snprintf(list + at, sizeof list - at, "%s%s",
                                   i == HB_RUN_ANY + 1            ? ""
                                   : i == HB_RUN_STATUS_COUNT - 1 ? " or "
                                                                  : ", ",
                                   STATUS_NAMES[i]);
    }
    return list;
}

const char *hb_run_target_name(hb_run_target t)
{
    return t > HB_TARGET_NONE && t < HB_TARGET_COUNT ? TARGET_NAMES[t] : "?";
}

bool hb_run_target_parse(const char *text, hb_run_target *out)
{
    int i = text ? hb_name_index(TARGET_NAMES, HB_TARGET_COUNT, text, false) : -1;
    if (i <= HB_TARGET_NONE)
        return false;
    *out = (hb_run_target)i;
    return true;
}

void hb_store_lease_holder_self(char out[300])
{
    char host[256];
    if (gethostname(host, sizeof host) != 0 || !host[0])
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    snprintf(out, 300, "%s:%ld", host, (long)getpid());
}

void hb_run_prepare_new(hb_run *r)
{
    hb_sha256 h;
    hb_sha256_init(&h);
    hb_sha256_update(&h, r->workflow, strlen(r->workflow) + 1);
    hb_sha256_update(&h, r->inputs_json, strlen(r->inputs_json));
    hb_sha256_final_hex(&h, r->input_key);
    r->vars_json = hb_xstrdup("{}");
    r->answers_json = hb_xstrdup("{}");
    r->events_json = hb_xstrdup("{}");
}

void hb_run_free(hb_run *r)
{
    if (!r)
        return;
    char **strings[] = {&r->workflow,    &r->workflow_file, &r->step,         &r->actor,
                        &r->inputs_json, &r->vars_json,     &r->answers_json, &r->events_json,
                        &r->wait_json,   &r->error,         &r->lease_holder};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        free(*strings[i]);
        *strings[i] = NULL;
    }
}

static char *dup_or_null(const char *s)
{
    return s ? hb_xstrdup(s) : NULL;
}

void hb_run_copy(hb_run *dst, const hb_run *src)
{
    *dst = *src;
    dst->workflow = dup_or_null(src->workflow);
    dst->workflow_file = dup_or_null(src->workflow_file);
    dst->step = dup_or_null(src->step);
    dst->actor = dup_or_null(src->actor);
    dst->inputs_json = dup_or_null(src->inputs_json);
    dst->vars_json = dup_or_null(src->vars_json);
    dst->answers_json = dup_or_null(src->answers_json);
    dst->events_json = dup_or_null(src->events_json);
    dst->wait_json = dup_or_null(src->wait_json);
    dst->error = dup_or_null(src->error);
    dst->lease_holder = dup_or_null(src->lease_holder);
}

void hb_audit_event_free(hb_audit_event *ev)
{
    if (!ev)
        return;
    free(ev->step);
    free(ev->actor);
    free(ev->data);
    free(ev->object);
    ev->step = ev->actor = ev->data = ev->object = NULL;
}

/* A JSON field of the run: scrubbed in the tree so it stays valid JSON. */
static void scrub_json_field(char **field)
{
    if (!*field || !hb_secret_found(*field, strlen(*field)))
        return;
    cJSON *v = cJSON_Parse(*field);
    char *text = NULL;
    if (v && hb_secret_scrub_json(v))
        text = hb_canonical_json(v, NULL);
    cJSON_Delete(v);
    if (!text) /* not JSON after all: as text */
        text = hb_secret_scrub(*field, strlen(*field), NULL);
    if (text) {
        free(*field);
        *field = text;
    }
}

void hb_run_scrub(hb_run *r)
{
    scrub_json_field(&r->inputs_json);
    scrub_json_field(&r->vars_json);
    scrub_json_field(&r->answers_json);
    scrub_json_field(&r->events_json);
    scrub_json_field(&r->wait_json);
    if (r->error) {
        char *clean = hb_secret_scrub(r->error, strlen(r->error), NULL);
        if (clean) {
            free(r->error);
            r->error = clean;
        }
    }
}
