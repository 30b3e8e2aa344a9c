/* Internals shared by the sandbox files (runtime/sandbox) and its
 * tests. Only server.c knows libmicrohttpd; handlers see a parsed request
 * (sb_request) and fill a response (sb_response) through an sb_ctx.
 *
 * Files: server.c (daemon, dispatch, request log), routes.c (the route
 * table and path matching), request.c (query, body and reply helpers),
 * state.c (load, save, flock, reload), seed.c (seed file, relative dates),
 * data.c (lookups in the state), patch.c, faults.c, auth.c, admin.c,
 * errors.c, zendesk_*.c, gitlab*.c, zuora.c, salesforce.c, query.c,
 * slack*.c, pagerduty*.c, and the webhooks it sends (webhook*.c,
 * webhooks_internal.h). */
#ifndef HB_SANDBOX_INTERNAL_H
#define HB_SANDBOX_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "hb/clock.h"
#include "hb/error.h"
#include "hb/sandbox.h"
#include "hb/util.h"

/* ---- services and the route table ---- */

typedef enum sb_service {
    SB_ZENDESK,
    SB_GITLAB,
    SB_ZUORA,
    SB_SALESFORCE,
    SB_SLACK,     /* /slack/api: slack.com/api */
    SB_PAGERDUTY, /* /pagerduty: api.pagerduty.com; /pagerduty-events: events.pagerduty.com */
    SB_ADMIN,     /* /__sandbox: state, requests, reset, patch, faults */
    SB_NO_SERVICE,
} sb_service;

#define SB_SERVICE_COUNT 7

const char *sb_service_name(sb_service s);
/* By name ("zendesk", …, "sandbox"); false when unknown. */
bool sb_service_parse(const char *name, sb_service *out);
/* The service whose API prefix the raw path starts with. */
sb_service sb_service_for_path(const char *path);

typedef struct sb_ctx sb_ctx;
typedef void (*sb_handler)(sb_ctx *cx);

typedef struct sb_route {
    const char *method;
    const char *pattern; /* literal segments and {name} captures */
    sb_service service;
    sb_handler handler;
    bool writes; /* changes state: saved afterwards, drop-after-write applies */
    bool open;   /* needs no credentials (token endpoints, /__sandbox) */
} sb_route;

extern const sb_route sb_routes[];
extern const size_t sb_route_count;

#define SB_MAX_SEGS   24
#define SB_MAX_PARAMS 4

typedef struct sb_kv {
    char *name;
    char *value;
} sb_kv;

/* A request as the handlers see it. Path segments are percent-decoded one
 * by one, so a GitLab project path "a%2Fb" stays one segment "a/b". */
typedef struct sb_request {
    char *method;
    char *path;         /* raw, without the query string */
    char *query_string; /* raw, "" when none */
    sb_kv *query;       /* decoded */
    size_t nquery;
    sb_kv *headers;
    size_t nheaders;
    hb_buf body;
    char *segs[SB_MAX_SEGS];
    size_t nsegs;
    bool too_many_segs;
} sb_request;

/* Parses path, query string and segments (stripping Zendesk's optional
 * ".json" from the last segment). */
void sb_request_parse_uri(sb_request *req, const char *raw_uri);
void sb_request_free(sb_request *req);

/* The route for the request, with its captures; NULL when none matches.
 * *other_method tells that the path matched under another method. */
const sb_route *sb_route_find(const sb_request *req, const char **param_names, const char **params,
                              bool *other_method);
/* True when a route pattern (or a concrete path) matches the segments. */
bool sb_pattern_matches(const char *pattern, char *const *segs, size_t nsegs, const char **names,
                        const char **values);

typedef struct sb_response {
    int status;
    char *content_type;
    hb_buf body;
    sb_kv *headers;
    size_t nheaders;
    bool has_body;
} sb_response;

void sb_response_free(sb_response *r);

/* ---- the sandbox object ---- */

typedef struct sb_faults sb_faults;

/* Identifies one version of the state file on disk. Every save replaces
 * the file by rename, so the inode alone changes with each write. */
typedef struct sb_file_stamp {
    dev_t dev;
    ino_t ino;
    off_t size;
    int64_t mtime_ns;
    bool present;
} sb_file_stamp;

