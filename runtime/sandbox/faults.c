/* Fault injection for reliability tests. A spec is a list of rules:
 *
 *   spec   = rule *(";" rule)
 *   rule   = effect ["@" target] *("," option)
 *   effect = 403 | 429 | 500 | drop | drop-after-write | 500-after-write
 *          | latency=MS
 *   target = all | zendesk | gitlab | zuora | salesforce | [METHOD " "]PATH
 *   option = next=N | after=N | share=PERCENT | seed=N | retry-after=S
 *
 * PATH is a route pattern ("/api/v2/tickets/{id}") or a concrete path.
 * Everything is deterministic: counts, or a per-rule seeded generator, so
 * a test that injects faults never flakes. /__sandbox is never faulted. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sandbox_internal.h"

typedef enum target_kind { TARGET_ALL, TARGET_SERVICE, TARGET_PATH } target_kind;

typedef struct fault_rule {
    char *text;
    sb_fault_kind kind; /* SB_FAULT_NONE for a latency rule */
    int64_t latency_ms;
    target_kind target;
    sb_service service;
    char *method;      /* NULL = any */
    char *pattern;     /* for TARGET_PATH */
    int64_t remaining; /* -1 = unlimited */
    int64_t skip;      /* matching requests to let through first */
    int share;         /* percent */
    uint64_t rng;
    int retry_after_s;
    int64_t fired;
} fault_rule;

struct sb_faults {
    fault_rule *rules;
    size_t count;
};

const char *sb_fault_kind_name(sb_fault_kind k)
{
    switch (k) {
    case SB_FAULT_403:
        return "403";
    case SB_FAULT_429:
        return "429";
    case SB_FAULT_500:
        return "500";
    case SB_FAULT_DROP:
        return "drop";
    case SB_FAULT_DROP_AFTER_WRITE:
        return "drop-after-write";
    case SB_FAULT_500_AFTER_WRITE:
        return "500-after-write";
    default:
        return "latency";
    }
}

void sb_faults_free(sb_faults *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->count; i++) {
        free(f->rules[i].text);
        free(f->rules[i].method);
        free(f->rules[i].pattern);
    }
    free(f->rules);
    free(f);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static bool parse_count(const char *s, int64_t max, int64_t *out)
{
    return sb_parse_int(s, out) && *out >= 0 && *out <= max;
}

/* "fault 'TEXT': unknown WHAT 'GOT' (expected ...)": every part of a spec
 * is refused in the same words. */
static hb_status refuse(const fault_rule *r, const char *what, const char *got,
                        const char *expected, hb_err *e)
{
    return hb_err_set(e, HB_EUSAGE, "fault '%s': unknown %s '%s' (expected %s)", r->text, what, got,
                      expected);
}

/* The effects a rule can have; the names are also what sb_fault_kind_name
 * gives back, so a spec and the sandbox's fault log use the same words. */
static const sb_fault_kind fault_kinds[] = {
    SB_FAULT_403,
    SB_FAULT_429,
    SB_FAULT_500,
    SB_FAULT_DROP,
    SB_FAULT_DROP_AFTER_WRITE,
    SB_FAULT_500_AFTER_WRITE,
};

static hb_status parse_effect(fault_rule *r, const char *effect, hb_err *e)
{
    for (size_t i = 0; i < sizeof fault_kinds / sizeof fault_kinds[0]; i++)
        if (!strcmp(effect, sb_fault_kind_name(fault_kinds[i]))) {
            r->kind = fault_kinds[i];
            return HB_OK;
        }
    int64_t ms;
    if (!strncmp(effect, "latency=", 8) && parse_count(effect + 8, 600000, &ms)) {
        r->latency_ms = ms;
        return HB_OK;
    }
    return refuse(r, "effect", effect,
                  "403, 429, 500, drop, drop-after-write, 500-after-write or latency=MS", e);
}

static hb_status parse_target(fault_rule *r, char *target, hb_err *e)
{
    if (!strcasecmp(target, "all")) {
        r->target = TARGET_ALL;
        return HB_OK;
    }
    if (sb_service_parse(target, &r->service) && r->service != SB_ADMIN) {
        r->target = TARGET_SERVICE;
        return HB_OK;
    }
    char *path = target;
    char *space = strchr(target, ' ');
    if (space) {
        *space = '\0';
        r->method = hb_xstrdup(target);
        for (char *m = r->method; *m; m++)
            *m = (char)toupper((unsigned char)*m);
        path = trim(space + 1);
    }
    if (*path != '/')
        return refuse(r, "target", target, "all, a service name, or [METHOD ]/path", e);
    r->target = TARGET_PATH;
    r->pattern = hb_xstrdup(path);
    if (sb_service_for_path(path) == SB_ZENDESK && hb_str_ends_with(r->pattern, ".json"))
        r->pattern[strlen(r->pattern) - 5] = '\0';
    return HB_OK;
}

/* Each option is "name=N" with N in [0, max], stored by its setter. */
typedef struct fault_option {
    const char *prefix;
    int64_t max;
    void (*set)(fault_rule *r, int64_t v);
} fault_option;

