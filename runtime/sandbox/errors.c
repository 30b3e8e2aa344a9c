/* Each service's error bodies and rate-limit headers, in the shapes of
 * /work/shared/api-reference.md and, for Slack and PagerDuty, of their own
 * API references, so bindings parse the sandbox's errors with the same
 * code as the real ones. */
#include <stdio.h>
#include <stdlib.h>
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

void sb_slack_error(sb_ctx *cx, int status, const char *code, const char *detail)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddFalseToObject(body, "ok");
    cJSON_AddStringToObject(body, "error", code);
    if (detail) {
        cJSON *meta = cJSON_AddObjectToObject(body, "response_metadata");
        char *line = hb_xasprintf("[ERROR] %s", detail);
        cJSON_AddItemToObject(meta, "messages", sb_string_list(line));
        free(line);
    }
    sb_reply_json(cx, status, body);
}

void sb_pd_error(sb_ctx *cx, int status, int code, const char *message, const char *detail)
{
    cJSON *body = cJSON_CreateObject();
    cJSON *err = cJSON_AddObjectToObject(body, "error");
    cJSON_AddStringToObject(err, "message", message);
    cJSON_AddNumberToObject(err, "code", code);
    if (detail)
        cJSON_AddItemToObject(err, "errors", sb_string_list(detail));
    sb_reply_json(cx, status, body);
}

void sb_pd_events_error(sb_ctx *cx, int status, const char *kind, const char *message,
                        const char *detail)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "status", kind);
    cJSON_AddStringToObject(body, "message", message);
    if (detail)
        cJSON_AddItemToObject(body, "errors", sb_string_list(detail));
    sb_reply_json(cx, status, body);
}

bool sb_pd_is_events_path(const char *path)
{
    return !strncmp(path, "/pagerduty-events", 17) && (path[17] == '\0' || path[17] == '/');
}

static const char *slack_code(int status)
{
    switch (status) {
    case 404:
        return "unknown_method";
    case 405:
        return "method_not_supported";
    case 413:
        return "request_too_large";
    case 429:
        return "ratelimited";
    case 500:
        return "fatal_error";
    default:
        return "internal_error";
    }
}

/* PagerDuty's own words for a status, with the sandbox's text as detail. */
static void pd_status_error(sb_ctx *cx, int status, const char *detail)
{
    if (sb_pd_is_events_path(cx->req->path)) {
        if (status == 429)
            sb_pd_events_error(cx, 429, "throttle event",
                               "Requests for this service are arriving too quickly. Please "
                               "retry later.",
                               NULL);
        else
            sb_pd_events_error(cx, status, status == 404 ? "Not Found" : "Internal Error",
                               status == 404 ? "Not Found" : "Internal Error", detail);
        return;
    }
    switch (status) {
    case 404:
        sb_pd_error(cx, 404, 2100, "Not Found", detail);
        break;
    case 429:
        sb_pd_error(cx, 429, 2020, "Rate Limit Exceeded", NULL);
        break;
    case 400:
    case 413:
        sb_pd_error(cx, status, 2001, "Invalid Input Provided", detail);
        break;
    default:
        sb_pd_error(cx, status, 2000, status == 405 ? "Method Not Allowed" : "Internal Error",
                    detail);
    }
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
    case SB_SLACK:
        sb_slack_error(cx, status, slack_code(status), message);
        break;
    case SB_PAGERDUTY:
        pd_status_error(cx, status, message);
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
    case SB_PAGERDUTY:
        if (sb_pd_is_events_path(cx->req->path))
            break;
        sb_add_headerf(cx, "ratelimit-limit", "%d", limit);
        if (cx->resp.status == 429) {
            /* the 429 already says how long to wait (ratelimit-reset) */
            sb_add_header(cx, "ratelimit-remaining", "0");
            break;
        }
        sb_add_headerf(cx, "ratelimit-remaining", "%d", remaining);
        sb_add_headerf(cx, "ratelimit-reset", "%lld", (long long)(reset_at - now_s));
        break;
    default:
        /* Slack sends no rate-limit headers, only Retry-After on a 429. */
        break;
    }
}
