/* One service call from request to result: what the operation table
 * allows (service_table.h), `uses` and forbid rules, dry run, the intent
 * event, auth, the exchange with its retries and an api_call event per
 * attempt, then the result or the uniform error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hb/json_print.h"
#include "hb/settings.h"
#include "services_internal.h"

hb_services *hb_services_new(const hb_services_config *cfg, hb_err *e)
{
    hb_http_limits limits;
    if (hb_http_limits_from_env(&limits, e) != HB_OK)
        return NULL;
    int64_t body_kb;
    if (hb_setting_int("HB_AUDIT_BODY_MAX_KB", &body_kb, e) != HB_OK)
        return NULL;
    hb_services *s = hb_xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    if (cfg->replay) {
        s->cfg.getvar = svc_replay_getvar;
        s->cfg.getvar_ud = (void *)cfg->replay;
        s->cfg.dry_run = true; /* nothing a replay does may be sent */
    }
    s->limits = limits;
    s->body_max = (size_t)body_kb * 1024;
    s->secrets = hb_secrets_new();
    snprintf(s->user_agent, sizeof s->user_agent, "hb/%s", HB_VERSION);
    if (getrandom(&s->rng, sizeof s->rng, 0) != (ssize_t)sizeof s->rng)
        s->rng = (unsigned)hb_clock_monotonic_us();
    s->conns = hb_xcalloc(hb_service_count, sizeof *s->conns);
    for (size_t i = 0; i < hb_service_count; i++) {
        s->conns[i].def = &hb_service_defs[i];
        s->conns[i].name = hb_service_defs[i].name;
        /* Every credential hb was given is known before anything can echo
         * it, whichever services this run calls. */
        for (const char *const *v = hb_service_defs[i].secrets; s->cfg.getvar && *v; v++)
            hb_secrets_add(s->secrets, s->cfg.getvar(s->cfg.getvar_ud, *v));
    }
    return s;
}

void hb_services_free(hb_services *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < hb_service_count; i++)
        svc_conn_free(&s->conns[i]);
    free(s->conns);
    hb_secrets_free(s->secrets);
    free(s->marker_prefix);
    cJSON_Delete(s->pending);
    free(s);
}

void hb_service_response_free(hb_service_response *r)
{
    cJSON_Delete(r->body);
    cJSON_Delete(r->headers);
    cJSON_Delete(r->error);
    memset(r, 0, sizeof *r);
}

/* A comment in a Zendesk write's body, wherever it sits: does it exist,
 * and is it one the customer sees? Zendesk's own default for `public` is
 * true, so only an explicit false makes it internal. */
static void find_comment(const cJSON *v, bool *any, bool *public)
{
    for (const cJSON *c = v ? v->child : NULL; c; c = c->next) {
        if (c->string && !strcmp(c->string, "comment") && cJSON_IsObject(c)) {
            *any = true;
            if (!cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(c, "public")))
                *public = true;
        }
        if (cJSON_IsObject(c) || cJSON_IsArray(c))
            find_comment(c, any, public);
    }
}

/* What a request is allowed to be and does, as the table says: everything
 * the call, forbid and the audit go by. */
typedef struct decision {
    const hb_operation_def *op;
    const hb_service_def *service;
    bool write;
    bool idempotent;
    const char *caps[4]; /* capabilities it exercises, NULL-terminated */
} decision;

static char *capability_name(char *buf, size_t cap, const char *service, const char *what)
{
    snprintf(buf, cap, "%s.%s", service, what);
    return buf;
}

/* Fills d from the table; HB_EUSAGE when the request is not one its
 * operation makes. Checks what it can without the connection (the path of
 * a write is checked once the URL is known: check_path). */