static void set_next(fault_rule *r, int64_t v)
{
    r->remaining = v;
}
static void set_after(fault_rule *r, int64_t v)
{
    r->skip = v;
}
static void set_share(fault_rule *r, int64_t v)
{
    r->share = (int)v;
}
static void set_seed(fault_rule *r, int64_t v)
{
    r->rng = (uint64_t)v;
}
static void set_retry_after(fault_rule *r, int64_t v)
{
    r->retry_after_s = (int)v;
}

static const fault_option fault_options[] = {
    {"next=", 1000000000, set_next},
    {"after=", 1000000000, set_after},
    {"share=", 100, set_share},
    {"seed=", INT64_MAX, set_seed},
    {"retry-after=", 86400, set_retry_after},
};

static hb_status parse_option(fault_rule *r, const char *opt, hb_err *e)
{
    for (size_t i = 0; i < sizeof fault_options / sizeof fault_options[0]; i++) {
        const fault_option *o = &fault_options[i];
        size_t n = strlen(o->prefix);
        int64_t v;
        if (!strncmp(opt, o->prefix, n) && parse_count(opt + n, o->max, &v)) {
            o->set(r, v);
            return HB_OK;
        }
    }
    return refuse(r, "option", opt, "next=N, after=N, share=PERCENT, seed=N or retry-after=SECONDS",
                  e);
}

static hb_status parse_rule(fault_rule *r, char *text, hb_err *e)
{
    r->text = hb_xstrdup(text);
    r->remaining = -1;
    r->share = 100;
    r->rng = 1;
    r->retry_after_s = 1;
    char *opts = strchr(text, ',');
    if (opts)
        *opts++ = '\0';
    char *at = strchr(text, '@');
    if (at)
        *at = '\0';
    if (parse_effect(r, trim(text), e) != HB_OK)
        return HB_EUSAGE;
    if (at && parse_target(r, trim(at + 1), e) != HB_OK)
        return HB_EUSAGE;
    while (opts) {
        char *next = strchr(opts, ',');
        if (next)
            *next++ = '\0';
        if (parse_option(r, trim(opts), e) != HB_OK)
            return HB_EUSAGE;
        opts = next;
    }
    return HB_OK;
}

hb_status sb_faults_parse(const char *spec, sb_faults **out, hb_err *e)
{
    sb_faults *f = hb_xcalloc(1, sizeof *f);
    char *copy = hb_xstrdup(spec ? spec : "");
    char *p = copy;
    hb_status st = HB_OK;
    while (p && st == HB_OK) {
        char *semi = strchr(p, ';');
        if (semi)
            *semi = '\0';
        char *text = trim(p);
        if (*text) {
            f->rules = hb_xrealloc(f->rules, (f->count + 1) * sizeof *f->rules);
            memset(&f->rules[f->count], 0, sizeof *f->rules);
            st = parse_rule(&f->rules[f->count++], text, e);
        }
        p = semi ? semi + 1 : NULL;
    }
    free(copy);
    if (st != HB_OK) {
        sb_faults_free(f);
        return HB_EUSAGE;
    }
    *out = f;
    return HB_OK;
}

static bool rule_matches(const fault_rule *r, const sb_request *req, const sb_route *route,
                         sb_service service)
{
    if (service == SB_ADMIN)
        return false;
    switch (r->target) {
    case TARGET_ALL:
        return true;
    case TARGET_SERVICE:
        return r->service == service;
    default:
        if (r->method && strcmp(r->method, req->method) != 0)
            return false;
        if (route && !strcmp(route->pattern, r->pattern))
            return true;
        return sb_pattern_matches(r->pattern, req->segs, req->nsegs, NULL, NULL);
    }
}

/* splitmix64: small, seedable and the same on every platform. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Whether this matching request is one the rule hits; consumes its turn. */
static bool rule_fires(fault_rule *r)
{
    if (r->remaining == 0)
        return false;
    if (r->skip > 0) {
        r->skip--;
        return false;
    }
    if (r->share < 100 && (int)(next_random(&r->rng) % 100) >= r->share)
        return false;
    if (r->remaining > 0)
        r->remaining--;
    r->fired++;
    return true;
}

void sb_faults_decide(sb_faults *f, const sb_request *req, const sb_route *route,
                      sb_service service, sb_fault_decision *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; f && i < f->count; i++) {
        fault_rule *r = &f->rules[i];
        bool is_latency = r->kind == SB_FAULT_NONE;
        if (!is_latency && out->kind != SB_FAULT_NONE)
            continue;
        if (!rule_matches(r, req, route, service) || !rule_fires(r))
            continue;
        if (is_latency) {
            out->latency_ms += r->latency_ms;
        } else {
            out->kind = r->kind;
            out->retry_after_s = r->retry_after_s;
        }
    }
}

cJSON *sb_faults_describe(const sb_faults *f)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; f && i < f->count; i++) {
        const fault_rule *r = &f->rules[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "rule", r->text);
        cJSON_AddStringToObject(o, "effect", sb_fault_kind_name(r->kind));
        if (r->remaining >= 0)
            cJSON_AddNumberToObject(o, "remaining", (double)r->remaining);
        else
            cJSON_AddNullToObject(o, "remaining");
        cJSON_AddNumberToObject(o, "fired", (double)r->fired);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}
