/* The sandbox's webhooks: when a request or a patch changes a ticket or an
 * issue, the sandbox POSTs what Zendesk and GitLab would, signed as they
 * sign it, to the URLs the settings name (HB_SANDBOX_ZENDESK_WEBHOOK_URL,
 * HB_SANDBOX_GITLAB_WEBHOOK_URL; unset: nothing is sent). The request that
 * made the change only queues the deliveries: one sender thread makes
 * them, in order, so a slow or dead receiver never holds up the sandbox's
 * answer. A failed attempt (no answer, 429 or 5xx) is tried again with the
 * same ids, so the receiver can tell a redelivery from a new event; every
 * attempt goes in the request log as an outgoing entry. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/json_print.h"
#include "hb/secrets.h"
#include "hb/settings.h"
#include "webhooks_internal.h"

/* The webhook's id as Zendesk shows it in its admin centre: one per
 * sandbox, like the one webhook an account subscribes hb serve with. */
#define ZENDESK_WEBHOOK_ID "01HBSANDBOXWEBHOOK"
#define ZENDESK_ACCOUNT_ID "1000001"

enum { HOOK_ZENDESK, HOOK_GITLAB, HOOK_COUNT };

typedef struct hook_service {
    const char *name; /* "zendesk", "gitlab" */
    const char *url_setting, *secret_setting;
    char *url; /* NULL: this service sends nothing */
    char *secret;
    sb_hook_target target;
} hook_service;

typedef struct delivery {
    struct delivery *next;
    int svc;
    char *kind;
    char *id;         /* Zendesk's invocation id, GitLab's Idempotency-Key */
    char *event_uuid; /* GitLab's X-Gitlab-Event-UUID */
    char *body;
} delivery;

static void free_delivery(delivery *d)
{
    free(d->kind);
    free(d->id);
    free(d->event_uuid);
    free(d->body);
    free(d);
}

struct sb_webhooks {
    hb_sandbox *sb;
    hook_service svc[HOOK_COUNT];
    char gitlab_hook_uuid[37];
    int64_t max_queue, attempts, timeout_us, retry_delay_us;
    pthread_t thread;
    bool running;
    pthread_mutex_t mu; /* guards the queue and closing */
    pthread_cond_t cv;
    delivery *head, *tail;
    size_t queued;
    bool closing;
    int64_t drain_deadline_us; /* monotonic, once closing */
    atomic_bool stop;
};

/* ---- identifiers and signatures ---- */

static void random_bytes(unsigned char *out, size_t n)
{
    if (RAND_bytes(out, (int)n) != 1) {
        /* Only ids: unique enough from the clock when the RNG fails. */
        uint64_t x = (uint64_t)hb_clock_monotonic_us() ^ (uint64_t)hb_clock_wall();
        for (size_t i = 0; i < n; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            out[i] = (unsigned char)(x >> 56);
        }
    }
}

void sb_hook_uuid(char out[37])
{
    unsigned char b[16];
    random_bytes(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

/* Zendesk's invocation ids are long decimal numbers. */
static char *make_invocation_id(void)
{
    unsigned char b[8];
    random_bytes(b, sizeof b);
    uint64_t x = 0;
    for (size_t i = 0; i < sizeof b; i++)
        x = x << 8 | b[i];
    return hb_xasprintf("%llu",
                        (unsigned long long)(x % 9000000000000000000ULL) + 1000000000000000000ULL);
}

/* base64(HMAC-SHA256(secret, timestamp + body)), Zendesk's signature. */
static char *zendesk_signature(const char *secret, const char *timestamp, const char *body)
{
    hb_buf msg;
    hb_buf_init(&msg);
    hb_buf_puts(&msg, timestamp);
    hb_buf_puts(&msg, body);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)msg.data, msg.len, mac,
         &len);
    hb_buf_free(&msg);
    return hb_base64_encode(mac, len);
}

/* ---- the settings ---- */

static bool has_control(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    }
    return false;
}

static hb_status open_service(hook_service *s, hb_err *e)
{
    if (hb_setting_string(s->url_setting, &s->url, e) != HB_OK)
        return HB_EUSAGE;
    if (hb_setting_string(s->secret_setting, &s->secret, e) != HB_OK)
        return HB_EUSAGE;
    if (!s->url)
        return HB_OK;
    if (!s->secret)
        return hb_err_set(e, HB_EUSAGE,
                          "%s is set but %s is not: the sandbox signs every %s webhook, and hb "
                          "serve checks it with the same secret",
                          s->url_setting, s->secret_setting, s->name);
    if (has_control(s->secret))
        return hb_err_set(e, HB_EUSAGE, "%s holds a control character: it goes in a header",
                          s->secret_setting);
    hb_secret_register(s->secret);
    hb_err pe = {0};
    if (sb_hook_target_parse(s->url, &s->target, &pe) != HB_OK)
        return hb_err_set(e, HB_EUSAGE, "%s: %s", s->url_setting, pe.msg);
    return HB_OK;
}