static hb_status decide(const hb_service_request *req, decision *d, char names[2][80], hb_err *e)
{
    memset(d, 0, sizeof *d);
    d->op = hb_operation_lookup(req->op);
    if (!d->op)
        return hb_err_set(e, HB_EUSAGE, "'%s' is not an operation hb knows (service_table.h)",
                          req->op);
    if (req->service && strcmp(req->service, d->op->service))
        return hb_err_set(e, HB_EUSAGE, "%s belongs to %s, not to %s", req->op, d->op->service,
                          req->service);
    d->service = hb_service_lookup(d->op->service);
    if (!(hb_method_bit(req->method) & d->op->methods))
        return hb_err_set(e, HB_EUSAGE, "%s does not use the HTTP method %s", req->op, req->method);
    d->write = d->op->write;
    bool comment = false, public_comment = false;
    if (d->write && !strcmp(d->service->name, "zendesk"))
        find_comment(req->body, &comment, &public_comment);
    d->idempotent = d->write && (d->op->repeat == HB_REPEAT_SAFE ||
                                 (d->op->repeat == HB_REPEAT_UNLESS_COMMENT && !comment));
    size_t n = 0;
    if (d->write)
        d->caps[n++] = capability_name(names[0], sizeof names[0], d->service->name, "write");
    if (!strcmp(req->method, "DELETE"))
        d->caps[n++] = capability_name(names[1], sizeof names[1], d->service->name, "delete");
    if (public_comment)
        d->caps[n++] = "zendesk.public_reply";
    d->caps[n] = NULL;
    return HB_OK;
}

static const char *forbidden_by(const hb_services *s, const decision *d)
{
    for (const char *const *f = s->cfg.forbid; f && *f; f++) {
        if (!strcmp(*f, d->op->name))
            return *f;
        for (const char *const *c = d->caps; *c; c++)
            if (!strcmp(*f, *c))
                return *f;
    }
    return NULL;
}

const char *hb_services_forbidden_by(const hb_services *s, const hb_service_request *req)
{
    decision d;
    char names[2][80];
    if (decide(req, &d, names, NULL) != HB_OK)
        return NULL;
    return forbidden_by(s, &d);
}

static bool in_uses(const hb_services *s, const char *service)
{
    if (!s->cfg.uses)
        return true;
    for (const char *const *u = s->cfg.uses; *u; u++)
        if (!strcmp(*u, service))
            return true;
    return false;
}

static svc_conn *conn_for(hb_services *s, const char *service)
{
    for (size_t i = 0; i < hb_service_count; i++)
        if (service && !strcmp(service, s->conns[i].name))
            return &s->conns[i];
    return NULL;
}

/* The request's path below the service's URL (query left out) against the
 * operation: a write only where its operation writes, a read only below
 * the service's API, neither through "." or ".." segments. */
static hb_status check_path(const decision *d, const char *path, hb_err *e)
{
    size_t len = strcspn(path, "?#");
    if (!hb_path_plain(path, len))
        return hb_err_set(e, HB_EUSAGE, "%s: the path %.*s has a segment that is not plain",
                          d->op->name, (int)len, path);
    if (!d->write) {
        const char *prefix = d->service->api_prefix;
        if (strncmp(path, prefix, strlen(prefix)) != 0)
            return hb_err_set(e, HB_EUSAGE, "%s: %.*s is not below %s's API (%s)", d->op->name,
                              (int)len, path, d->service->name, prefix);
        return HB_OK;
    }
    for (const char *const *p = d->op->paths; p && *p; p++)
        if (hb_path_matches(*p, path, len))
            return HB_OK;
    return hb_err_set(e, HB_EUSAGE, "%s does not write to %.*s (only to %s)", d->op->name, (int)len,
                      path, d->op->paths ? d->op->paths[0] : "nowhere");
}

static const char *skip_origin(const char *url)
{
    const char *p = strstr(url, "://");
    if (!p)
        return url;
    p = strchr(p + 3, '/');
    return p ? p : "/";
}

