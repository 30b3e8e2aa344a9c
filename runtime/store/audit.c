/* The hash-chained audit trail: appending, hashing, verifying. README
 * fixes the event form and the hash; a change here breaks every existing
 * chain. */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hb/audit.h"
#include "hb/canonical_json.h"
#include "hb/secrets.h"
#include "hb/sha256.h"
#include "hb/util.h"

static const char zero_hash[65] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* sha256(prev || canonical JSON of {seq, run, ts, type, step, actor, data}).
 * The object is written by hand in sorted key order (actor, data, run, seq,
 * step, ts, type) so appending needs no second tree; canonical_data must
 * already be canonical. */
static hb_status hash_fields(const hb_audit_event *ev, const char *canonical_data, char out[65],
                             hb_err *e)
{
    hb_buf text;
    hb_buf_init(&text);
    hb_buf_puts(&text, "{\"actor\":");
    hb_status st = hb_canonical_json_append_string(&text, ev->actor ? ev->actor : "", e);
    if (st == HB_OK) {
        hb_buf_printf(&text, ",\"data\":%s,\"run\":", canonical_data);
        st = hb_canonical_json_append_string(&text, ev->run, e);
    }
    if (st == HB_OK) {
        hb_buf_printf(&text, ",\"seq\":%" PRId64 ",\"step\":", ev->seq);
        if (ev->step)
            st = hb_canonical_json_append_string(&text, ev->step, e);
        else
            hb_buf_puts(&text, "null");
    }
    if (st == HB_OK) {
        hb_buf_puts(&text, ",\"ts\":");
        st = hb_canonical_json_append_string(&text, ev->ts, e);
    }
    if (st == HB_OK) {
        hb_buf_puts(&text, ",\"type\":");
        st = hb_canonical_json_append_string(&text, ev->type, e);
    }
    if (st == HB_OK) {
        hb_buf_putc(&text, '}');
        hb_sha256 h;
        hb_sha256_init(&h);
        hb_sha256_update(&h, ev->prev, strlen(ev->prev));
        hb_sha256_update(&h, text.data, text.len);
        hb_sha256_final_hex(&h, out);
    }
    hb_buf_free(&text);
    return st;
}

/* Parses stored data back into its canonical text; NULL when it no longer
 * parses as a JSON object. */
static char *recanonicalize(const char *data, cJSON **parsed, hb_err *e)
{
    cJSON *v = data ? cJSON_Parse(data) : NULL;
    if (!cJSON_IsObject(v)) {
        cJSON_Delete(v);
        hb_err_set(e, HB_EUSAGE, "the event's data is not a JSON object");
        return NULL;
    }
    char *canonical = hb_canonical_json(v, e);
    if (parsed && canonical)
        *parsed = v;
    else
        cJSON_Delete(v);
    return canonical;
}

hb_status hb_audit_hash(const hb_audit_event *ev, char out[65], hb_err *e)
{
    char *canonical = recanonicalize(ev->data, NULL, e);
    if (!canonical)
        return e ? e->code : HB_EUSAGE;
    hb_status st = hash_fields(ev, canonical, out, e);
    free(canonical);
    return st;
}

static hb_status check_append_args(hb_store *s, const char *run, const char *type,
                                   const cJSON *data, hb_err *e)
{
    if (!hb_store_in_transaction(s))
        return hb_err_set(e, HB_EINTERNAL,
                          "an audit event was appended outside a transaction (a bug in hb)");
    if (!run || !run[0] || strlen(run) > HB_RUN_ID_LEN)
        return hb_err_set(e, HB_EINTERNAL, "an audit event needs a run id (a bug in hb)");
    if (!type || !type[0] || strlen(type) >= sizeof(((hb_audit_event *)0)->type))
        return hb_err_set(e, HB_EINTERNAL, "audit event type '%s' is empty or too long",
                          type ? type : "");
    if (data && !cJSON_IsObject(data))
        return hb_err_set(e, HB_EINTERNAL, "the data of audit event %s must be a JSON object",
                          type);
    return HB_OK;
}

