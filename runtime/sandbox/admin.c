/* The sandbox's own endpoints (/__sandbox/...) and their in-process twins
 * for `hb test`: the whole state, the request log, reset, patch, token
 * revocation and fault rules. They need no credentials: the server only
 * listens on loopback. */
#include <stdlib.h>
#include <string.h>

#include "hb/json_print.h"
#include "webhooks_internal.h"

static void reply_ok(sb_ctx *cx)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddTrueToObject(body, "ok");
    sb_reply_json(cx, 200, body);
}

static void reply_bad(sb_ctx *cx, const char *msg)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "error", msg);
    sb_reply_json(cx, 400, body);
}

void sb_h_admin_state(sb_ctx *cx)
{
    sb_reply_json(cx, 200, cJSON_Duplicate(cx->data, true));
}

/* ?since=SEQ returns only the entries after SEQ. */
static cJSON *requests_since(hb_sandbox *sb, int64_t since)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *it;
    cJSON_ArrayForEach(it, sb->requests)
    {
        int64_t seq;
        if (sb_get_int(it, "seq", &seq) && seq > since)
            cJSON_AddItemToArray(out, cJSON_Duplicate(it, true));
    }
    return out;
}

void sb_h_admin_requests(sb_ctx *cx)
{
    int64_t since = 0;
    const char *s = sb_query(cx, "since");
    if (s && !sb_parse_int(s, &since)) {
        reply_bad(cx, "since must be a request sequence number");
        return;
    }
    sb_reply_json(cx, 200, requests_since(cx->sb, since));
}

void sb_h_admin_reset(sb_ctx *cx)
{
    hb_err e = {0};
    if (sb_state_reset_data(cx->sb, &e) != HB_OK) {
        sb_service_error(cx, 500, e.msg);
        return;
    }
    cx->data = sb_state_data(cx->sb);
    cx->changed = true;
    reply_ok(cx);
}

void sb_h_admin_patch(sb_ctx *cx)
{
    cJSON *patch = sb_body_json(cx);
    if (!cJSON_IsObject(patch)) {
        reply_bad(cx, "the patch must be a JSON object (see workflows/sandbox/README.md)");
        return;
    }
    hb_err e = {0};
    if (sb_patch_apply(cx, cx->data, patch, &e) != HB_OK) {
        reply_bad(cx, e.msg);
        return;
    }
    cx->changed = true;
    reply_ok(cx);
}

void sb_h_admin_revoke(sb_ctx *cx)
{
    sb_revoke_tokens(cx->sb);
    cx->changed = true;
    reply_ok(cx);
}

void sb_h_admin_faults_get(sb_ctx *cx)
{
    sb_reply_json(cx, 200, sb_faults_describe(cx->sb->faults));
}

/* The body is the spec itself, or {"faults":"SPEC"}. The dispatcher holds
 * sb->mu, which also guards the rules. */
void sb_h_admin_faults_set(sb_ctx *cx)
{
    cJSON *json = sb_body_json(cx);
    char *spec;
    if (cJSON_IsObject(json)) {
        const char *s = sb_get_str(json, "faults");
        spec = hb_xstrdup(s ? s : "");
    } else {
        spec = hb_xstrndup(cx->req->body.data ? cx->req->body.data : "", cx->req->body.len);
    }
    sb_faults *faults;
    hb_err e = {0};
    if (sb_faults_parse(spec, &faults, &e) != HB_OK) {
        free(spec);
        reply_bad(cx, e.msg);
        return;
    }
    free(spec);
    sb_faults_free(cx->sb->faults);
    cx->sb->faults = faults;
    sb_reply_json(cx, 200, sb_faults_describe(faults));
}

/* ---- in-process equivalents ---- */

char *hb_sandbox_state_json(hb_sandbox *sb)
{
    hb_err e = {0};
    if (sb_state_begin(sb, &e) != HB_OK)
        return NULL;
    char *text = hb_json_print(sb_state_data(sb));
    sb_state_end(sb, false, &e);
    return text;
}

char *hb_sandbox_requests_json(hb_sandbox *sb)
{
    pthread_mutex_lock(&sb->mu);
    char *text = hb_json_print(sb->requests);
    pthread_mutex_unlock(&sb->mu);
    return text;
}

hb_status hb_sandbox_patch(hb_sandbox *sb, const char *patch_json, hb_err *e)
{
    cJSON *patch = cJSON_Parse(patch_json ? patch_json : "");
    if (!cJSON_IsObject(patch)) {
        cJSON_Delete(patch);
        return hb_err_set(e, HB_EUSAGE, "the sandbox patch must be a JSON object");
    }
    if (sb_state_begin(sb, e) != HB_OK) {
        cJSON_Delete(patch);
        return HB_EINTERNAL;
    }
    sb_ctx cx = {0};
    cx.sb = sb;
    cx.data = sb_state_data(sb);
    cJSON *before = sb_webhooks_snapshot(sb, cx.data);
    hb_status st = sb_patch_apply(&cx, cx.data, patch, e);
    sb_webhooks_emit(sb, cx.data, st == HB_OK ? before : (cJSON_Delete(before), NULL), false);
    hb_err save_err;
    hb_status saved = sb_state_end(sb, st == HB_OK, &save_err);
    cJSON_Delete(patch);
    if (st == HB_OK && saved != HB_OK)
        return hb_err_set(e, saved, "%s", save_err.msg);
    return st;
}

hb_status hb_sandbox_reset(hb_sandbox *sb, hb_err *e)
{
    if (sb_state_begin(sb, e) != HB_OK)
        return HB_EINTERNAL;
    hb_status st = sb_state_reset_data(sb, e);
    hb_err save_err;
    hb_status saved = sb_state_end(sb, st == HB_OK, &save_err);
    if (st == HB_OK && saved != HB_OK)
        return hb_err_set(e, saved, "%s", save_err.msg);
    return st;
}

hb_status hb_sandbox_set_faults(hb_sandbox *sb, const char *spec, hb_err *e)
{
    sb_faults *faults;
    if (sb_faults_parse(spec, &faults, e) != HB_OK)
        return HB_EUSAGE;
    pthread_mutex_lock(&sb->mu);
    sb_faults_free(sb->faults);
    sb->faults = faults;
    pthread_mutex_unlock(&sb->mu);
    return HB_OK;
}

void sb_h_admin_tokens(sb_ctx *cx)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "issued", cJSON_Duplicate(cx->sb->issued, true));
    sb_reply_json(cx, 200, body);
}
