/* The sandbox's HTTP server: libmicrohttpd with a thread per connection
 * (so injected latency holds up only its own request), loopback only.
 * This is the only file that knows libmicrohttpd. Each request is parsed
 * from its raw URI (the unescape callback keeps "%2F" in GitLab project
 * paths), checked against the fault rules, then handled under the state
 * lock, logged and answered — or dropped, when a fault says so. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "hb/settings.h"
#include "webhooks_internal.h"

#define MAX_BODY_BYTES  (8u << 20)
#define REQUEST_LOG_MAX 10000

/* What one connection's current request has accumulated so far. */
typedef struct pending {
    char *raw_uri;
    bool started;
    hb_buf body;
    bool too_large;
} pending;

/* The variables the bindings read, in the order `hb sandbox` prints them:
 * a URL (the sandbox's own plus the path prefix standing for the service's
 * host), or a value from the state's credentials. */
typedef struct sandbox_var {
    const char *name;
    const char *credential; /* NULL: a URL */
    const char *url_prefix;
    bool web; /* a URL where links point (HB_SANDBOX_WEB_URL) */
} sandbox_var;

static const sandbox_var vars[SB_VAR_COUNT] = {
    {.name = "ZENDESK_URL", .url_prefix = ""},
    {.name = "ZENDESK_EMAIL", .credential = "zendesk_email"},
    {.name = "ZENDESK_API_TOKEN", .credential = "zendesk_api_token"},
    {.name = "GITLAB_URL", .url_prefix = ""},
    {.name = "GITLAB_TOKEN", .credential = "gitlab_token"},
    {.name = "ZUORA_URL", .url_prefix = ""},
    {.name = "ZUORA_CLIENT_ID", .credential = "zuora_client_id"},
    {.name = "ZUORA_CLIENT_SECRET", .credential = "zuora_client_secret"},
    {.name = "SALESFORCE_URL", .url_prefix = ""},
    {.name = "SALESFORCE_CLIENT_ID", .credential = "salesforce_client_id"},
    {.name = "SALESFORCE_CLIENT_SECRET", .credential = "salesforce_client_secret"},
    /* Slack and PagerDuty live on other hosts (slack.com, api.pagerduty.com,
     * events.pagerduty.com): here each has a path prefix of its own. */
    {.name = "SLACK_URL", .url_prefix = "/slack"},
    {.name = "SLACK_BOT_TOKEN", .credential = "slack_bot_token"},
    {.name = "PAGERDUTY_URL", .url_prefix = "/pagerduty"},
    {.name = "PAGERDUTY_TOKEN", .credential = "pagerduty_token"},
    {.name = "PAGERDUTY_FROM", .credential = "pagerduty_from"},
    {.name = "PAGERDUTY_EVENTS_URL", .url_prefix = "/pagerduty-events"},
    {.name = "PAGERDUTY_ROUTING_KEY", .credential = "pagerduty_routing_key"},
    {.name = "ZENDESK_WEB_URL", .url_prefix = "", .web = true},
    {.name = "GITLAB_WEB_URL", .url_prefix = "", .web = true},
};

/* Per minute. Slack sends no rate-limit headers; PagerDuty allows 960. */
static const int rate_limits[SB_SERVICE_COUNT] = {700, 2000, 1000, 100000, 100, 960, 1000000};

/* ---- the request log ---- */

/* Never log a credential, even a sandbox one: client secrets, Slack's form
 * token, PagerDuty's routing key. */
static bool secret_field(const char *name)
{
    return strstr(name, "secret") || !strcmp(name, "token") || !strcmp(name, "routing_key") ||
           !strcmp(name, "password");
}

static void redact_fields(cJSON *obj)
{
    for (cJSON *it = cJSON_IsObject(obj) ? obj->child : NULL, *next; it; it = next) {
        next = it->next;
        if (it->string && secret_field(it->string) && !cJSON_IsNull(it))
            sb_set(obj, it->string, cJSON_CreateString("[redacted]"));
    }
}

