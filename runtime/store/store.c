/* The store's backend-independent parts: options from the environment, the
 * default location, lease holder names and the value types' memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hb/canonical_json.h"
#include "hb/secrets.h"
#include "hb/sha256.h"
#include "hb/store.h"
#include "hb/util.h"

static hb_status parse_busy_timeout(const char *text, int *out, hb_err *e)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end != '\0' || v < 0 || v > HB_STORE_MAX_BUSY_TIMEOUT_MS)
        return hb_err_set(e, HB_EUSAGE,
                          "HB_BUSY_TIMEOUT_MS must be a whole number of milliseconds from 0 to "
                          "%d, not '%s'",
                          HB_STORE_MAX_BUSY_TIMEOUT_MS, text);
    *out = (int)v;
    return HB_OK;
}

static hb_status parse_durability(const char *text, bool *full, hb_err *e)
{
    if (!strcasecmp(text, "normal")) {
        *full = false;
        return HB_OK;
    }
    if (!strcasecmp(text, "full")) {
        *full = true;
        return HB_OK;
    }
    return hb_err_set(e, HB_EUSAGE, "HB_DURABILITY must be 'normal' or 'full', not '%s'", text);
}

hb_status hb_store_options_load_env(hb_store_options *o, hb_err *e)
{
    o->busy_timeout_ms = HB_STORE_DEFAULT_BUSY_TIMEOUT_MS;
    o->durability_full = false;
    const char *timeout = getenv("HB_BUSY_TIMEOUT_MS");
    if (timeout && *timeout) {
        hb_status st = parse_busy_timeout(timeout, &o->busy_timeout_ms, e);
        if (st != HB_OK)
            return st;
    }
    const char *durability = getenv("HB_DURABILITY");
    if (durability && *durability)
        return parse_durability(durability, &o->durability_full, e);
    return HB_OK;
}

void hb_store_options_from_env(hb_store_options *o)
{
    /* Each variable on its own, so a bad timeout does not also discard a
     * good durability setting. */
    o->busy_timeout_ms = HB_STORE_DEFAULT_BUSY_TIMEOUT_MS;
    o->durability_full = false;
    const char *timeout = getenv("HB_BUSY_TIMEOUT_MS");
    if (timeout && *timeout)
        parse_busy_timeout(timeout, &o->busy_timeout_ms, NULL);
    const char *durability = getenv("HB_DURABILITY");
    if (durability && *durability)
        parse_durability(durability, &o->durability_full, NULL);
}

hb_status hb_store_open_default(hb_store **out, hb_err *e)
{
    *out = NULL;
    hb_store_options o;
    hb_status st = hb_store_options_load_env(&o, e);
    if (st != HB_OK)
        return st;
    char *home = hb_home_dir();
    st = hb_mkdirs(home, 0700, e);
    if (st != HB_OK) {
        hb_err_wrap(e, "HB_HOME");
        free(home);
        return st;
    }
    char *path = hb_path_join(home, "hb.db");
    st = hb_store_open_sqlite(path, &o, out, e);
    free(path);
    free(home);
    return st;
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