static hb_status build_url(hb_services *s, svc_call *k, const hb_service_request *req,
                           const decision *d, hb_err *e)
{
    const char *base = k->conn->api_base;
    bool absolute =
        hb_str_starts_with(req->path, "http://") || hb_str_starts_with(req->path, "https://");
    char *url;
    const char *below; /* the path below the service's URL */
    size_t blen = strlen(base);
    if (absolute && s->cfg.replay) {
        /* A next-page link from a recorded reply names the recorded run's
         * origin, which a replay does not know: it is matched by its path,
         * and nothing is sent anywhere. */
        below = skip_origin(req->path);
    } else if (absolute) {
        if (!hb_http_same_origin(base, req->path))
            return hb_err_set(e, HB_EUSAGE,
                              "%s: a link points away from %s's URL; hb sends credentials only "
                              "to the configured service",
                              req->op, k->conn->name);
        if (strncmp(req->path, base, blen) != 0 || req->path[blen] != '/')
            return hb_err_set(e, HB_EUSAGE, "%s: a link points outside %s's URL (%s)", req->op,
                              k->conn->name, base);
        below = req->path + blen;
    } else {
        if (req->path[0] != '/')
            return hb_err_set(e, HB_EUSAGE, "%s: path must start with '/': %s", req->op, req->path);
        below = req->path;
    }
    hb_status st = check_path(d, below, e);
    if (st != HB_OK)
        return st;
    url = absolute && !s->cfg.replay ? hb_xstrdup(req->path)
                                     : hb_xasprintf("%s%s", base, absolute ? below : req->path);
    if (req->query && *req->query) {
        char *with = hb_xasprintf("%s%c%s", url, strchr(url, '?') ? '&' : '?', req->query);
        free(url);
        url = with;
    }
    k->url = url;
    k->audit_path = hb_redact_path(s->secrets, skip_origin(url));
    return HB_OK;
}

static size_t build_headers(const svc_call *k, const char *headers[8], char *content_type)
{
    size_t n = 0;
    headers[n++] = "Accept: application/json";
    if (k->body) {
        snprintf(content_type, 96, "Content-Type: %s", k->content_type);
        headers[n++] = content_type;
    }
    if (!k->token_fetch && k->conn->auth_header)
        headers[n++] = k->conn->auth_header;
    if (k->conn->version_header)
        headers[n++] = k->conn->version_header;
    headers[n] = NULL;
    return n;
}

/* Milliseconds a 429 asks for: Retry-After, else the service's reset
 * header (a Unix time on GitLab, seconds on Zuora and Zendesk), else -1. */
static int64_t rate_limit_wait_ms(const hb_http_response *r)
{
    hb_time_us now = hb_clock_wall();
    int64_t ms = hb_http_retry_after_ms(hb_http_header(r, "retry-after"), now);
    if (ms >= 0)
        return ms;
    static const char *const resets[] = {"ratelimit-reset", "x-rate-limit-reset", NULL};
    for (const char *const *h = resets; *h; h++) {
        const char *v = hb_http_header(r, *h);
        if (!v || !*v)
            continue;
        long long n = strtoll(v, NULL, 10);
        if (n > 1000000000LL) /* an absolute Unix time */
            return n * 1000 > now / 1000 ? n * 1000 - now / 1000 : 0;
        if (n >= 0)
            return n * 1000;
    }
    return -1;
}

static uint32_t next_random(hb_services *s)
{
    return (uint32_t)rand_r(&s->rng);
}

/* Says, to whoever watches, that a call waits before its next attempt:
 * what went wrong (the status, or that the connection failed), which
 * attempt comes next of how many, and in how long. */
static void tell_retry(const hb_services *s, const svc_call *k, const hb_http_response *resp,
                       hb_status sent, int attempt, int64_t wait_ms)
{
    if (!s->cfg.progress)
        return;
    char why[32], in[32];
    if (sent != HB_OK)
        snprintf(why, sizeof why, "%s",
                 resp->failure == HB_HTTP_TIMEOUT ? "timed out" : "connection failed");
    else
        snprintf(why, sizeof why, "%ld", resp->status);
    if (wait_ms >= 1000)
        snprintf(in, sizeof in, "%lld s", (long long)((wait_ms + 500) / 1000));
    else
        snprintf(in, sizeof in, "%lld ms", (long long)wait_ms);
    char msg[160];
    snprintf(msg, sizeof msg, "%s %s, attempt %d/%d in %s", k->conn->name, why, attempt + 1,
             s->limits.max_attempts, in);
    s->cfg.progress(s->cfg.progress_ud, msg);
}

