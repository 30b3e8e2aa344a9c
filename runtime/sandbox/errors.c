/* Each service's error bodies and rate-limit headers, in the shapes of
 * /work/shared/api-reference.md, so bindings parse the sandbox's errors
 * with the same code as the real ones. */
#include <stdio.h>
#include <string.h>

#include "sandbox_internal.h"

void sb_zendesk_error(sb_ctx *cx, int status, const char *error, const char *description)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "error", error);
    if (description)
        cJSON_AddStringToObject(body, "description", description);
    sb_reply_json(cx, status, body);
}

void sb_zendesk_not_found(sb_ctx *cx)
{
    sb_zendesk_error(cx, 404, "RecordNotFound", "Not found");
}

void sb_gitlab_error(sb_ctx *cx, int status, const char *message)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "message", message);
    sb_reply_json(cx, status, body);
}

void sb_zuora_error(sb_ctx *cx, int status, int64_t code, const char *message)
{
    /* Only needs to look like Zuora's; the clock keeps it free of locks. */
    char process_id[17];
    snprintf(process_id, sizeof process_id, "%016llX",
             (unsigned long long)hb_clock_monotonic_us() * 2654435761u);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddFalseToObject(body, "success");
    cJSON_AddStringToObject(body, "processId", process_id);
    cJSON *reasons = cJSON_AddArrayToObject(body, "reasons");
    cJSON *reason = cJSON_CreateObject();
    cJSON_AddNumberToObject(reason, "code", (double)code);
    cJSON_AddStringToObject(reason, "message", message);
    cJSON_AddItemToArray(reasons, reason);
    cJSON_AddStringToObject(body, "requestId", process_id);
    sb_reply_json(cx, status, body);
}

void sb_salesforce_error(sb_ctx *cx, int status, const char *code, const char *message)
{
    cJSON *body = cJSON_CreateArray();
    cJSON *err = cJSON_CreateObject();
    cJSON_AddStringToObject(err, "message", message);
    cJSON_AddStringToObject(err, "errorCode", code);
    cJSON_AddArrayToObject(err, "fields");
    cJSON_AddItemToArray(body, err);
    sb_reply_json(cx, status, body);
}

static const char *salesforce_code(int status)
{
    switch (status) {
    case 400:
        return "MALFORMED_QUERY";
    case 404:
        return "NOT_FOUND";
    case 405:
        return "METHOD_NOT_ALLOWED";
    case 429:
        return "REQUEST_LIMIT_EXCEEDED";
    default:
        return "UNKNOWN_EXCEPTION";
    }
}

void sb_service_error(sb_ctx *cx, int status, const char *message)
{
    switch (cx->service) {
    case SB_ZENDESK:
        sb_zendesk_error(cx, status, status == 404 ? "InvalidEndpoint" : "Error", message);
        break;
    case SB_GITLAB: {
        char text[256];
        snprintf(text, sizeof text, "%d %s", status, message);
        sb_gitlab_error(cx, status, text);
        break;
    }
    case SB_ZUORA:
        sb_zuora_error(cx, status, status == 404 ? 50000040 : 50000000 + status, message);
        break;
    case SB_SALESFORCE:
        sb_salesforce_error(cx, status, salesforce_code(status), message);
        break;
    default: {
        cJSON *body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "error", message);
        sb_reply_json(cx, status, body);
    }
    }
}

void sb_rate_headers(sb_ctx *cx, int used, int limit)
{
    int remaining = used < limit ? limit - used : 0;
    int64_t now_s = hb_clock_wall() / 1000000;
    int64_t reset_at = (now_s / 60 + 1) * 60;
    switch (cx->service) {
    case SB_ZENDESK:
        sb_add_headerf(cx, "x-rate-limit", "%d", limit);
        sb_add_headerf(cx, "x-rate-limit-remaining", "%d", remaining);
        break;
    case SB_GITLAB:
        sb_add_headerf(cx, "RateLimit-Limit", "%d", limit);
        sb_add_headerf(cx, "RateLimit-Observed", "%d", used);
        sb_add_headerf(cx, "RateLimit-Remaining", "%d", remaining);
        sb_add_headerf(cx, "RateLimit-Reset", "%lld", (long long)reset_at);
        break;
    case SB_ZUORA:
        sb_add_headerf(cx, "ratelimit-limit", "%d", limit);
        sb_add_headerf(cx, "ratelimit-remaining", "%d", remaining);
        sb_add_headerf(cx, "ratelimit-reset", "%lld", (long long)(reset_at - now_s));
        break;
    case SB_SALESFORCE:
        sb_add_headerf(cx, "Sforce-Limit-Info", "api-usage=%d/%d", used, limit);
        break;
    default:
        break;
    }
}