static bool form_body(const sb_ctx *cx)
{
    const char *ct = sb_header(cx, "Content-Type");
    bool token_endpoint = cx->route && cx->route->open && cx->service != SB_ADMIN;
    return token_endpoint || (ct && !strncasecmp(ct, "application/x-www-form-urlencoded", 33));
}

/* The body as the log shows it: JSON as JSON, a form as an object of its
 * fields (so tests can assert on them), anything else as text. */
static cJSON *logged_body(const sb_ctx *cx)
{
    const hb_buf *b = &cx->req->body;
    if (b->len == 0)
        return cJSON_CreateNull();
    cJSON *out = cJSON_ParseWithLength(b->data, b->len);
    if (!out && form_body(cx)) {
        sb_kv *kv;
        size_t n;
        sb_parse_form(b->data, b->len, &kv, &n);
        out = cJSON_CreateObject();
        for (size_t i = 0; i < n; i++)
            sb_set(out, kv[i].name, cJSON_CreateString(kv[i].value));
        sb_kv_free(kv, n);
    }
    if (out) {
        redact_fields(out);
        return out;
    }
    size_t keep = b->len < 65536 ? b->len : 65536;
    char *text = hb_xstrndup(b->data, keep);
    cJSON *s = cJSON_CreateString(text);
    free(text);
    return s;
}

/* The query string, with any credential in it redacted. */
static char *logged_query(const sb_ctx *cx)
{
    const sb_request *req = cx->req;
    bool secret = false;
    for (size_t i = 0; i < req->nquery; i++)
        secret = secret || secret_field(req->query[i].name);
    if (!secret)
        return hb_xstrdup(req->query_string);
    hb_buf out;
    hb_buf_init(&out);
    for (size_t i = 0; i < req->nquery; i++) {
        if (i > 0)
            hb_buf_putc(&out, '&');
        sb_url_encode(&out, req->query[i].name);
        hb_buf_putc(&out, '=');
        sb_url_encode(&out, secret_field(req->query[i].name) ? "[redacted]" : req->query[i].value);
    }
    return hb_buf_take(&out);
}

/* Request headers a test may want to see (PagerDuty's From, who sent it);
 * never Authorization or anything else that can carry a credential. */
static cJSON *logged_headers(const sb_ctx *cx)
{
    static const char *const shown[] = {"Content-Type", "Accept", "From", "User-Agent"};
    cJSON *out = cJSON_CreateObject();
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        const char *v = sb_header(cx, shown[i]);
        if (v) {
            char lower[16];
            size_t n = strlen(shown[i]);
            for (size_t j = 0; j <= n; j++)
                lower[j] = (char)(shown[i][j] >= 'A' && shown[i][j] <= 'Z' ? shown[i][j] + 32
                                                                           : shown[i][j]);
            cJSON_AddStringToObject(out, lower, v);
        }
    }
    return out;
}

void sb_log_request(hb_sandbox *sb, const sb_ctx *cx, const char *fault)
{
    if (cx->route && cx->resp.status > 0 && cx->resp.status < 400 && !fault)
        sb->route_ok[cx->route - sb_routes]++;
    /* The test endpoints observe the log; logging them would change it. */
    if (cx->service == SB_ADMIN)
        return;
    cJSON *entry = cJSON_CreateObject();
    char now[32];
    hb_time_format(hb_clock_wall(), now);
    cJSON_AddNumberToObject(entry, "seq", (double)++sb->request_seq);
    cJSON_AddStringToObject(entry, "time", now);
    cJSON_AddStringToObject(entry, "method", cx->req->method);
    cJSON_AddStringToObject(entry, "path", cx->req->path);
    char *query = logged_query(cx);
    cJSON_AddStringToObject(entry, "query", query);
    free(query);
    cJSON_AddStringToObject(entry, "service", sb_service_name(cx->service));
    if (cx->route) {
        char *route = hb_xasprintf("%s %s", cx->route->method, cx->route->pattern);
        cJSON_AddStringToObject(entry, "route", route);
        free(route);
    } else {
        cJSON_AddNullToObject(entry, "route");
    }
    cJSON_AddBoolToObject(entry, "writes", cx->route && cx->route->writes);
    cJSON_AddNumberToObject(entry, "status", cx->resp.status);
    cJSON_AddItemToObject(entry, "headers", logged_headers(cx));
    cJSON_AddItemToObject(entry, "body", logged_body(cx));
    if (fault)
        cJSON_AddStringToObject(entry, "fault", fault);
    cJSON_AddItemToArray(sb->requests, entry);
    if (cJSON_GetArraySize(sb->requests) > REQUEST_LOG_MAX)
        cJSON_DeleteItemFromArray(sb->requests, 0);
}