#define SB_VAR_COUNT 20

struct hb_sandbox {
    struct MHD_Daemon *daemon;
    int port;
    char *bind;
    char *url;
    char *web_url; /* where links point (HB_SANDBOX_WEB_URL), without a trailing '/' */
    char *seed_path;
    char *state_path; /* NULL: memory only */
    char *lock_path;
    int lock_fd;
    pthread_mutex_t mu; /* guards everything below, and the state */
    cJSON *state;       /* {"format","credentials","tokens","counters","data"} */
    sb_file_stamp stamp;
    cJSON *requests;    /* the request log, oldest first (services only) */
    cJSON *issued;      /* every access token issued since start, oldest first */
    unsigned *route_ok; /* per route: answers below 400, for test coverage */
    int64_t request_seq;
    sb_faults *faults;
    int64_t token_ttl_s;
    int query_batch;
    int64_t rate_window; /* the wall-clock minute the counters below count */
    int rate_used[SB_SERVICE_COUNT];
    char *var_values[SB_VAR_COUNT];
    const hb_clock *clock;     /* hb_sandbox_config's; NULL: HB_NOW or the wall clock */
    struct sb_webhooks *hooks; /* NULL: no webhook URL set (webhooks_internal.h) */
};

/* ---- state.c: the state and its file ---- */

/* Loads the state file if present, else the seed with fresh credentials,
 * and saves it. Called once at start. */
hb_status sb_state_open(hb_sandbox *sb, hb_err *e);
/* Takes the process mutex and the file lock, reloading the state when the
 * file changed since this process last read or wrote it. */
hb_status sb_state_begin(hb_sandbox *sb, hb_err *e);
/* Saves when changed, then releases both locks. */
hb_status sb_state_end(hb_sandbox *sb, bool changed, hb_err *e);
/* "now" on the clock of the sandbox whose state this thread holds (between
 * sb_state_begin and sb_state_end, or while sb_state_open builds it): the
 * handlers that stamp times have no sandbox at hand, and two sandboxes of
 * one process may run on different clocks. */
hb_time_us sb_now(void);
/* Replaces the data with a fresh copy of the seed (credentials stay). */
hb_status sb_state_reset_data(hb_sandbox *sb, hb_err *e);
cJSON *sb_state_data(hb_sandbox *sb);

/* ---- seed.c ---- */

/* Reads and checks a seed file; resolves "@now±D" / "@today±D" strings. */
cJSON *sb_seed_load(const char *path, hb_err *e);
/* Resolves relative dates in place against now. */
hb_status sb_resolve_dates(cJSON *node, hb_time_us now, hb_err *e);

/* ---- data.c: lookups in the state ---- */

/* data[service][name], created as an empty array when missing. */
cJSON *sb_coll(cJSON *data, const char *service, const char *name);
cJSON *sb_find_int(const cJSON *array, const char *key, int64_t value);
cJSON *sb_find_str(const cJSON *array, const char *key, const char *value);
/* Case-insensitive field lookup; aliases let "Name" find "subscriptionNumber". */
cJSON *sb_field_ci(const cJSON *obj, const char *name);
bool sb_get_int(const cJSON *obj, const char *key, int64_t *out);
/* Does hay contain needle, case aside? (false for no hay; true for an empty needle) */
bool sb_contains_ci(const char *hay, const char *needle);
const char *sb_get_str(const cJSON *obj, const char *key);
bool sb_truthy(const cJSON *v, bool dflt);
bool sb_parse_int(const char *s, int64_t *out);
/* The largest value of key in the array's objects (0 when none). */
int64_t sb_max_int(const cJSON *array, const char *key);
/* obj's array under key, made (replacing any non-array) when missing. */
cJSON *sb_ensure_array(cJSON *obj, const char *key);
/* The largest key over every parent's child array: ids unique across a
 * collection's children (comments across tickets, issues across projects). */