static void *sender(void *arg);

static void free_hooks(sb_webhooks *w)
{
    for (int i = 0; i < HOOK_COUNT; i++) {
        free(w->svc[i].url);
        free(w->svc[i].secret);
        sb_hook_target_free(&w->svc[i].target);
    }
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}

hb_status sb_webhooks_open(hb_sandbox *sb, hb_err *e)
{
    sb_webhooks *w = hb_xcalloc(1, sizeof *w);
    w->sb = sb;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->svc[HOOK_ZENDESK] = (hook_service){.name = "Zendesk",
                                          .url_setting = "HB_SANDBOX_ZENDESK_WEBHOOK_URL",
                                          .secret_setting = "HB_SANDBOX_ZENDESK_WEBHOOK_SECRET"};
    w->svc[HOOK_GITLAB] = (hook_service){.name = "GitLab",
                                         .url_setting = "HB_SANDBOX_GITLAB_WEBHOOK_URL",
                                         .secret_setting = "HB_SANDBOX_GITLAB_WEBHOOK_TOKEN"};
    hb_status st = HB_OK;
    for (int i = 0; i < HOOK_COUNT && st == HB_OK; i++)
        st = open_service(&w->svc[i], e);
    if (st == HB_OK)
        st = hb_setting_int("HB_SANDBOX_WEBHOOK_QUEUE", &w->max_queue, e);
    if (st == HB_OK)
        st = hb_setting_int("HB_SANDBOX_WEBHOOK_ATTEMPTS", &w->attempts, e);
    if (st == HB_OK)
        st = hb_setting_duration("HB_SANDBOX_WEBHOOK_TIMEOUT", &w->timeout_us, e);
    if (st == HB_OK)
        st = hb_setting_duration("HB_SANDBOX_WEBHOOK_RETRY_DELAY", &w->retry_delay_us, e);
    if (st != HB_OK || (!w->svc[HOOK_ZENDESK].url && !w->svc[HOOK_GITLAB].url)) {
        free_hooks(w);
        return st;
    }
    sb_hook_uuid(w->gitlab_hook_uuid);
    if (pthread_create(&w->thread, NULL, sender, w) != 0) {
        free_hooks(w);
        return hb_err_set(e, HB_EINTERNAL, "the sandbox cannot start its webhook sender");
    }
    w->running = true;
    pthread_mutex_lock(&sb->mu);
    sb->hooks = w;
    pthread_mutex_unlock(&sb->mu);
    return HB_OK;
}

void sb_webhooks_close(hb_sandbox *sb)
{
    pthread_mutex_lock(&sb->mu);
    sb_webhooks *w = sb->hooks;
    sb->hooks = NULL;
    pthread_mutex_unlock(&sb->mu);
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->closing = true;
    w->drain_deadline_us = hb_clock_monotonic_us() + w->timeout_us;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    if (w->running)
        pthread_join(w->thread, NULL);
    for (delivery *d = w->head, *next; d; d = next) {
        next = d->next;
        free_delivery(d);
    }
    free_hooks(w);
}

/* ---- the request log ---- */

/* One outgoing entry: what was sent (the body, not the signed headers),
 * which attempt (0: none was made), and what came back or why not. */
static cJSON *outgoing_entry(const sb_webhooks *w, const delivery *d, int attempt, int status,
                             const char *error)
{
    cJSON *entry = cJSON_CreateObject();
    cJSON_AddStringToObject(entry, "direction", "outgoing");
    cJSON_AddStringToObject(entry, "service", d->svc == HOOK_ZENDESK ? "zendesk" : "gitlab");
    cJSON_AddStringToObject(entry, "method", "POST");
    cJSON_AddStringToObject(entry, "url", w->svc[d->svc].url);
    cJSON_AddStringToObject(entry, "event", d->kind);
    cJSON_AddStringToObject(entry, "id", d->id);
    cJSON_AddNumberToObject(entry, "attempt", attempt);
    cJSON_AddNumberToObject(entry, "status", status);
    if (error && *error)
        cJSON_AddStringToObject(entry, "error", error);
    cJSON *body = cJSON_Parse(d->body);
    cJSON_AddItemToObject(entry, "body", body ? body : cJSON_CreateString(d->body));
    return entry;
}

