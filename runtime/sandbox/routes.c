/* The sandbox's one route table: the dispatcher routes by it and the tests
 * iterate it to prove that every route is exercised. Patterns are matched
 * segment by segment against the decoded segments of the path, so a
 * GitLab project given as "group%2Fproject" fills a single {id}. */
#include <string.h>
#include <strings.h>

#include "sandbox_internal.h"

#define ZD "/api/v2"
#define GL "/api/v4/projects/{id}"
#define SF "/services/data/{version}"

/* The services on hosts of their own, each under a prefix standing for it */
#define SLACK "/slack/api"        /* https://slack.com/api */
#define PD    "/pagerduty"        /* https://api.pagerduty.com */
#define PDE   "/pagerduty-events" /* https://events.pagerduty.com */

/* clang-format off */
const sb_route sb_routes[] = {
    /* Zendesk Support API v2 (".json" optional) */
    {"GET",    ZD "/tickets/{id}",                 SB_ZENDESK, sb_h_zd_ticket_get,      false, false},
    {"PUT",    ZD "/tickets/{id}",                 SB_ZENDESK, sb_h_zd_ticket_put,      true,  false},
    {"GET",    ZD "/tickets/{id}/tags",            SB_ZENDESK, sb_h_zd_ticket_tags,     false, false},
    {"POST",   ZD "/tickets/{id}/tags",            SB_ZENDESK, sb_h_zd_ticket_tags,     true,  false},
    {"PUT",    ZD "/tickets/{id}/tags",            SB_ZENDESK, sb_h_zd_ticket_tags,     true,  false},
    {"DELETE", ZD "/tickets/{id}/tags",            SB_ZENDESK, sb_h_zd_ticket_tags,     true,  false},
    {"GET",    ZD "/tickets/{id}/comments",        SB_ZENDESK, sb_h_zd_ticket_comments, false, false},
    {"GET",    ZD "/tickets/{id}/audits",          SB_ZENDESK, sb_h_zd_ticket_audits,   false, false},
    {"GET",    ZD "/organizations/{id}",           SB_ZENDESK, sb_h_zd_org_get,         false, false},
    {"PUT",    ZD "/organizations/{id}",           SB_ZENDESK, sb_h_zd_org_put,         true,  false},
    {"GET",    ZD "/organizations/{id}/tags",      SB_ZENDESK, sb_h_zd_org_tags,        false, false},
    {"POST",   ZD "/organizations/{id}/tags",      SB_ZENDESK, sb_h_zd_org_tags,        true,  false},
    {"PUT",    ZD "/organizations/{id}/tags",      SB_ZENDESK, sb_h_zd_org_tags,        true,  false},
    {"DELETE", ZD "/organizations/{id}/tags",      SB_ZENDESK, sb_h_zd_org_tags,        true,  false},
    {"GET",    ZD "/ticket_forms",                 SB_ZENDESK, sb_h_zd_ticket_forms,    false, false},
    {"GET",    ZD "/ticket_fields",                SB_ZENDESK, sb_h_zd_ticket_fields,   false, false},
    /* before users/{id}, which "search" would match */
    {"GET",    ZD "/users/search",                 SB_ZENDESK, sb_h_zd_user_search,     false, false},
    {"GET",    ZD "/users/{id}",                   SB_ZENDESK, sb_h_zd_user_get,        false, false},
    {"GET",    ZD "/users/{id}/tickets/requested", SB_ZENDESK, sb_h_zd_user_requested,  false, false},
    {"GET",    ZD "/search",                       SB_ZENDESK, sb_h_zd_search,          false, false},

    /* GitLab REST API v4 ({id} is a number or a URL-encoded path) */
    {"GET",    GL,                                 SB_GITLAB, sb_h_gl_project_get,      false, false},
    {"POST",   GL "/issues",                       SB_GITLAB, sb_h_gl_issue_create,     true,  false},
    {"GET",    GL "/issues",                       SB_GITLAB, sb_h_gl_issue_list,       false, false},
    {"GET",    GL "/issues/{iid}",                 SB_GITLAB, sb_h_gl_issue_get,        false, false},
    {"PUT",    GL "/issues/{iid}",                 SB_GITLAB, sb_h_gl_issue_update,     true,  false},
    {"POST",   GL "/issues/{iid}/notes",           SB_GITLAB, sb_h_gl_note_create,      true,  false},
    {"GET",    GL "/issues/{iid}/notes",           SB_GITLAB, sb_h_gl_note_list,        false, false},
    {"GET",    GL "/templates/issues/{name}",      SB_GITLAB, sb_h_gl_template_get,     false, false},
    {"POST",   GL "/merge_requests/{iid}/notes",   SB_GITLAB, sb_h_gl_mr_note_create,   true,  false},
    {"GET",    GL "/merge_requests/{iid}/notes",   SB_GITLAB, sb_h_gl_mr_note_list,     false, false},
    {"GET",    GL "/members/all",                  SB_GITLAB, sb_h_gl_project_members,  false, false},
    {"GET",    GL "/members/all/{user_id}",        SB_GITLAB, sb_h_gl_project_members,  false, false},
    {"GET",    "/api/v4/groups/{id}/members/all",  SB_GITLAB, sb_h_gl_group_members,    false, false},
    {"GET",    "/api/v4/groups/{id}/members/all/{user_id}", SB_GITLAB, sb_h_gl_group_members, false, false},
    {"GET",    "/api/v4/users",                    SB_GITLAB, sb_h_gl_users,            false, false},

    /* Zuora REST API v1 */
    {"POST",   "/oauth/token",                     SB_ZUORA, sb_h_zuora_token,          true,  true},
    {"GET",    "/v1/subscriptions/{key}",          SB_ZUORA, sb_h_zu_subscription_get,  false, false},
    {"GET",    "/v1/subscriptions/accounts/{key}", SB_ZUORA, sb_h_zu_account_subscriptions, false, false},
    {"GET",    "/v1/accounts/{key}/summary",       SB_ZUORA, sb_h_zu_account_summary,   false, false},
    {"POST",   "/v1/action/query",                 SB_ZUORA, sb_h_zu_query,             false, false},
    {"POST",   "/v1/action/queryMore",             SB_ZUORA, sb_h_zu_query_more,        false, false},

    /* Salesforce REST API ({version} like v60.0) */
    {"POST",   "/services/oauth2/token",           SB_SALESFORCE, sb_h_salesforce_token, true, true},
    {"GET",    SF "/query",                        SB_SALESFORCE, sb_h_sf_query,        false, false},
    {"GET",    SF "/query/{locator}",              SB_SALESFORCE, sb_h_sf_query_more,   false, false},
    {"GET",    SF "/sobjects/{type}/{id}",         SB_SALESFORCE, sb_h_sf_sobject_get,  false, false},
    {"PATCH",  SF "/sobjects/{type}/{id}",         SB_SALESFORCE, sb_h_sf_sobject_patch, true, false},

    /* Slack Web API: POST for every method, GET for the reads, as Slack */
    {"POST",   SLACK "/auth.test",                 SB_SLACK, sb_h_slack_auth_test,      false, false},
    {"GET",    SLACK "/auth.test",                 SB_SLACK, sb_h_slack_auth_test,      false, false},
    {"POST",   SLACK "/chat.postMessage",          SB_SLACK, sb_h_slack_post_message,   true,  false},
    {"POST",   SLACK "/chat.update",               SB_SLACK, sb_h_slack_update,         true,  false},
    {"POST",   SLACK "/conversations.list",        SB_SLACK, sb_h_slack_conversations_list, false, false},
    {"GET",    SLACK "/conversations.list",        SB_SLACK, sb_h_slack_conversations_list, false, false},
    {"POST",   SLACK "/conversations.replies",     SB_SLACK, sb_h_slack_replies,        false, false},
    {"GET",    SLACK "/conversations.replies",     SB_SLACK, sb_h_slack_replies,        false, false},
    {"POST",   SLACK "/users.lookupByEmail",       SB_SLACK, sb_h_slack_lookup_by_email, false, false},
    {"GET",    SLACK "/users.lookupByEmail",       SB_SLACK, sb_h_slack_lookup_by_email, false, false},

    /* PagerDuty REST API v2 and Events API v2 (authenticated by its routing_key) */
    {"GET",    PD "/services",                     SB_PAGERDUTY, sb_h_pd_services,      false, false},
    {"POST",   PD "/incidents",                    SB_PAGERDUTY, sb_h_pd_incident_create, true, false},
    {"GET",    PD "/incidents/{id}",               SB_PAGERDUTY, sb_h_pd_incident_get,  false, false},
    {"PUT",    PD "/incidents/{id}",               SB_PAGERDUTY, sb_h_pd_incident_update, true, false},
    {"POST",   PDE "/v2/enqueue",                  SB_PAGERDUTY, sb_h_pd_enqueue,       true,  true},

    /* The sandbox's own endpoints, for tests and scenario files */
    {"GET",    "/__sandbox/state",                 SB_ADMIN, sb_h_admin_state,          false, true},
    {"GET",    "/__sandbox/requests",              SB_ADMIN, sb_h_admin_requests,       false, true},
    {"POST",   "/__sandbox/reset",                 SB_ADMIN, sb_h_admin_reset,          true,  true},
    {"POST",   "/__sandbox/patch",                 SB_ADMIN, sb_h_admin_patch,          true,  true},
    {"POST",   "/__sandbox/revoke-tokens",         SB_ADMIN, sb_h_admin_revoke,         true,  true},
    {"GET",    "/__sandbox/tokens",                SB_ADMIN, sb_h_admin_tokens,         false, true},
    {"GET",    "/__sandbox/faults",                SB_ADMIN, sb_h_admin_faults_get,     false, true},
    {"POST",   "/__sandbox/faults",                SB_ADMIN, sb_h_admin_faults_set,     false, true},
};
/* clang-format on */