int64_t sb_max_nested_int(const cJSON *parents, const char *child, const char *key);
/* A new id for counter name: above both the counter and floor. Persisted. */
int64_t sb_next_id(sb_ctx *cx, const char *counter, int64_t floor);
/* A copy of obj without the named keys (NULL-terminated list). */
cJSON *sb_copy_without(const cJSON *obj, const char *const *hidden);
/* Replaces or adds obj[key]. */
void sb_set(cJSON *obj, const char *key, cJSON *value);
bool sb_array_has_str(const cJSON *array, const char *s);
/* obj[key] as an array, made (empty) when it is missing or not one. */
cJSON *sb_array_field(cJSON *obj, const char *key);
/* [text] as a new JSON array, for the error lists several services send. */
cJSON *sb_string_list(const char *text);
/* Times from the clock of the sandbox whose state this thread holds
 * (sb_now): "…:05Z", "…:05.000Z". */
void sb_now_seconds(char out[32]);
void sb_now_millis(char out[32]);

/* ---- request.c: the handler's view ---- */

struct sb_ctx {
    hb_sandbox *sb;
    const sb_request *req;
    const sb_route *route;
    const char *param_names[SB_MAX_PARAMS];
    const char *params[SB_MAX_PARAMS];
    sb_service service;
    cJSON *data;
    sb_response resp;
    bool changed;
    bool body_json_parsed;
    cJSON *body_json;
    bool form_parsed;
    sb_kv *form;
    size_t nform;
    cJSON *params_obj; /* GitLab: query + form + JSON body merged */
    char *base_url;
};

void sb_ctx_free(sb_ctx *cx);
const char *sb_param(const sb_ctx *cx, const char *name);
const char *sb_query(const sb_ctx *cx, const char *name);
const char *sb_header(const sb_ctx *cx, const char *name);
/* The body as JSON, or NULL when it is empty or not JSON. */
cJSON *sb_body_json(sb_ctx *cx);
/* A field of an application/x-www-form-urlencoded body. */
const char *sb_form(sb_ctx *cx, const char *name);
/* GitLab-style parameters: the query string, a form body and a JSON body
 * (later ones win); "a[]=1&a[]=2" becomes an array. Owned by cx. */
cJSON *sb_params(sb_ctx *cx);
/* "http://HOST" from the Host header, else the sandbox's own URL. */
/* Where the sandbox's web links (web_url fields) point: HB_SANDBOX_WEB_URL,
 * the same in every process and run, unlike an in-process sandbox's port. */
const char *sb_web_url(const sb_ctx *cx);
const char *sb_base_url(sb_ctx *cx);

