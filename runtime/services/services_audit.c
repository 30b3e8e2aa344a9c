/* The audit events of the bindings: an `intent` before every write (so a
 * crash between sending and recording leaves a trace to reconcile), an
 * `api_call` after every exchange, reads and token fetches included. Bodies
 * are redacted and capped here, then handed to the sink by digest; a token
 * endpoint's answer is not stored at all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services_internal.h"

hb_status svc_audit_body(hb_services *s, const char *body, size_t len, char digest[65], hb_err *e)
{
    digest[0] = '\0';
    if (!s->cfg.audit.body || !body)
        return HB_OK;
    size_t n;
    char *clean = hb_redact_body(s->secrets, body, len, s->body_max, &n);
    hb_status st = s->cfg.audit.body(s->cfg.audit.ud, clean, n, digest, e);
    free(clean);
    if (st != HB_OK)
        digest[0] = '\0';
    return st;
}

static void add_common(cJSON *d, const hb_services *s, const svc_call *k)
{
    cJSON_AddStringToObject(d, "service", k->conn->name);
    cJSON_AddStringToObject(d, "op", k->op);
    cJSON_AddStringToObject(d, "method", k->method);
    cJSON_AddStringToObject(d, "path", k->audit_path);
    if (k->object)
        cJSON_AddStringToObject(d, "object", k->object);
    if (k->marker)
        cJSON_AddStringToObject(d, "marker", k->marker);
    if (k->request_digest[0])
        cJSON_AddStringToObject(d, "request_body", k->request_digest);
    cJSON_AddBoolToObject(d, "dry_run", s->cfg.dry_run);
}

static hb_status emit(hb_services *s, const char *type, cJSON *d, hb_err *e)
{
    hb_status st = HB_OK;
    if (s->cfg.audit.event) {
        /* Belt and braces: whatever a field holds, no known secret leaves. */
        hb_secrets_scrub_json(s->secrets, d);
        st = s->cfg.audit.event(s->cfg.audit.ud, type, d, e);
    }
    cJSON_Delete(d);
    return st;
}

hb_status svc_audit_intent(hb_services *s, const svc_call *k, hb_err *e)
{
    cJSON *d = cJSON_CreateObject();
    add_common(d, s, k);
    hb_status st = emit(s, "intent", d, e);
    if (st == HB_OK && k->marker)
        svc_once_intended(s, k->marker);
    return st;
}

hb_status svc_audit_api_call(hb_services *s, const svc_call *k, const hb_http_response *r,
                             int attempt, double ms, hb_err *e)
{
    if (!s->cfg.audit.event)
        return HB_OK;
    cJSON *d = cJSON_CreateObject();
    add_common(d, s, k);
    cJSON_AddNumberToObject(d, "status", (double)r->status);
    /* Whole milliseconds: canonical JSON keeps the number short and stable. */
    cJSON_AddNumberToObject(d, "ms", (double)(long long)(ms + 0.5));
    cJSON_AddNumberToObject(d, "attempt", attempt);
    cJSON *body =
        r->status ? cJSON_ParseWithLength(r->body.data ? r->body.data : "", r->body.len) : NULL;
    const char *rid = svc_request_id(r, body);
    if (rid)
        cJSON_AddStringToObject(d, "request_id", rid);
    else
        cJSON_AddNullToObject(d, "request_id");
    cJSON_Delete(body);
    long long remaining = r->status ? svc_ratelimit_remaining(r) : -1;
    if (remaining >= 0)
        cJSON_AddNumberToObject(d, "ratelimit_remaining", (double)remaining);
    else
        cJSON_AddNullToObject(d, "ratelimit_remaining");
    if (r->failure != HB_HTTP_NO_FAILURE)
        cJSON_AddStringToObject(d, "error", r->error);
    /* A token endpoint's answer is the token itself (and, at Zuora, the
     * same again as `jti`): it is never stored, redacted or not. */
    if (r->status && r->body.len > 0 && !k->token_fetch) {
        char digest[65];
        hb_status st = svc_audit_body(s, r->body.data, r->body.len, digest, e);
        if (st != HB_OK) {
            cJSON_Delete(d);
            return st;
        }
        if (digest[0])
            cJSON_AddStringToObject(d, "response_body", digest);
    }
    return emit(s, "api_call", d, e);
}

hb_status hb_services_audit_created(hb_services *s, const char *service, const char *op,
                                    const char *in, const char *created, hb_err *e)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "service", service);
    cJSON_AddStringToObject(d, "op", op);
    cJSON_AddStringToObject(d, "object", created);
    if (in)
        cJSON_AddStringToObject(d, "in", in);
    return emit(s, "created", d, e);
}

hb_status hb_services_audit_reconciled(hb_services *s, const char *service, const char *op,
                                       const char *object, const char *marker, const char *found,
                                       hb_err *e)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "kind", "reconciled");
    cJSON_AddStringToObject(d, "service", service);
    cJSON_AddStringToObject(d, "op", op);
    if (object)
        cJSON_AddStringToObject(d, "object", object);
    cJSON_AddStringToObject(d, "marker", marker);
    cJSON_AddStringToObject(d, "found", found);
    return emit(s, "note", d, e);
}