const size_t sb_route_count = sizeof sb_routes / sizeof sb_routes[0];

static const char *const service_names[] = {"zendesk", "gitlab",    "zuora",  "salesforce",
                                            "slack",   "pagerduty", "sandbox"};

const char *sb_service_name(sb_service s)
{
    return s < SB_NO_SERVICE ? service_names[s] : "none";
}

bool sb_service_parse(const char *name, sb_service *out)
{
    for (int i = 0; i < SB_SERVICE_COUNT; i++) {
        if (!strcasecmp(name, service_names[i])) {
            *out = (sb_service)i;
            return true;
        }
    }
    return false;
}

static bool has_prefix_segment(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

sb_service sb_service_for_path(const char *path)
{
    if (has_prefix_segment(path, "/api/v2"))
        return SB_ZENDESK;
    if (has_prefix_segment(path, "/api/v4"))
        return SB_GITLAB;
    if (has_prefix_segment(path, "/oauth") || has_prefix_segment(path, "/v1"))
        return SB_ZUORA;
    if (has_prefix_segment(path, "/services"))
        return SB_SALESFORCE;
    if (has_prefix_segment(path, "/slack"))
        return SB_SLACK;
    if (has_prefix_segment(path, "/pagerduty") || has_prefix_segment(path, "/pagerduty-events"))
        return SB_PAGERDUTY;
    if (has_prefix_segment(path, "/__sandbox"))
        return SB_ADMIN;
    return SB_NO_SERVICE;
}

bool sb_pattern_matches(const char *pattern, char *const *segs, size_t nsegs, const char **names,
                        const char **values)
{
    const char *p = pattern;
    size_t seg = 0, nparams = 0;
    while (*p) {
        if (*p != '/')
            return false;
        p++;
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (seg >= nsegs)
            return false;
        if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
            if (!*segs[seg])
                return false;
            if (names && nparams < SB_MAX_PARAMS) {
                /* names point into the pattern: "{id}" → "id}" trimmed by
                 * sb_param, which compares up to the brace. */
                names[nparams] = p + 1;
                values[nparams] = segs[seg];
                nparams++;
            }
        } else if (strlen(segs[seg]) != len || strncmp(segs[seg], p, len) != 0) {
            return false;
        }
        seg++;
        p += len;
    }
    return seg == nsegs;
}

const sb_route *sb_route_find(const sb_request *req, const char **param_names, const char **params,
                              bool *other_method)
{
    *other_method = false;
    if (req->too_many_segs)
        return NULL;
    for (size_t i = 0; i < sb_route_count; i++) {
        const sb_route *r = &sb_routes[i];
        const char *names[SB_MAX_PARAMS] = {0}, *values[SB_MAX_PARAMS] = {0};
        if (!sb_pattern_matches(r->pattern, req->segs, req->nsegs, names, values))
            continue;
        if (strcmp(r->method, req->method) != 0) {
            *other_method = true;
            continue;
        }
        memcpy(param_names, names, sizeof names);
        memcpy(params, values, sizeof values);
        return r;
    }
    return NULL;
}