void sb_reply_json(sb_ctx *cx, int status, cJSON *body); /* takes body */
void sb_reply_text(sb_ctx *cx, int status, const char *content_type, const char *text);
void sb_reply_empty(sb_ctx *cx, int status);
void sb_add_header(sb_ctx *cx, const char *name, const char *value);
void sb_add_headerf(sb_ctx *cx, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Percent-decoding (and '+' as space when plus_is_space). */
char *sb_url_decode(const char *s, size_t n, bool plus_is_space);
/* Percent-encoding of everything but unreserved characters. */
void sb_url_encode(hb_buf *out, const char *s);
/* Parses "a=1&b=2" into decoded pairs. */
void sb_parse_form(const char *text, size_t len, sb_kv **out, size_t *count);
void sb_kv_free(sb_kv *kv, size_t count);

/* ---- errors.c: each service's error shapes ---- */

void sb_zendesk_error(sb_ctx *cx, int status, const char *error, const char *description);
void sb_zendesk_not_found(sb_ctx *cx);
void sb_gitlab_error(sb_ctx *cx, int status, const char *message);
void sb_zuora_error(sb_ctx *cx, int status, int64_t code, const char *message);
void sb_salesforce_error(sb_ctx *cx, int status, const char *code, const char *message);
/* Slack: HTTP status with {"ok":false,"error":CODE}, detail (or NULL) in
 * response_metadata.messages. */
void sb_slack_error(sb_ctx *cx, int status, const char *code, const char *detail);
/* PagerDuty REST: {"error":{"message","code","errors":[detail]}}. */
void sb_pd_error(sb_ctx *cx, int status, int code, const char *message, const char *detail);
/* PagerDuty Events API: {"status","message","errors":[detail]}. */
void sb_pd_events_error(sb_ctx *cx, int status, const char *kind, const char *message,
                        const char *detail);
/* True for paths of the Events API (events.pagerduty.com). */
bool sb_pd_is_events_path(const char *path);
/* A generic error in the shape of the request's service. */
void sb_service_error(sb_ctx *cx, int status, const char *message);
/* Rate-limit headers for the service on every response. */
void sb_rate_headers(sb_ctx *cx, int used, int limit);

/* ---- auth.c ---- */

/* True when the request carries valid credentials for its service; else
 * replies 401 in the service's shape. */
bool sb_auth_check(sb_ctx *cx);
/* Adds the credentials the state lacks (all of them for a new state);
 * true when it added any. */
bool sb_generate_credentials(cJSON *state, const cJSON *data);
void sb_revoke_tokens(hb_sandbox *sb);
void sb_h_zuora_token(sb_ctx *cx);
void sb_h_salesforce_token(sb_ctx *cx);

/* ---- faults.c ---- */

typedef enum sb_fault_kind {
    SB_FAULT_NONE,
    SB_FAULT_403, /* a credential without the permission: nothing applied */
    SB_FAULT_429,
    SB_FAULT_500,
    SB_FAULT_DROP,
    SB_FAULT_DROP_AFTER_WRITE,
    /* applied, then answered 500: a gateway that gave up on a backend that
     * did the work (the caller cannot tell it from a write that failed) */
    SB_FAULT_500_AFTER_WRITE,
} sb_fault_kind;

typedef struct sb_fault_decision {
    sb_fault_kind kind;
    int64_t latency_ms;
    int retry_after_s;
} sb_fault_decision;

hb_status sb_faults_parse(const char *spec, sb_faults **out, hb_err *e);
void sb_faults_free(sb_faults *f);
/* Decides what happens to one request; advances counters and the RNG. */
void sb_faults_decide(sb_faults *f, const sb_request *req, const sb_route *route,
                      sb_service service, sb_fault_decision *out);
/* The rules and what remains of them, for GET /__sandbox/faults. */
cJSON *sb_faults_describe(const sb_faults *f);
const char *sb_fault_kind_name(sb_fault_kind k);

/* ---- patch.c ---- */

/* Applies a sandbox patch (workflows/sandbox/README.md) to the data. */
hb_status sb_patch_apply(sb_ctx *cx, cJSON *data, const cJSON *patch, hb_err *e);

/* ---- Slack and PagerDuty data outside their handlers ---- */

/* After a patch: gives new Slack messages their ts, resolves "thread_ts":
 * "@last" and people named by email (slack_patch.c). */
hb_status sb_slack_after_patch(sb_ctx *cx, cJSON *data, hb_err *e);
/* Seed checks beyond seed.c's table: message ts, the bot user, the
 * PagerDuty API user (slack_patch.c). */
hb_status sb_chat_check_seed(const char *path, const cJSON *seed, hb_err *e);
/* The email PagerDuty's From header names for the API user, or NULL. */
const char *sb_pd_api_user_email(const cJSON *data);

/* ---- query.c: the small SQL subset of ZOQL and SOQL ---- */

typedef enum sb_cmp { SB_CMP_EQ, SB_CMP_NE, SB_CMP_IN, SB_CMP_LIKE } sb_cmp;

typedef struct sb_cond {
    char *field;
    sb_cmp cmp;
    cJSON *values; /* array of literal values (one for = and !=) */
} sb_cond;

typedef struct sb_sql {
    char **fields;
    size_t nfields;
    char *object;
    sb_cond *conds; /* all ANDed */
    size_t nconds;
    char *order_by;
    bool order_desc;
    int64_t limit; /* -1: none */
} sb_sql;

hb_status sb_sql_parse(const char *text, sb_sql *q, hb_err *e);
void sb_sql_free(sb_sql *q);
/* True when every condition holds; lookup(record, field) finds values. */
bool sb_sql_matches(const sb_sql *q, const cJSON *record,
                    cJSON *(*lookup)(const cJSON *record, const char *field, void *ud), void *ud);
/* Text for a paging locator that restarts the query at offset. */
char *sb_locator_make(const char *query_text, int64_t offset);
/* Splits a locator back; false when it is not one of ours. */
bool sb_locator_parse(const char *locator, char **query_text, int64_t *offset);

/* ---- handlers (one file per service) ---- */

void sb_h_zd_ticket_get(sb_ctx *cx);
void sb_h_zd_ticket_put(sb_ctx *cx);
void sb_h_zd_ticket_tags(sb_ctx *cx);
void sb_h_zd_ticket_comments(sb_ctx *cx);
void sb_h_zd_ticket_audits(sb_ctx *cx);
void sb_h_zd_org_get(sb_ctx *cx);
void sb_h_zd_org_put(sb_ctx *cx);
void sb_h_zd_org_tags(sb_ctx *cx);
void sb_h_zd_ticket_forms(sb_ctx *cx);
void sb_h_zd_user_get(sb_ctx *cx);
void sb_h_zd_user_search(sb_ctx *cx);
void sb_h_zd_user_requested(sb_ctx *cx);
void sb_h_zd_ticket_fields(sb_ctx *cx);
void sb_h_zd_search(sb_ctx *cx);

void sb_h_gl_project_get(sb_ctx *cx);
void sb_h_gl_issue_create(sb_ctx *cx);
void sb_h_gl_issue_list(sb_ctx *cx);
void sb_h_gl_issue_get(sb_ctx *cx);
void sb_h_gl_issue_update(sb_ctx *cx);
void sb_h_gl_note_create(sb_ctx *cx);
void sb_h_gl_note_list(sb_ctx *cx);
void sb_h_gl_mr_note_create(sb_ctx *cx);
void sb_h_gl_mr_note_list(sb_ctx *cx);
void sb_h_gl_template_get(sb_ctx *cx);
void sb_h_gl_project_members(sb_ctx *cx);
void sb_h_gl_group_members(sb_ctx *cx);
void sb_h_gl_users(sb_ctx *cx);

void sb_h_zu_subscription_get(sb_ctx *cx);
void sb_h_zu_account_subscriptions(sb_ctx *cx);
void sb_h_zu_account_summary(sb_ctx *cx);
void sb_h_zu_query(sb_ctx *cx);
void sb_h_zu_query_more(sb_ctx *cx);

void sb_h_sf_query(sb_ctx *cx);
void sb_h_sf_query_more(sb_ctx *cx);
void sb_h_sf_sobject_get(sb_ctx *cx);
void sb_h_sf_sobject_patch(sb_ctx *cx);

/* Slack Web API (slack*.c) */
void sb_h_slack_auth_test(sb_ctx *cx);
void sb_h_slack_post_message(sb_ctx *cx);
void sb_h_slack_update(sb_ctx *cx);
void sb_h_slack_conversations_list(sb_ctx *cx);
void sb_h_slack_replies(sb_ctx *cx);
void sb_h_slack_lookup_by_email(sb_ctx *cx);

/* PagerDuty REST API v2 and Events API v2 (pagerduty*.c) */
void sb_h_pd_services(sb_ctx *cx);
void sb_h_pd_incident_create(sb_ctx *cx);
void sb_h_pd_incident_get(sb_ctx *cx);
void sb_h_pd_incident_update(sb_ctx *cx);
void sb_h_pd_enqueue(sb_ctx *cx);

void sb_h_admin_state(sb_ctx *cx);
void sb_h_admin_requests(sb_ctx *cx);
void sb_h_admin_reset(sb_ctx *cx);
void sb_h_admin_patch(sb_ctx *cx);
void sb_h_admin_revoke(sb_ctx *cx);
void sb_h_admin_tokens(sb_ctx *cx);
void sb_h_admin_faults_get(sb_ctx *cx);
void sb_h_admin_faults_set(sb_ctx *cx);

/* ---- server.c helpers used by admin.c ---- */

/* Counts the answer for its route and, unless it was a /__sandbox
 * request, appends it to the request log (caller holds sb->mu). */
void sb_log_request(hb_sandbox *sb, const sb_ctx *cx, const char *fault);
/* Appends a webhook delivery attempt (which it takes) to the request log,
 * numbered and stamped like the requests (caller holds sb->mu). */
void sb_log_outgoing(hb_sandbox *sb, cJSON *entry);

#endif