hb_status hb_audit_append(hb_store *s, const char *run, const char *type, const char *step,
                          const char *actor, const cJSON *data, hb_audit_event *out, hb_err *e)
{
    hb_status st = check_append_args(s, run, type, data, e);
    if (st != HB_OK)
        return st;
    hb_audit_event ev;
    memset(&ev, 0, sizeof ev);
    if (data) {
        ev.data = hb_canonical_json(data, e);
        if (!ev.data)
            return hb_err_wrap(e, "audit event %s", type);
        if (hb_secret_found(ev.data, strlen(ev.data))) {
            /* Whatever field it sits in, no known secret enters the chain:
             * scrubbed in the tree, so the JSON stays whole, before the
             * event is hashed. */
            cJSON *clean = cJSON_Duplicate(data, true);
            hb_secret_scrub_json(clean);
            free(ev.data);
            ev.data = hb_canonical_json(clean, e);
            cJSON_Delete(clean);
            if (!ev.data)
                return hb_err_wrap(e, "audit event %s", type);
        }
    } else {
        ev.data = hb_xstrdup("{}");
    }
    /* The caller's transaction holds the write lock, so this head is the one
     * the new event chains to. */
    st = s->ops->audit_last(s, &ev.seq, ev.prev, e);
    if (st == HB_OK) {
        ev.seq++;
        snprintf(ev.run, sizeof ev.run, "%s", run);
        snprintf(ev.type, sizeof ev.type, "%s", type);
        hb_time_format(hb_clock_time(s->clock), ev.ts);
        ev.step = step ? hb_xstrdup(step) : NULL;
        ev.actor = hb_xstrdup(actor ? actor : "");
        st = hash_fields(&ev, ev.data, ev.hash, e);
    }
    if (st == HB_OK)
        st = s->ops->audit_insert(s, &ev, e);
    if (st == HB_OK && out) {
        const cJSON *object = cJSON_GetObjectItemCaseSensitive(data, "object");
        if (cJSON_IsString(object))
            ev.object = hb_xstrdup(object->valuestring);
        *out = ev;
        return HB_OK;
    }
    hb_audit_event_free(&ev);
    return st;
}

hb_status hb_audit_append_tx(hb_store *s, const char *run, const char *type, const char *step,
                             const char *actor, const cJSON *data, hb_err *e)
{
    hb_status st = hb_store_begin(s, e);
    if (st != HB_OK)
        return st;
    st = hb_audit_append(s, run, type, step, actor, data, NULL, e);
    if (st != HB_OK) {
        hb_store_rollback(s);
        return st;
    }
    return hb_store_commit(s, e);
}

hb_status hb_audit_put_body(hb_store *s, const char *content, size_t len, char digest[65],
                            hb_err *e)
{
    size_t n = len;
    char *clean = hb_secret_scrub(content, len, &n); /* NULL: nothing known in it */
    if (clean) {
        content = clean;
        len = n;
    }
    hb_sha256_hex(content, len, digest);
    hb_status st = s->ops->body_put(s, digest, content, len, e);
    free(clean);
    return st;
}

hb_status hb_audit_head(hb_store *s, char out[96], hb_err *e)
{
    int64_t seq;
    char hash[65];
    hb_status st = s->ops->audit_last(s, &seq, hash, e);
    if (st == HB_OK)
        snprintf(out, 96, "%" PRId64 ":%s", seq, hash);
    return st;
}

typedef struct verify_state {
    int64_t expected_seq;
    char prev_hash[65];
    bool has_head;
    int64_t head_seq;
    char head_hash[65];
    bool head_matched;
    hb_status status;
    hb_err *e;
} verify_state;

static hb_status parse_head(const char *head, verify_state *v, hb_err *e)
{
    const char *colon = strchr(head, ':');
    char *end = NULL;
    long long seq = colon ? strtoll(head, &end, 10) : -1;
    bool ok = colon && end == colon && head[0] >= '0' && head[0] <= '9' && seq >= 0 &&
              strlen(colon + 1) == 64;
    for (const char *p = colon ? colon + 1 : ""; ok && *p; p++)
        ok = isxdigit((unsigned char)*p) != 0;
    if (!ok)
        return hb_err_set(e, HB_EUSAGE,
                          "'%s' is not an audit head; expected SEQ:HASH as printed by "
                          "`hb audit head` (e.g. 42:%.8s…)",
                          head, zero_hash);
    v->has_head = true;
    v->head_seq = seq;
    for (int i = 0; i < 64; i++)
        v->head_hash[i] = (char)tolower((unsigned char)colon[1 + i]);
    v->head_hash[64] = '\0';
    return HB_OK;
}