void sb_log_outgoing(hb_sandbox *sb, cJSON *fields)
{
    /* seq and time first, as in the entries of requests. */
    cJSON *entry = cJSON_CreateObject();
    char now[32];
    hb_time_format(hb_clock_wall(), now);
    cJSON_AddNumberToObject(entry, "seq", (double)++sb->request_seq);
    cJSON_AddStringToObject(entry, "time", now);
    while (fields->child) {
        cJSON *it = cJSON_DetachItemViaPointer(fields, fields->child);
        cJSON_AddItemToObject(entry, it->string, it);
    }
    cJSON_Delete(fields);
    cJSON_AddItemToArray(sb->requests, entry);
    if (cJSON_GetArraySize(sb->requests) > REQUEST_LOG_MAX)
        cJSON_DeleteItemFromArray(sb->requests, 0);
}

/* ---- dispatch ---- */

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    sb_request *req = cls;
    req->headers = hb_xrealloc(req->headers, (req->nheaders + 1) * sizeof *req->headers);
    req->headers[req->nheaders].name = hb_xstrdup(key);
    req->headers[req->nheaders].value = hb_xstrdup(value ? value : "");
    req->nheaders++;
    return MHD_YES;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void reply_fault(sb_ctx *cx, const sb_fault_decision *fd)
{
    if (fd->kind == SB_FAULT_500) {
        sb_service_error(cx, 500, "Internal Server Error (injected by the sandbox)");
        return;
    }
    if (fd->kind == SB_FAULT_403) {
        sb_service_error(cx, 403, "Forbidden");
        return;
    }
    /* PagerDuty's REST API tells the wait in ratelimit-reset instead. */
    bool pd_rest = cx->service == SB_PAGERDUTY && !sb_pd_is_events_path(cx->req->path);
    if (!pd_rest)
        sb_add_headerf(cx, "Retry-After", "%d", fd->retry_after_s);
    if (cx->service == SB_ZENDESK || cx->service == SB_GITLAB) {
        /* Both send plain text with their 429s. */
        sb_reply_text(cx, 429, "text/plain; charset=utf-8",
                      cx->service == SB_GITLAB ? "Retry later" : "Rate limit exceeded");
        return;
    }
    if (pd_rest)
        sb_add_headerf(cx, "ratelimit-reset", "%d", fd->retry_after_s);
    sb_service_error(cx, 429, "Too many requests");
}

/* Counts the request against its service's per-minute window. */
static int count_rate(hb_sandbox *sb, sb_service svc)
{
    int64_t window = hb_clock_wall() / 60000000;
    if (window != sb->rate_window) {
        sb->rate_window = window;
        memset(sb->rate_used, 0, sizeof sb->rate_used);
    }
    return ++sb->rate_used[svc];
}

static void handle_routed(sb_ctx *cx, bool other_method)
{
    if (!cx->route) {
        if (other_method) {
            sb_service_error(cx, 405, "Method Not Allowed");
        } else {
            char *msg =
                hb_xasprintf("the sandbox has no route %s %s", cx->req->method, cx->req->path);
            sb_service_error(cx, 404, msg);
            free(msg);
        }
        return;
    }
    if (!cx->route->open && !sb_auth_check(cx))
        return;
    cx->route->handler(cx);
    if (cx->resp.status == 0)
        sb_service_error(cx, 500, "the sandbox handler gave no answer");
}

