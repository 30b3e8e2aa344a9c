/* The service-bindings fixture (see services_fixture.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/sha256.h"
#include "hb/util.h"
#include "services_fixture.h"
#include "test_support.h"

static const char *fixture_getvar(void *ud, const char *name)
{
    hbt_services *f = ud;
    for (int i = f->nvars - 1; i >= 0; i--)
        if (!strcmp(f->names[i], name))
            return f->values[i];
    return NULL;
}

static hb_status memory_event(void *ud, const char *type, const cJSON *data, hb_err *e)
{
    (void)e;
    hbt_services *f = ud;
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddStringToObject(ev, "type", type);
    cJSON_AddItemToObject(ev, "data", cJSON_Duplicate(data, true));
    cJSON_AddItemToArray(f->events, ev);
    return HB_OK;
}

static hb_status memory_body(void *ud, const char *content, size_t len, char digest[65], hb_err *e)
{
    (void)e;
    hbt_services *f = ud;
    hb_sha256_hex(content, len, digest);
    char *copy = hb_xstrndup(content, len);
    if (!cJSON_GetObjectItemCaseSensitive(f->bodies, digest))
        cJSON_AddStringToObject(f->bodies, digest, copy);
    free(copy);
    return HB_OK;
}

hbt_services *hbt_services_setup(void)
{
    hbt_setenv("HB_HTTP_BACKOFF_BASE_MS", "1");
    hbt_setenv("HB_HTTP_MAX_ATTEMPTS", "3");
    hbt_services *f = hb_xcalloc(1, sizeof *f);
    f->peer = hbt_peer_start();
    f->events = cJSON_CreateArray();
    f->bodies = cJSON_CreateObject();
    return f;
}

void hbt_services_teardown(hbt_services *f)
{
    hb_services_free(f->svc);
    hbt_peer_stop(f->peer);
    for (int i = 0; i < f->nvars; i++)
        free(f->values[i]);
    cJSON_Delete(f->events);
    cJSON_Delete(f->bodies);
    free(f);
    hbt_unsetenv("HB_HTTP_BACKOFF_BASE_MS");
    hbt_unsetenv("HB_HTTP_MAX_ATTEMPTS");
}

void hbt_services_var(hbt_services *f, const char *name, const char *value)
{
    if (f->nvars >= 32)
        fail_msg("too many fixture variables");
    f->names[f->nvars] = name;
    f->values[f->nvars] = hb_xstrdup(value);
    f->nvars++;
}

void hbt_services_all_vars(hbt_services *f)
{
    const char *url = hbt_peer_url(f->peer);
    hbt_services_var(f, "ZENDESK_URL", url);
    hbt_services_var(f, "ZENDESK_EMAIL", "agent@example.com");
    hbt_services_var(f, "ZENDESK_API_TOKEN", "zd-api-token-SECRET1");
    hbt_services_var(f, "GITLAB_URL", url);
    hbt_services_var(f, "GITLAB_TOKEN", "glpat-SECRET2");
    hbt_services_var(f, "ZUORA_URL", url);
    hbt_services_var(f, "ZUORA_CLIENT_ID", "zuora-client-ID3");
    hbt_services_var(f, "ZUORA_CLIENT_SECRET", "zuora-client-SECRET3");
    hbt_services_var(f, "SALESFORCE_URL", url);
    hbt_services_var(f, "SALESFORCE_CLIENT_ID", "sf-client-ID4");
    hbt_services_var(f, "SALESFORCE_CLIENT_SECRET", "sf-client-SECRET4");
}

hb_services *hbt_services_get(hbt_services *f)
{
    if (f->svc)
        return f->svc;
    hb_services_config cfg = {
        .getvar = fixture_getvar,
        .getvar_ud = f,
        .dry_run = f->dry_run,
        .forbid = f->forbid[0] ? f->forbid : NULL,
        .uses = f->uses[0] ? f->uses : NULL,
        .workflow = "test-workflow",
        .audit = {.ud = f, .event = memory_event, .body = memory_body},
    };
    hb_err e;
    f->svc = hb_services_new(&cfg, &e);
    if (!f->svc)
        fail_msg("hb_services_new: %s", e.msg);
    return f->svc;
}

hb_status hbt_call(hbt_services *f, const hb_service_request *req, hb_service_response *out,
                   hb_err *e)
{
    hb_service_response local;
    hb_status st = hb_services_call(hbt_services_get(f), req, out ? out : &local, e);
    if (!out)
        hb_service_response_free(&local);
    return st;
}

size_t hbt_events(hbt_services *f, const char *type)
{
    size_t n = 0;
    const cJSON *ev;
    cJSON_ArrayForEach(ev, f->events)
    {
        if (!strcmp(hbt_str(ev, "type"), type))
            n++;
    }
    return n;
}

const cJSON *hbt_event(hbt_services *f, const char *type, size_t i)
{
    const cJSON *ev;
    cJSON_ArrayForEach(ev, f->events)
    {
        if (!strcmp(hbt_str(ev, "type"), type) && i-- == 0)
            return cJSON_GetObjectItemCaseSensitive(ev, "data");
    }
    fail_msg("no %s event #%zu", type, i);
    return NULL;
}

const char *hbt_body(hbt_services *f, const char *digest)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(f->bodies, digest);
    return cJSON_IsString(b) ? b->valuestring : NULL;
}

void hbt_assert_not_in_audit(hbt_services *f, const char *needle)
{
    char *events = cJSON_PrintUnformatted(f->events);
    char *bodies = cJSON_PrintUnformatted(f->bodies);
    if (strstr(events, needle) || strstr(bodies, needle))
        fail_msg("'%s' reached the audit trail", needle);
    cJSON_free(events);
    cJSON_free(bodies);
}

const char *hbt_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

double hbt_num(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

const char *hbt_read_op(const char *service)
{
    static const char *const reads[][2] = {{"zendesk", "zendesk.tickets.get"},
                                           {"gitlab", "gitlab.issues.get"},
                                           {"zuora", "zuora.subscriptions.get"},
                                           {"salesforce", "salesforce.query"}};
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++)
        if (!strcmp(reads[i][0], service))
            return reads[i][1];
    return "unknown.read";
}