/* Logs an attempt from the sender thread, which holds no lock. */
static void log_attempt(sb_webhooks *w, const delivery *d, int attempt, const sb_hook_result *r,
                        const char *why)
{
    cJSON *entry = outgoing_entry(w, d, attempt, r ? r->status : 0, why ? why : r ? r->error : "");
    pthread_mutex_lock(&w->sb->mu);
    sb_log_outgoing(w->sb, entry);
    pthread_mutex_unlock(&w->sb->mu);
}

/* ---- delivering ---- */

static void add_header(char **lines, size_t *n, char *line)
{
    lines[(*n)++] = line;
}

/* The header lines of one attempt: Zendesk signs each attempt at the time
 * it is sent; the ids stay those of the event. */
static size_t build_headers(sb_webhooks *w, const delivery *d, char **lines)
{
    size_t n = 0;
    add_header(lines, &n, hb_xstrdup("Content-Type: application/json"));
    if (d->svc == HOOK_ZENDESK) {
        /* The wall clock, not the sandbox's (HB_NOW may freeze that one):
         * receivers hold the timestamp against their own clock. */
        char ts[32];
        hb_time_format_seconds(hb_clock_wall(), ts);
        char *sig = zendesk_signature(w->svc[d->svc].secret, ts, d->body);
        add_header(lines, &n, hb_xstrdup("User-Agent: Zendesk Webhook"));
        add_header(lines, &n, hb_xstrdup("X-Zendesk-Account-Id: " ZENDESK_ACCOUNT_ID));
        add_header(lines, &n, hb_xstrdup("X-Zendesk-Webhook-Id: " ZENDESK_WEBHOOK_ID));
        add_header(lines, &n, hb_xasprintf("X-Zendesk-Webhook-Invocation-Id: %s", d->id));
        add_header(lines, &n, hb_xasprintf("X-Zendesk-Webhook-Signature-Timestamp: %s", ts));
        add_header(lines, &n, hb_xasprintf("X-Zendesk-Webhook-Signature: %s", sig));
        free(sig);
    } else {
        add_header(lines, &n, hb_xstrdup("User-Agent: GitLab/17.0.0 (hb sandbox)"));
        add_header(lines, &n, hb_xasprintf("X-Gitlab-Event: %s", d->kind));
        add_header(lines, &n, hb_xasprintf("X-Gitlab-Token: %s", w->svc[d->svc].secret));
        add_header(lines, &n, hb_xasprintf("X-Gitlab-Instance: %s", w->sb->url));
        add_header(lines, &n, hb_xasprintf("X-Gitlab-Webhook-UUID: %s", w->gitlab_hook_uuid));
        add_header(lines, &n, hb_xasprintf("X-Gitlab-Event-UUID: %s", d->event_uuid));
        add_header(lines, &n, hb_xasprintf("Idempotency-Key: %s", d->id));
    }
    lines[n] = NULL;
    return n;
}

/* Worth another attempt: nothing came back, or the receiver said later. A
 * 4xx is its answer to these very bytes; they would get it again. */
static bool retryable(const sb_hook_result *r)
{
    return r->status == 0 || r->status == 429 || r->status >= 500;
}

/* Waits until the deadline or closing; caller holds w->mu. */
static void wait_until(sb_webhooks *w, int64_t deadline_us)
{
    while (!w->closing) {
        int64_t left = deadline_us - hb_clock_monotonic_us();
        if (left <= 0)
            return;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = (int64_t)ts.tv_nsec + (left % 1000000) * 1000;
        ts.tv_sec += (time_t)(left / 1000000 + ns / 1000000000);
        ts.tv_nsec = (long)(ns % 1000000000);
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    }
}

static void deliver(sb_webhooks *w, const delivery *d)
{
    int64_t delay = w->retry_delay_us;
    for (int attempt = 1; attempt <= w->attempts; attempt++) {
        pthread_mutex_lock(&w->mu);
        bool closing = w->closing;
        int64_t left = closing ? w->drain_deadline_us - hb_clock_monotonic_us() : w->timeout_us;
        pthread_mutex_unlock(&w->mu);
        if (closing && (attempt > 1 || left <= 0)) {
            if (attempt == 1)
                log_attempt(w, d, 0, NULL, "not sent: the sandbox stopped first");
            return;
        }
        int64_t timeout_ms = (left < w->timeout_us ? left : w->timeout_us) / 1000;
        char *lines[16];
        size_t n = build_headers(w, d, lines);
        sb_hook_result r;
        sb_hook_post(&w->svc[d->svc].target, (const char *const *)lines, d->body, strlen(d->body),
                     timeout_ms > 0 ? timeout_ms : 1, &w->stop, &r);
        for (size_t i = 0; i < n; i++)
            free(lines[i]);
        log_attempt(w, d, attempt, &r, NULL);
        bool again = retryable(&r);
        free(r.body);
        if (!again || attempt == w->attempts)
            return;
        pthread_mutex_lock(&w->mu);
        wait_until(w, hb_clock_monotonic_us() + delay);
        pthread_mutex_unlock(&w->mu);
        delay = delay > INT64_MAX / 2 ? delay : delay * 2;
    }
}