/* Handles one complete request; false means drop the connection. */
static bool handle(hb_sandbox *sb, pending *pr, struct MHD_Connection *conn, const char *method,
                   sb_response *out)
{
    sb_request req = {0};
    req.method = hb_xstrdup(method);
    sb_request_parse_uri(&req, pr->raw_uri);
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &req);
    req.body = pr->body;
    hb_buf_init(&pr->body);

    sb_ctx cx = {0};
    cx.sb = sb;
    cx.req = &req;
    cx.service = sb_service_for_path(req.path);
    bool other_method = false;
    cx.route = sb_route_find(&req, cx.param_names, cx.params, &other_method);
    if (cx.route)
        cx.service = cx.route->service;

    sb_fault_decision fd = {0};
    int used = 0;
    if (cx.service != SB_ADMIN && cx.service != SB_NO_SERVICE) {
        pthread_mutex_lock(&sb->mu);
        sb_faults_decide(sb->faults, &req, cx.route, cx.service, &fd);
        used = count_rate(sb, cx.service);
        pthread_mutex_unlock(&sb->mu);
    }
    if (fd.latency_ms > 0)
        sleep_ms(fd.latency_ms);

    bool keep = true;
    if (fd.kind == SB_FAULT_403 || fd.kind == SB_FAULT_429 || fd.kind == SB_FAULT_500 ||
        fd.kind == SB_FAULT_DROP) {
        keep = fd.kind != SB_FAULT_DROP;
        if (keep)
            reply_fault(&cx, &fd);
        pthread_mutex_lock(&sb->mu);
        sb_log_request(sb, &cx, sb_fault_kind_name(fd.kind));
        pthread_mutex_unlock(&sb->mu);
    } else {
        hb_err e = {0};
        if (sb_state_begin(sb, &e) != HB_OK) {
            sb_service_error(&cx, 500, e.msg);
            pthread_mutex_lock(&sb->mu);
            sb_log_request(sb, &cx, NULL);
            pthread_mutex_unlock(&sb->mu);
        } else {
            cx.data = sb_state_data(sb);
            /* Back to the seed is no event of the services'. */
            bool watched = cx.route && cx.route->writes && cx.route->handler != sb_h_admin_reset;
            cJSON *before = watched ? sb_webhooks_snapshot(sb, cx.data) : NULL;
            if (pr->too_large)
                sb_service_error(&cx, 413, "Request Entity Too Large");
            else
                handle_routed(&cx, other_method);
            if (!cx.changed) {
                cJSON_Delete(before);
                before = NULL;
            }
            sb_webhooks_emit(sb, sb_state_data(sb), before, cx.service != SB_ADMIN);
            bool after_write = fd.kind == SB_FAULT_DROP_AFTER_WRITE;
            bool failed_after = fd.kind == SB_FAULT_500_AFTER_WRITE && cx.resp.status < 400;
            if (failed_after)
                sb_service_error(&cx, 500,
                                 "Internal Server Error (injected by the sandbox "
                                 "after the request was applied)");
            sb_log_request(sb, &cx,
                           after_write || failed_after ? sb_fault_kind_name(fd.kind) : NULL);
            if (sb_state_end(sb, cx.changed, &e) != HB_OK)
                sb_service_error(&cx, 500, e.msg);
            keep = !after_write;
        }
    }
    if (keep && cx.service != SB_ADMIN)
        sb_rate_headers(&cx, used, rate_limits[cx.service < SB_SERVICE_COUNT ? cx.service : 0]);
    *out = cx.resp;
    memset(&cx.resp, 0, sizeof cx.resp);
    sb_ctx_free(&cx);
    sb_request_free(&req);
    return keep;
}