hb_status svc_exchange(hb_services *s, svc_call *k, hb_http_response *resp, svc_outcome *oc,
                       hb_err *e)
{
    int64_t waited = 0;
    bool reauthed = false;
    bool may_repeat = !k->write || k->idempotent;
    for (int attempt = 1;; attempt++) {
        hb_http_response_free(resp);
        hb_http_response_init(resp);
        const char *headers[8];
        char content_type[96];
        build_headers(k, headers, content_type);
        hb_http_request hr = {.method = k->method,
                              .url = k->url,
                              .headers = headers,
                              .body = k->body,
                              .body_len = k->body_len,
                              .fresh_connection = !may_repeat};
        int64_t t0 = hb_clock_monotonic_us();
        hb_status sent = hb_http_perform(k->conn->http, &hr, resp);
        double ms = (double)(hb_clock_monotonic_us() - t0) / 1000.0;
        oc->attempts = attempt;
        hb_status st = svc_audit_api_call(s, k, resp, attempt, ms, e);
        if (st != HB_OK)
            return st;

        bool retry = false;
        int64_t wait = -1;
        if (sent != HB_OK) {
            retry = resp->failure == HB_HTTP_NOT_SENT ||
                    (may_repeat && resp->failure != HB_HTTP_TOO_LARGE);
        } else if (resp->status == 401 && svc_uses_oauth(k->conn) && !k->token_fetch && !reauthed) {
            /* An expired or revoked token: fetch a new one once. The request
             * was refused, so even a write is safe to send again. */
            reauthed = true;
            cJSON *error = NULL;
            st = svc_ensure_token(s, k->conn, true, &error, e);
            cJSON_Delete(error);
            if (st != HB_OK)
                return st == HB_EFAILED ? HB_OK : st; /* report the 401 itself */
            continue;
        } else if (resp->status == 429) {
            retry = true;
            wait = rate_limit_wait_ms(resp);
        } else if (resp->status >= 500 && resp->status <= 599) {
            retry = may_repeat;
            if (resp->status == 503)
                wait = hb_http_retry_after_ms(hb_http_header(resp, "retry-after"), hb_clock_wall());
        }
        if (!retry)
            return sent;
        if (attempt >= s->limits.max_attempts) {
            snprintf(oc->gave_up, sizeof oc->gave_up, "gave up after %d attempts", attempt);
            return sent;
        }
        if (wait < 0)
            wait = hb_http_backoff_ms(&s->limits, attempt, next_random(s));
        if (waited + wait > s->limits.max_wait_ms) {
            snprintf(oc->gave_up, sizeof oc->gave_up,
                     "gave up after %d attempt%s: waiting %lld ms more would pass "
                     "HB_HTTP_MAX_WAIT_MS=%lld",
                     attempt, attempt == 1 ? "" : "s", (long long)wait,
                     (long long)s->limits.max_wait_ms);
            return sent;
        }
        tell_retry(s, k, resp, sent, attempt, wait);
        hb_http_sleep_ms(wait);
        waited += wait;
    }
}

static void add_note(cJSON *error, const char *note)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(error, "message");
    char *text = hb_xasprintf("%s (%s)", cJSON_IsString(m) ? m->valuestring : "", note);
    cJSON_ReplaceItemInObjectCaseSensitive(error, "message", cJSON_CreateString(text));
    free(text);
}

/* Turns the final response into the result or the uniform error. */
static hb_status interpret(hb_services *s, const svc_call *k, hb_status sent, hb_http_response *r,
                           const svc_outcome *oc, hb_service_response *out, hb_err *e)
{
    out->status = r->status;
    char note[220] = "";
    if (oc->gave_up[0])
        snprintf(note, sizeof note, "%s", oc->gave_up);
    else if (oc->attempts > 1)
        snprintf(note, sizeof note, "after %d attempts", oc->attempts);
    if (sent != HB_OK) {
        out->error = svc_error_transport(s, k->conn->name, r);
        if (note[0])
            add_note(out->error, note);
        return svc_error_to_err(out->error, k->op, e);
    }
    cJSON *body = NULL;
    if (r->body.len > 0) {
        body = cJSON_ParseWithLength(r->body.data, r->body.len);
        if (!body && r->status >= 200 && r->status < 300) {
            char msg[160];
            snprintf(msg, sizeof msg, "%s answered %ld with a body that is not JSON", k->conn->name,
                     r->status);
            out->error = svc_error_make(k->conn->name, r->status, "malformed_response", msg, NULL,
                                        svc_request_id(r, NULL));
            return svc_error_to_err(out->error, k->op, e);
        }
    }
    if (r->status >= 200 && r->status < 300 && !svc_body_says_failure(body)) {
        out->body = body;
        return HB_OK;
    }
    out->error = svc_error_from_response(s, k->conn->name, r, body);
    if (note[0])
        add_note(out->error, note);
    cJSON_Delete(body);
    return svc_error_to_err(out->error, k->op, e);
}

