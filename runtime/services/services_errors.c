/* One error value for four services' error shapes:
 *   {service, status, code, message, details, request_id}
 * Zendesk: {"error":"RecordNotFound","description":…} or {"error":{title,
 * message}}, with "details"; GitLab: {"message":"404 …"} or {"message":
 * {field:[msgs]}}; Zuora: {"success":false,"reasons":[{code,message}]}, on
 * HTTP 200 too; Salesforce: [{"errorCode","message","fields"}]; token
 * endpoints: {"error","error_description"}. `code` is always a string (the
 * service's own code, else "http_<status>"), so workflows compare one type.
 * Every text is scrubbed of known secrets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services_internal.h"

#define MAX_TEXT_MESSAGE 300

cJSON *svc_error_make(const char *service, long status, const char *code, const char *message,
                      cJSON *details, const char *request_id)
{
    cJSON *err = cJSON_CreateObject();
    cJSON_AddStringToObject(err, "service", service);
    cJSON_AddNumberToObject(err, "status", (double)status);
    cJSON_AddStringToObject(err, "code", code ? code : "unknown");
    cJSON_AddStringToObject(err, "message", message ? message : "");
    cJSON_AddItemToObject(err, "details", details ? details : cJSON_CreateNull());
    if (request_id)
        cJSON_AddStringToObject(err, "request_id", request_id);
    else
        cJSON_AddNullToObject(err, "request_id");
    return err;
}

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

const char *svc_request_id(const hb_http_response *r, const cJSON *body)
{
    static const char *const headers[] = {"x-request-id", "x-zendesk-request-id",
                                          "zuora-request-id", "sforce-call-id", NULL};
    for (const char *const *h = headers; *h; h++) {
        const char *v = r ? hb_http_header(r, *h) : NULL;
        if (v && *v)
            return v;
    }
    if (cJSON_IsObject(body)) {
        const char *v = str(body, "requestId");
        if (!v)
            v = str(body, "request_id");
        return v;
    }
    return NULL;
}

long long svc_ratelimit_remaining(const hb_http_response *r)
{
    static const char *const headers[] = {"x-rate-limit-remaining", "ratelimit-remaining", NULL};
    for (const char *const *h = headers; *h; h++) {
        const char *v = hb_http_header(r, *h);
        if (v && *v)
            return strtoll(v, NULL, 10);
    }
    /* Salesforce: Sforce-Limit-Info: api-usage=10018/100000 */
    const char *info = hb_http_header(r, "sforce-limit-info");
    const char *usage = info ? strstr(info, "api-usage=") : NULL;
    if (usage) {
        long long used = 0, limit = 0;
        if (sscanf(usage, "api-usage=%lld/%lld", &used, &limit) == 2 && limit >= used)
            return limit - used;
    }
    return -1;
}

bool svc_body_says_failure(const cJSON *body)
{
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(body, "success");
    return cJSON_IsObject(body) && cJSON_IsBool(ok) && cJSON_IsFalse(ok);
}

static char *number_or_string(const cJSON *v)
{
    if (cJSON_IsString(v))
        return hb_xstrdup(v->valuestring);
    if (cJSON_IsNumber(v))
        return hb_xasprintf("%.0f", v->valuedouble);
    return NULL;
}

/* {"field":["msg",…],…} -> "field msg; field msg" (GitLab validation). */
static char *join_field_messages(const cJSON *map)
{
    hb_buf b;
    hb_buf_init(&b);
    hb_buf_puts(&b, "");
    const cJSON *field;
    cJSON_ArrayForEach(field, map)
    {
        const cJSON *m;
        if (cJSON_IsString(field)) {
            hb_buf_printf(&b, "%s%s %s", b.len ? "; " : "", field->string, field->valuestring);
            continue;
        }
        cJSON_ArrayForEach(m, field)
        {
            if (cJSON_IsString(m))
                hb_buf_printf(&b, "%s%s %s", b.len ? "; " : "", field->string, m->valuestring);
        }
    }
    return hb_buf_take(&b);
}

/* [{code|errorCode, message}, …] -> first code, messages joined. */
static void from_list(const cJSON *list, const char *code_key, char **code, char **message)
{
    hb_buf b;
    hb_buf_init(&b);
    hb_buf_puts(&b, "");
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
    {
        if (!*code)
            *code = number_or_string(cJSON_GetObjectItemCaseSensitive(item, code_key));
        const char *m = str(item, "message");
        if (m)
            hb_buf_printf(&b, "%s%s", b.len ? "; " : "", m);
    }
    *message = hb_buf_take(&b);
}

/* Zendesk's 422 says only "Record validation errors"; the reasons are the
 * "description" strings inside details ({"status":[{"description":…}]}). */
static void collect_descriptions(const cJSON *v, int depth, hb_buf *out)
{
    if (!v || depth > 4)
        return;
    for (const cJSON *c = v->child; c; c = c->next) {
        if (cJSON_IsString(c) && c->string && !strcmp(c->string, "description"))
            hb_buf_printf(out, "%s%s", out->len ? "; " : "", c->valuestring);
        else if (cJSON_IsObject(c) || cJSON_IsArray(c))
            collect_descriptions(c, depth + 1, out);
    }
}