static enum MHD_Result send_response(struct MHD_Connection *conn, sb_response *r)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        r->has_body ? r->body.len : 0, r->has_body ? r->body.data : (void *)"",
        MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    if (r->content_type)
        MHD_add_response_header(resp, "Content-Type", r->content_type);
    /* libmicrohttpd refuses empty values, but GitLab sends an empty
     * x-next-page on the last page: a blank is the same after trimming. */
    for (size_t i = 0; i < r->nheaders; i++)
        MHD_add_response_header(resp, r->headers[i].name,
                                *r->headers[i].value ? r->headers[i].value : " ");
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    (void)url;
    (void)version;
    pending *pr = *req_cls;
    if (!pr)
        return MHD_NO;
    if (!pr->started) {
        pr->started = true;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (pr->body.len + *upload_data_size > MAX_BODY_BYTES)
            pr->too_large = true;
        else
            hb_buf_append(&pr->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    sb_response r = {0};
    bool keep = handle(cls, pr, conn, method, &r);
    enum MHD_Result ok = keep ? send_response(conn, &r) : MHD_NO;
    sb_response_free(&r);
    return ok;
}

/* Sees the full raw URI (query included) before libmicrohttpd parses it;
 * its return value becomes the request's *req_cls. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    pending *pr = hb_xcalloc(1, sizeof *pr);
    pr->raw_uri = hb_xstrdup(uri ? uri : "/");
    hb_buf_init(&pr->body);
    return pr;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)conn;
    (void)why;
    pending *pr = *req_cls;
    if (pr) {
        free(pr->raw_uri);
        hb_buf_free(&pr->body);
        free(pr);
        *req_cls = NULL;
    }
}

/* Keeps escapes as they came: GitLab's "group%2Fproject" must stay one
 * path segment; the parser decodes segments and query values itself. */
static size_t keep_raw(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return strlen(s);
}

/* ---- lifecycle ---- */

static hb_status parse_bind(const char *bind, int port, struct sockaddr_storage *ss, socklen_t *len,
                            bool *v6, hb_err *e)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (!strcmp(bind, "localhost"))
        bind = "127.0.0.1";
    if (inet_pton(AF_INET, bind, &in4->sin_addr) == 1) {
        if ((ntohl(in4->sin_addr.s_addr) >> 24) != 127)
            goto not_loopback;
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        *len = sizeof *in4;
        *v6 = false;
        return HB_OK;
    }
    if (inet_pton(AF_INET6, bind, &in6->sin6_addr) == 1) {
        if (!IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
            goto not_loopback;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *len = sizeof *in6;
        *v6 = true;
        return HB_OK;
    }
    return hb_err_set(e, HB_EUSAGE, "--bind '%s' is not an IP address", bind);
not_loopback:
    return hb_err_set(e, HB_EUSAGE,
                      "--bind '%s' is not a loopback address: the sandbox serves only this "
                      "machine (use 127.0.0.1 or ::1)",
                      bind);
}

static void cache_vars(hb_sandbox *sb)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(sb->state, "credentials");
    for (int i = 0; i < SB_VAR_COUNT; i++) {
        if (vars[i].credential) {
            const char *v = sb_get_str(c, vars[i].credential);
            sb->var_values[i] = hb_xstrdup(v ? v : "");
        } else {
            sb->var_values[i] =
                hb_xasprintf("%s%s", vars[i].web ? sb->web_url : sb->url, vars[i].url_prefix);
        }
    }
}

static hb_status start_daemon(hb_sandbox *sb, int port, hb_err *e)
{
    struct sockaddr_storage ss;
    socklen_t sslen = 0;
    bool v6 = false;
    if (parse_bind(sb->bind, port, &ss, &sslen, &v6, e) != HB_OK)
        return HB_EUSAGE;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_AUTO | (v6 ? MHD_USE_IPv6 : 0);
    sb->daemon = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, sb, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_URI_LOG_CALLBACK, on_uri, sb,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, sb, MHD_OPTION_UNESCAPE_CALLBACK, keep_raw, sb,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_END);
    if (!sb->daemon)
        return hb_err_set(e, HB_EFAILED,
                          "the sandbox cannot listen on %s port %d (is the port in use?)", sb->bind,
                          port);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(sb->daemon, MHD_DAEMON_INFO_BIND_PORT);
    sb->port = info ? info->port : port;
    sb->url = v6 ? hb_xasprintf("http://[%s]:%d", sb->bind, sb->port)
                 : hb_xasprintf("http://%s:%d",
                                strcmp(sb->bind, "localhost") ? sb->bind : "127.0.0.1", sb->port);
    return HB_OK;
}