static hb_status finish(hb_services *s, const svc_call *k, hb_status sent, hb_http_response *r,
                        const svc_outcome *oc, hb_service_response *out, hb_err *e)
{
    hb_status st = interpret(s, k, sent, r, oc, out, e);
    out->headers = r->headers;
    r->headers = NULL;
    return st;
}

static hb_status check_request(const hb_service_request *req, hb_err *e)
{
    if (!req->op || !req->method || !req->path)
        return hb_err_set(e, HB_EUSAGE, "a service request needs op, method and path");
    if (!hb_method_bit(req->method))
        return hb_err_set(e, HB_EUSAGE, "%s: unknown HTTP method '%s'", req->op, req->method);
    return HB_OK;
}

hb_status hb_services_call(hb_services *s, const hb_service_request *req, hb_service_response *out,
                           hb_err *e)
{
    memset(out, 0, sizeof *out);
    hb_status st = check_request(req, e);
    if (st != HB_OK)
        return st;
    decision d;
    char cap_names[2][80];
    if ((st = decide(req, &d, cap_names, e)) != HB_OK)
        return st;
    const char *wf = s->cfg.workflow ? s->cfg.workflow : "this workflow";
    if (!in_uses(s, d.service->name))
        return hb_err_set(e, HB_EFAILED,
                          "%s is refused: %s does not declare %s in uses, so it may not reach it",
                          req->op, wf, d.service->name);
    svc_conn *c = conn_for(s, d.service->name);
    const char *rule = forbidden_by(s, &d);
    if (rule) {
        if (!strcmp(rule, req->op))
            return hb_err_set(e, HB_EFAILED, "%s is forbidden: %s lists \"%s\" in its forbid",
                              req->op, wf, rule);
        return hb_err_set(e, HB_EFAILED,
                          "%s is forbidden: it would exercise \"%s\", which %s lists in its "
                          "forbid",
                          req->op, rule, wf);
    }
    if ((st = svc_prepare(s, c, e)) != HB_OK)
        return st;
    /* Dry-run writes never need a token: nothing is sent. Reads and real
     * writes do, and Salesforce's token also names where calls go. */
    if (!(d.write && s->cfg.dry_run) && !s->cfg.replay) {
        cJSON *error = NULL;
        st = svc_ensure_token(s, c, false, &error, e);
        if (st != HB_OK) {
            out->error = error;
            return st;
        }
    }
    if (!c->api_base)
        /* Dry run against Salesforce before any read: address by login URL. */
        c->api_base = hb_xstrdup(c->url);

    svc_call k = {.conn = c,
                  .op = d.op->name,
                  .method = req->method,
                  .write = d.write,
                  .idempotent = d.idempotent,
                  .object = req->object,
                  .marker = req->marker};
    char *body = NULL;
    if (req->form) {
        body = hb_xstrdup(req->form);
        k.content_type = "application/x-www-form-urlencoded";
    } else if (req->body) {
        body = hb_json_print(req->body);
        k.content_type = "application/json";
    }
    k.body = body;
    k.body_len = body ? strlen(body) : 0;
    hb_http_response r;
    hb_http_response_init(&r);
    if ((st = build_url(s, &k, req, &d, e)) != HB_OK)
        goto done;
    if (body && (st = svc_audit_body(s, body, k.body_len, k.request_digest, e)) != HB_OK)
        goto done;
    if (d.write && (st = svc_audit_intent(s, &k, e)) != HB_OK)
        goto done;
    svc_outcome oc = {0};
    hb_status sent;
    if (s->cfg.replay) {
        bool planned;
        sent = svc_replay_exchange(s, &k, &r, &planned);
        oc.attempts = 1;
        if (planned) {
            out->planned = true;
            goto done;
        }
    } else if (d.write && s->cfg.dry_run) {
        out->planned = true;
        goto done;
    } else {
        sent = svc_exchange(s, &k, &r, &oc, e);
    }
    if (sent != HB_OK && sent != HB_EFAILED) {
        st = sent; /* the audit sink failed */
        goto done;
    }
    st = finish(s, &k, sent, &r, &oc, out, e);
done:
    hb_http_response_free(&r);
    free(body);
    free(k.url);
    free(k.audit_path);
    return st;
}