static void *sender(void *arg)
{
    sb_webhooks *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->head && !w->closing)
            pthread_cond_wait(&w->cv, &w->mu);
        delivery *d = w->head;
        if (!d)
            break;
        w->head = d->next;
        if (!w->head)
            w->tail = NULL;
        w->queued--;
        pthread_mutex_unlock(&w->mu);
        deliver(w, d);
        free_delivery(d);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* ---- events in ---- */

static const cJSON *path2(const cJSON *data, const char *a, const char *b)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(data, a), b);
}

cJSON *sb_webhooks_snapshot(hb_sandbox *sb, const cJSON *data)
{
    sb_webhooks *w = sb->hooks;
    if (!w)
        return NULL;
    cJSON *snap = cJSON_CreateObject();
    const cJSON *tickets = path2(data, "zendesk", "tickets");
    const cJSON *projects = path2(data, "gitlab", "projects");
    if (w->svc[HOOK_ZENDESK].url)
        cJSON_AddItemToObject(snap, "zendesk",
                              tickets ? cJSON_Duplicate(tickets, true) : cJSON_CreateArray());
    if (w->svc[HOOK_GITLAB].url)
        cJSON_AddItemToObject(snap, "gitlab",
                              projects ? cJSON_Duplicate(projects, true) : cJSON_CreateArray());
    return snap;
}

static void enqueue(sb_webhooks *w, const sb_hook_event *ev)
{
    delivery *d = hb_xcalloc(1, sizeof *d);
    d->svc = ev->service == SB_ZENDESK ? HOOK_ZENDESK : HOOK_GITLAB;
    d->kind = hb_xstrdup(ev->kind);
    char uuid[37];
    sb_hook_uuid(uuid);
    d->event_uuid = hb_xstrdup(uuid);
    if (d->svc == HOOK_ZENDESK) {
        d->id = make_invocation_id();
    } else {
        sb_hook_uuid(uuid);
        d->id = hb_xstrdup(uuid);
    }
    d->body = hb_json_print(ev->payload);
    pthread_mutex_lock(&w->mu);
    bool full = w->queued >= (size_t)w->max_queue;
    if (!full) {
        if (w->tail)
            w->tail->next = d;
        else
            w->head = d;
        w->tail = d;
        w->queued++;
        pthread_cond_signal(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    if (!full)
        return;
    /* The caller holds sb->mu: log without log_attempt, which takes it. */
    char *why = hb_xasprintf("not sent: %lld deliveries are already waiting "
                             "(HB_SANDBOX_WEBHOOK_QUEUE)",
                             (long long)w->max_queue);
    sb_log_outgoing(w->sb, outgoing_entry(w, d, 0, 0, why));
    free(why);
    free_delivery(d);
}

void sb_webhooks_emit(hb_sandbox *sb, const cJSON *data, cJSON *before, bool api)
{
    sb_webhooks *w = sb->hooks;
    if (!w || !before) {
        cJSON_Delete(before);
        return;
    }
    sb_hook_origin o = {.api = api, .base_url = sb->url, .web_url = sb->web_url};
    sb_hook_events ev = {0};
    const cJSON *zd = cJSON_GetObjectItemCaseSensitive(before, "zendesk");
    const cJSON *gl = cJSON_GetObjectItemCaseSensitive(before, "gitlab");
    if (zd)
        sb_zd_hook_events(data, zd, &o, &ev);
    if (gl)
        sb_gl_hook_events(data, gl, &o, &ev);
    for (size_t i = 0; i < ev.n; i++)
        enqueue(w, &ev.items[i]);
    sb_hook_events_free(&ev);
    cJSON_Delete(before);
}

void sb_hook_events_add(sb_hook_events *ev, sb_service service, const char *kind, cJSON *payload)
{
    ev->items = hb_xrealloc(ev->items, (ev->n + 1) * sizeof *ev->items);
    ev->items[ev->n++] =
        (sb_hook_event){.service = service, .kind = hb_xstrdup(kind), .payload = payload};
}

void sb_hook_events_free(sb_hook_events *ev)
{
    for (size_t i = 0; i < ev->n; i++) {
        free(ev->items[i].kind);
        cJSON_Delete(ev->items[i].payload);
    }
    free(ev->items);
    memset(ev, 0, sizeof *ev);
}