/* HB_SANDBOX_WEB_URL: links are for people, so any http(s) address will
 * do; without the trailing '/' a path is appended to. */
static hb_status read_web_url(hb_sandbox *sb, hb_err *e)
{
    char *url = hb_setting_text("HB_SANDBOX_WEB_URL");
    if (!url) /* unset: the row's default */
        url = hb_xstrdup(hb_setting_find("HB_SANDBOX_WEB_URL")->fallback);
    if ((strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) || !url[8]) {
        hb_status st = hb_err_set(
            e, HB_EUSAGE, "HB_SANDBOX_WEB_URL='%s' is not an http:// or https:// address", url);
        free(url);
        return st;
    }
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        url[--n] = '\0';
    sb->web_url = url;
    return HB_OK;
}

hb_status hb_sandbox_start(const hb_sandbox_config *cfg, hb_sandbox **out, hb_err *e)
{
    *out = NULL;
    if (cfg->port < 0 || cfg->port > 65535)
        return hb_err_set(e, HB_EUSAGE, "port %d is out of range (0-65535)", cfg->port);
    hb_sandbox *sb = hb_xcalloc(1, sizeof *sb);
    pthread_mutex_init(&sb->mu, NULL);
    sb->lock_fd = -1;
    sb->bind = hb_xstrdup(cfg->bind && *cfg->bind ? cfg->bind : "127.0.0.1");
    sb->seed_path = cfg->data_path ? hb_xstrdup(cfg->data_path) : hb_sandbox_default_seed();
    sb->state_path = cfg->state_path ? hb_xstrdup(cfg->state_path) : NULL;
    sb->requests = cJSON_CreateArray();
    sb->issued = cJSON_CreateArray();
    sb->route_ok = hb_xcalloc(sb_route_count, sizeof *sb->route_ok);
    sb->clock = cfg->clock;
    int64_t batch = 0;
    hb_status st = hb_setting_int("HB_SANDBOX_TOKEN_TTL", &sb->token_ttl_s, e);
    if (st == HB_OK)
        st = hb_setting_int("HB_SANDBOX_QUERY_BATCH", &batch, e);
    sb->query_batch = (int)batch;
    if (st == HB_OK)
        st = read_web_url(sb, e);
    if (st == HB_OK)
        st = sb_faults_parse(cfg->faults, &sb->faults, e);
    if (st == HB_OK)
        st = sb_state_open(sb, e);
    if (st == HB_OK)
        st = start_daemon(sb, cfg->port, e);
    if (st == HB_OK)
        st = sb_webhooks_open(sb, e);
    if (st != HB_OK) {
        hb_sandbox_stop(sb);
        return st;
    }
    cache_vars(sb);
    *out = sb;
    return HB_OK;
}

int hb_sandbox_port(const hb_sandbox *sb)
{
    return sb->port;
}

const char *hb_sandbox_url(const hb_sandbox *sb)
{
    return sb->url;
}

void hb_sandbox_each_var(const hb_sandbox *sb,
                         void (*cb)(const char *name, const char *value, void *ud), void *ud)
{
    for (int i = 0; i < SB_VAR_COUNT; i++)
        cb(vars[i].name, sb->var_values[i], ud);
}

void hb_sandbox_stop(hb_sandbox *sb)
{
    if (!sb)
        return;
    if (sb->daemon)
        MHD_stop_daemon(sb->daemon);
    /* After the daemon: no request can queue a delivery any more. */
    sb_webhooks_close(sb);
    if (sb->lock_fd >= 0)
        close(sb->lock_fd);
    cJSON_Delete(sb->state);
    cJSON_Delete(sb->requests);
    cJSON_Delete(sb->issued);
    free(sb->route_ok);
    sb_faults_free(sb->faults);
    for (int i = 0; i < SB_VAR_COUNT; i++)
        free(sb->var_values[i]);
    free(sb->bind);
    free(sb->url);
    free(sb->web_url);
    free(sb->seed_path);
    free(sb->state_path);
    free(sb->lock_path);
    pthread_mutex_destroy(&sb->mu);
    free(sb);
}