static int verify_failed(verify_state *v, hb_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int verify_failed(verify_state *v, hb_status code, const char *fmt, ...)
{
    if (v->e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(v->e->msg, sizeof v->e->msg, fmt, ap);
        va_end(ap);
        v->e->code = code;
    }
    v->status = code;
    return 1; /* stop the walk: the first bad event is the one to report */
}

/* Compares the object column with what data says: the column is outside
 * the hash, so an edit there could hide an event from `audit show
 * --object` without breaking the chain. */
static bool object_index_matches(const hb_audit_event *ev, const cJSON *data)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(data, "object");
    const char *derived = cJSON_IsString(o) ? o->valuestring : NULL;
    if (!derived || !ev->object)
        return !derived && !ev->object;
    return strcmp(derived, ev->object) == 0;
}

static int verify_one(const hb_audit_event *ev, void *ud)
{
    verify_state *v = ud;
    int64_t n = v->expected_seq;
    if (ev->seq != n) {
        if (n == 1)
            return verify_failed(
                v, HB_EFAILED, "event 1 is missing (the chain starts at seq %" PRId64 ")", ev->seq);
        return verify_failed(v, HB_EFAILED,
                             "event %" PRId64 " is missing (seq jumps from %" PRId64 " to %" PRId64
                             ")",
                             n, n - 1, ev->seq);
    }
    if (strcmp(ev->prev, v->prev_hash) != 0) {
        if (n == 1)
            return verify_failed(v, HB_EFAILED,
                                 "event 1 does not start the chain (its prev is not 64 zeros; "
                                 "rewritten)");
        return verify_failed(v, HB_EFAILED,
                             "event %" PRId64 " does not chain to event %" PRId64
                             " (reordered or rewritten)",
                             n, n - 1);
    }
    cJSON *data = NULL;
    char *canonical = recanonicalize(ev->data, &data, NULL);
    if (!canonical)
        return verify_failed(
            v, HB_EFAILED,
            "event %" PRId64 " was edited (its data is no longer a canonical JSON object)", n);
    char hash[65];
    hb_status st = hash_fields(ev, canonical, hash, NULL);
    bool object_ok = object_index_matches(ev, data);
    free(canonical);
    cJSON_Delete(data);
    if (st != HB_OK || strcmp(hash, ev->hash) != 0)
        return verify_failed(v, HB_EFAILED, "event %" PRId64 " was edited (hash mismatch)", n);
    if (!object_ok)
        return verify_failed(v, HB_EFAILED,
                             "event %" PRId64 " was edited (its object column no longer matches "
                             "its data)",
                             n);
    if (v->has_head && ev->seq == v->head_seq)
        v->head_matched = strcmp(ev->hash, v->head_hash) == 0;
    memcpy(v->prev_hash, ev->hash, sizeof v->prev_hash);
    v->expected_seq++;
    return 0;
}

hb_status hb_audit_verify(hb_store *s, const char *head, int64_t *events_checked, hb_err *e)
{
    return hb_audit_verify_and_head(s, head, events_checked, NULL, e);
}

hb_status hb_audit_verify_and_head(hb_store *s, const char *head, int64_t *events_checked,
                                   char verified_head[96], hb_err *e)
{
    verify_state v = {.expected_seq = 1, .status = HB_OK, .e = e};
    memcpy(v.prev_hash, zero_hash, sizeof v.prev_hash);
    if (events_checked)
        *events_checked = 0;
    if (head) {
        hb_status st = parse_head(head, &v, e);
        if (st != HB_OK)
            return st;
        /* The empty chain's head matches any chain. */
        v.head_matched = v.head_seq == 0 && !strcmp(v.head_hash, zero_hash);
    }
    hb_status st = s->ops->audit_iter(s, NULL, verify_one, &v, e);
    if (st != HB_OK)
        return st;
    if (events_checked)
        *events_checked = v.expected_seq - 1;
    if (v.status != HB_OK)
        return v.status;
    if (v.has_head && !v.head_matched)
        return hb_err_set(e, HB_EFAILED,
                          "the chain no longer matches the recorded head %" PRId64
                          ":%s (truncated or rewritten)",
                          v.head_seq, v.head_hash);
    if (verified_head)
        snprintf(verified_head, 96, "%" PRId64 ":%s", v.expected_seq - 1, v.prev_hash);
    return HB_OK;
}