static void parse_object(const cJSON *body, char **code, char **message, cJSON **details)
{
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(body, "error");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(body, "message");
    const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(body, "reasons");
    const cJSON *det = cJSON_GetObjectItemCaseSensitive(body, "details");
    if (cJSON_IsArray(reasons) && cJSON_GetArraySize(reasons) > 0) {
        from_list(reasons, "code", code, message);
        *details = cJSON_Duplicate(reasons, true);
        return;
    }
    if (cJSON_IsString(error)) {
        *code = hb_xstrdup(error->valuestring);
        const char *d = str(body, "description");
        if (!d)
            d = str(body, "error_description");
        if (!d)
            d = str(body, "message");
        *message = hb_xstrdup(d ? d : error->valuestring);
    } else if (cJSON_IsObject(error)) {
        const char *title = str(error, "title");
        const char *m = str(error, "message");
        *code = title ? hb_xstrdup(title) : number_or_string(cJSON_GetObjectItem(error, "code"));
        *message = hb_xstrdup(m ? m : title ? title : "");
        if (!det)
            det = error;
    } else if (cJSON_IsString(msg)) {
        *message = hb_xstrdup(msg->valuestring);
        *code = number_or_string(cJSON_GetObjectItemCaseSensitive(body, "code"));
    } else if (cJSON_IsObject(msg) || cJSON_IsArray(msg)) {
        *message = join_field_messages(msg);
        if (!det)
            det = msg;
    }
    if (det) {
        *details = cJSON_Duplicate(det, true);
        hb_buf why;
        hb_buf_init(&why);
        collect_descriptions(det, 0, &why);
        if (why.len && *message && !strstr(*message, why.data)) {
            char *longer = hb_xasprintf("%s: %s", *message, why.data);
            free(*message);
            *message = longer;
        }
        hb_buf_free(&why);
    }
}

cJSON *svc_error_from_response(const hb_services *s, const char *service, const hb_http_response *r,
                               const cJSON *body)
{
    char *code = NULL, *message = NULL;
    cJSON *details = NULL;
    if (cJSON_IsArray(body)) {
        from_list(body, "errorCode", &code, &message);
        details = cJSON_Duplicate(body, true);
    } else if (cJSON_IsObject(body)) {
        parse_object(body, &code, &message, &details);
    } else if (r->body.len > 0) {
        /* Plain text (a 429 "Retry later", a proxy's HTML page): its start. */
        size_t n = r->body.len < MAX_TEXT_MESSAGE ? r->body.len : MAX_TEXT_MESSAGE;
        message = hb_xstrndup(r->body.data, n);
        for (char *p = message; *p; p++)
            if (*p == '\n' || *p == '\r' || *p == '\t')
                *p = ' ';
    }
    if (!code)
        code = hb_xasprintf("http_%ld", r->status);
    if (!message || !*message) {
        free(message);
        message = hb_xasprintf("HTTP %ld", r->status);
    }
    char *clean_msg = hb_secrets_scrub(s->secrets, message, strlen(message), NULL);
    char *clean_code = hb_secrets_scrub(s->secrets, code, strlen(code), NULL);
    hb_redact_json_keys(details);
    hb_secrets_scrub_json(s->secrets, details);
    const char *rid = svc_request_id(r, body);
    char *clean_rid = rid ? hb_secrets_scrub(s->secrets, rid, strlen(rid), NULL) : NULL;
    cJSON *err = svc_error_make(service, r->status, clean_code, clean_msg, details, clean_rid);
    free(code);
    free(message);
    free(clean_msg);
    free(clean_code);
    free(clean_rid);
    return err;
}

cJSON *svc_error_transport(const hb_services *s, const char *service, const hb_http_response *r)
{
    const char *code;
    switch (r->failure) {
    case HB_HTTP_NOT_SENT:
        code = "connection_failed";
        break;
    case HB_HTTP_TIMEOUT:
        code = "timeout";
        break;
    case HB_HTTP_TOO_LARGE:
        code = "response_too_large";
        break;
    default:
        code = "transport_error";
        break;
    }
    char *clean = hb_secrets_scrub(s->secrets, r->error, strlen(r->error), NULL);
    cJSON *err = svc_error_make(service, 0, code, clean, NULL, NULL);
    free(clean);
    return err;
}

hb_status svc_error_to_err(const cJSON *error, const char *op, hb_err *e)
{
    const char *service = str(error, "service");
    const char *code = str(error, "code");
    const char *message = str(error, "message");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(error, "status");
    long st = cJSON_IsNumber(status) ? (long)status->valuedouble : 0;
    const char *rid = str(error, "request_id");
    char where[160] = "";
    if (op)
        snprintf(where, sizeof where, "%s: ", op);
    char rid_note[160] = "";
    if (rid)
        snprintf(rid_note, sizeof rid_note, " (request id %s)", rid);
    if (st > 0)
        return hb_err_set(e, HB_EFAILED, "%s%s answered %ld %s: %s%s", where,
                          service ? service : "service", st, code ? code : "",
                          message ? message : "", rid_note);
    return hb_err_set(e, HB_EFAILED, "%s%s could not be reached: %s", where,
                      service ? service : "service", message ? message : "");
}
