/* The Slack Web API's common ground: arguments from the query string, a
 * form or a JSON body; replies with "ok" and Slack's charset warnings;
 * users, channels and messages in the state; message timestamps, paging
 * cursors, and objects rendered with the fields Slack adds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "slack_internal.h"

/* ---- arguments ---- */

static bool content_type_is(const sb_ctx *cx, const char *type)
{
    const char *ct = sb_header(cx, "Content-Type");
    return ct && !strncasecmp(ct, type, strlen(type));
}

/* JSON values other than strings, objects and arrays become the text a
 * form would have sent, so handlers read one kind of argument. */
static cJSON *as_argument(const cJSON *v)
{
    if (cJSON_IsTrue(v))
        return cJSON_CreateString("true");
    if (cJSON_IsFalse(v))
        return cJSON_CreateString("false");
    if (cJSON_IsNumber(v)) {
        char text[64];
        if (v->valuedouble == (double)(int64_t)v->valuedouble)
            snprintf(text, sizeof text, "%lld", (long long)v->valuedouble);
        else
            snprintf(text, sizeof text, "%.6f", v->valuedouble);
        return cJSON_CreateString(text);
    }
    return cJSON_Duplicate(v, true);
}

bool sb_slack_read_args(sb_ctx *cx, bool json_ok)
{
    cJSON *args = cJSON_CreateObject();
    cJSON_Delete(cx->params_obj);
    cx->params_obj = args;
    for (size_t i = 0; i < cx->req->nquery; i++)
        sb_set(args, cx->req->query[i].name, cJSON_CreateString(cx->req->query[i].value));
    sb_form(cx, "");
    for (size_t i = 0; i < cx->nform; i++)
        sb_set(args, cx->form[i].name, cJSON_CreateString(cx->form[i].value));
    if (!json_ok || !content_type_is(cx, "application/json") || cx->req->body.len == 0)
        return true;
    cJSON *body = sb_body_json(cx);
    if (!body) {
        sb_slack_fail(cx, "invalid_json");
        return false;
    }
    if (!cJSON_IsObject(body)) {
        sb_slack_fail(cx, "json_not_object");
        return false;
    }
    for (const cJSON *it = body->child; it; it = it->next) {
        /* Slack reads the token of a JSON call from its header only. */
        if (strcmp(it->string, "token") != 0 && !cJSON_IsNull(it))
            sb_set(args, it->string, as_argument(it));
    }
    return true;
}

const char *sb_slack_arg(sb_ctx *cx, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cx->params_obj, name);
    return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

const cJSON *sb_slack_json_arg(sb_ctx *cx, const char *name, bool *bad)
{
    *bad = false;
    cJSON *v = cJSON_GetObjectItemCaseSensitive(cx->params_obj, name);
    if (!v || cJSON_IsNull(v) || (cJSON_IsString(v) && !*v->valuestring))
        return NULL;
    if (!cJSON_IsString(v))
        return v;
    cJSON *parsed = cJSON_Parse(v->valuestring);
    if (!parsed) {
        *bad = true;
        return NULL;
    }
    sb_set(cx->params_obj, name, parsed);
    return parsed;
}

bool sb_slack_flag(sb_ctx *cx, const char *name)
{
    const char *v = sb_slack_arg(cx, name);
    return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

/* ---- replies ---- */

/* Slack warns, without failing, about a JSON body without a charset and
 * a form body with one. */
static const char *charset_warning(const sb_ctx *cx)
{
    const char *ct = sb_header(cx, "Content-Type");
    if (!ct || cx->req->body.len == 0)
        return NULL;
    bool charset = sb_contains_ci(ct, "charset=");
    if (!strncasecmp(ct, "application/json", 16) && !charset)
        return "missing_charset";
    if (!strncasecmp(ct, "application/x-www-form-urlencoded", 33) && charset)
        return "superfluous_charset";
    return NULL;
}

void sb_slack_reply(sb_ctx *cx, cJSON *body)
{
    cJSON *out = cJSON_CreateObject();
    cJSON_AddTrueToObject(out, "ok");
    while (body->child) {
        cJSON *it = cJSON_DetachItemViaPointer(body, body->child);
        cJSON_AddItemToObject(out, it->string, it);
    }
    cJSON_Delete(body);
    const char *warning = charset_warning(cx);
    if (warning) {
        cJSON_AddStringToObject(out, "warning", warning);
        cJSON *meta = cJSON_GetObjectItemCaseSensitive(out, "response_metadata");
        if (!cJSON_IsObject(meta))
            meta = cJSON_AddObjectToObject(out, "response_metadata");
        cJSON *warnings = cJSON_AddArrayToObject(meta, "warnings");
        cJSON_AddItemToArray(warnings, cJSON_CreateString(warning));
    }
    sb_reply_json(cx, 200, out);
}

void sb_slack_fail(sb_ctx *cx, const char *code)
{
    sb_slack_error(cx, 200, code, NULL);
}

/* ---- lookups ---- */

cJSON *sb_slack_channels(cJSON *data)
{
    return sb_coll(data, "slack", "channels");
}

cJSON *sb_slack_users(cJSON *data)
{
    return sb_coll(data, "slack", "users");
}

cJSON *sb_slack_user(cJSON *data, const char *id)
{
    return id ? sb_find_str(sb_slack_users(data), "id", id) : NULL;
}

cJSON *sb_slack_user_by_email(cJSON *data, const char *email)
{
    cJSON *u;
    cJSON_ArrayForEach(u, sb_slack_users(data))
    {
        const char *e = sb_get_str(u, "email");
        if (email && e && !strcasecmp(e, email))
            return u;
    }
    return NULL;
}

cJSON *sb_slack_channel(cJSON *data, const char *id)
{
    return id ? sb_find_str(sb_slack_channels(data), "id", id) : NULL;
}

cJSON *sb_slack_messages(cJSON *channel)
{
    return sb_array_field(channel, "messages");
}

cJSON *sb_slack_message(cJSON *channel, const char *ts)
{
    return ts ? sb_find_str(sb_slack_messages(channel), "ts", ts) : NULL;
}

static const cJSON *bot(const cJSON *data)
{
    const char *id =
        sb_get_str(cJSON_GetObjectItemCaseSensitive(data, "sandbox"), "slack_bot_user");
    const cJSON *slack = cJSON_GetObjectItemCaseSensitive(data, "slack");
    return id ? sb_find_str(cJSON_GetObjectItemCaseSensitive(slack, "users"), "id", id) : NULL;
}

const char *sb_slack_bot_user(const cJSON *data)
{
    const char *id = sb_get_str(bot(data), "id");
    return id ? id : "U0SANDBOX0";
}

const char *sb_slack_bot_id(const cJSON *data)
{
    const char *id = sb_get_str(bot(data), "bot_id");
    return id ? id : "B0SANDBOX0";
}

static const char *bot_app_id(const cJSON *data)
{
    const char *id = sb_get_str(bot(data), "app_id");
    return id ? id : "A0SANDBOX0";
}

static const cJSON *team(const cJSON *data)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(data, "slack"),
                                            "team");
}

const char *sb_slack_team_id(const cJSON *data)
{
    const char *id = sb_get_str(team(data), "id");
    return id ? id : "T0SANDBOX0";
}

bool sb_slack_is_member(const cJSON *channel, const char *user)
{
    return user && sb_array_has_str(cJSON_GetObjectItemCaseSensitive(channel, "members"), user);
}

bool sb_slack_visible(const cJSON *data, const cJSON *channel)
{
    bool private = sb_truthy(cJSON_GetObjectItemCaseSensitive(channel, "is_private"), false) ||
                   sb_truthy(cJSON_GetObjectItemCaseSensitive(channel, "is_im"), false);
    return !private || sb_slack_is_member(channel, sb_slack_bot_user(data));
}

/* ---- timestamps ---- */

int64_t sb_slack_ts_us(const char *ts)
{
    if (!ts)
        return -1;
    const char *dot = strchr(ts, '.');
    if (!dot || dot == ts || strlen(dot + 1) != 6)
        return -1;
    int64_t secs = 0, micros = 0;
    for (const char *p = ts; p < dot; p++) {
        if (*p < '0' || *p > '9' || secs > 99999999999LL)
            return -1;
        secs = secs * 10 + (*p - '0');
    }
    for (const char *p = dot + 1; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        micros = micros * 10 + (*p - '0');
    }
    return secs * 1000000 + micros;
}

void sb_slack_new_ts(const cJSON *channel, char out[32])
{
    int64_t us = sb_now();
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(channel, "messages"))
    {
        int64_t t = sb_slack_ts_us(sb_get_str(m, "ts"));
        if (t >= us)
            us = t + 1;
    }
    snprintf(out, 32, "%lld.%06lld", (long long)(us / 1000000), (long long)(us % 1000000));
}

/* ---- cursors ---- */

char *sb_slack_cursor_make(const char *prefix, const char *value)
{
    char *plain = hb_xasprintf("%s:%s", prefix, value);
    char *out = hb_base64_encode(plain, strlen(plain));
    free(plain);
    return out;
}

char *sb_slack_cursor_value(const char *cursor, const char *prefix)
{
    size_t len = cursor ? strlen(cursor) : 0, n = 0, plen = strlen(prefix);
    char *decoded = len > 0 && len <= 1024 ? (char *)hb_base64_decode(cursor, len, &n) : NULL;
    char *value = NULL;
    /* a NUL inside, another prefix: not one of ours */
    if (decoded && strlen(decoded) == n && !strncmp(decoded, prefix, plen) && decoded[plen] == ':')
        value = hb_xstrdup(decoded + plen + 1);
    free(decoded);
    return value;
}

/* ---- rendering ---- */

static void add_str(cJSON *obj, const char *key, const char *value)
{
    cJSON_AddStringToObject(obj, key, value ? value : "");
}

static bool flag(const cJSON *obj, const char *key)
{
    return sb_truthy(cJSON_GetObjectItemCaseSensitive(obj, key), false);
}

cJSON *sb_slack_render_user(const cJSON *data, const cJSON *u)
{
    cJSON *out = cJSON_CreateObject();
    const char *real = sb_get_str(u, "real_name"), *display = sb_get_str(u, "display_name");
    add_str(out, "id", sb_get_str(u, "id"));
    add_str(out, "team_id", sb_slack_team_id(data));
    add_str(out, "name", sb_get_str(u, "name"));
    cJSON_AddBoolToObject(out, "deleted", flag(u, "deleted"));
    add_str(out, "color", "9f69e7");
    add_str(out, "real_name", real);
    add_str(out, "tz", sb_get_str(u, "tz") ? sb_get_str(u, "tz") : "Etc/UTC");
    add_str(out, "tz_label", "Coordinated Universal Time");
    cJSON_AddNumberToObject(out, "tz_offset", 0);
    cJSON *profile = cJSON_AddObjectToObject(out, "profile");
    add_str(profile, "title", sb_get_str(u, "title"));
    add_str(profile, "real_name", real);
    add_str(profile, "real_name_normalized", real);
    add_str(profile, "display_name", display);
    add_str(profile, "display_name_normalized", display);
    if (sb_get_str(u, "email"))
        add_str(profile, "email", sb_get_str(u, "email"));
    add_str(profile, "status_text", "");
    add_str(profile, "status_emoji", "");
    add_str(profile, "team", sb_slack_team_id(data));
    cJSON_AddBoolToObject(out, "is_admin", flag(u, "is_admin"));
    cJSON_AddBoolToObject(out, "is_owner", flag(u, "is_owner"));
    cJSON_AddBoolToObject(out, "is_primary_owner", flag(u, "is_primary_owner"));
    cJSON_AddBoolToObject(out, "is_restricted", false);
    cJSON_AddBoolToObject(out, "is_ultra_restricted", false);
    cJSON_AddBoolToObject(out, "is_bot", flag(u, "is_bot"));
    cJSON_AddBoolToObject(out, "is_app_user", false);
    cJSON_AddNumberToObject(out, "updated", 1577836800);
    cJSON_AddBoolToObject(out, "is_email_confirmed", sb_get_str(u, "email") != NULL);
    return out;
}

static cJSON *topic(const cJSON *c, const char *key)
{
    cJSON *t = cJSON_CreateObject();
    add_str(t, "value", sb_get_str(c, key));
    add_str(t, "creator", "");
    cJSON_AddNumberToObject(t, "last_set", 0);
    return t;
}

cJSON *sb_slack_render_channel(const cJSON *data, const cJSON *c)
{
    cJSON *out = cJSON_CreateObject();
    bool im = flag(c, "is_im"), private = flag(c, "is_private");
    int64_t created = 0;
    sb_get_int(c, "created", &created);
    add_str(out, "id", sb_get_str(c, "id"));
    if (im) {
        add_str(out, "user", sb_get_str(c, "user"));
        cJSON_AddBoolToObject(out, "is_im", true);
        cJSON_AddBoolToObject(out, "is_org_shared", false);
        cJSON_AddNumberToObject(out, "created", (double)created);
        cJSON_AddBoolToObject(out, "is_user_deleted", false);
        return out;
    }
    const char *name = sb_get_str(c, "name");
    add_str(out, "name", name);
    cJSON_AddBoolToObject(out, "is_channel", !private);
    cJSON_AddBoolToObject(out, "is_group", private);
    cJSON_AddBoolToObject(out, "is_im", false);
    cJSON_AddBoolToObject(out, "is_mpim", false);
    cJSON_AddBoolToObject(out, "is_private", private);
    cJSON_AddNumberToObject(out, "created", (double)created);
    cJSON_AddBoolToObject(out, "is_archived", flag(c, "is_archived"));
    cJSON_AddBoolToObject(out, "is_general", flag(c, "is_general"));
    cJSON_AddNumberToObject(out, "unlinked", 0);
    add_str(out, "name_normalized", name);
    cJSON_AddBoolToObject(out, "is_shared", false);
    cJSON_AddBoolToObject(out, "is_org_shared", false);
    cJSON_AddBoolToObject(out, "is_pending_ext_shared", false);
    cJSON_AddArrayToObject(out, "pending_shared");
    add_str(out, "context_team_id", sb_slack_team_id(data));
    cJSON_AddNumberToObject(out, "updated", (double)created * 1000);
    add_str(out, "creator", sb_get_str(c, "creator"));
    cJSON_AddBoolToObject(out, "is_ext_shared", false);
    cJSON_AddBoolToObject(out, "is_member", sb_slack_is_member(c, sb_slack_bot_user(data)));
    cJSON_AddItemToObject(out, "topic", topic(c, "topic"));
    cJSON_AddItemToObject(out, "purpose", topic(c, "purpose"));
    cJSON_AddArrayToObject(out, "previous_names");
    cJSON_AddNumberToObject(out, "num_members",
                            cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c, "members")));
    return out;
}

/* The parent's ts of a reply, or NULL for a message outside a thread and a
 * thread's parent itself. */
static const char *parent_of(const cJSON *m)
{
    const char *thread = sb_get_str(m, "thread_ts"), *ts = sb_get_str(m, "ts");
    return thread && ts && strcmp(thread, ts) != 0 ? thread : NULL;
}

/* reply_count, reply_users, latest_reply of a thread's parent. */
static void add_thread_counts(cJSON *out, const cJSON *channel, const char *ts)
{
    int count = 0;
    const char *latest = NULL;
    cJSON *users = cJSON_CreateArray();
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(channel, "messages"))
    {
        const char *parent = parent_of(m), *user = sb_get_str(m, "user");
        if (!parent || strcmp(parent, ts) != 0)
            continue;
        count++;
        latest = sb_get_str(m, "ts");
        if (user && !sb_array_has_str(users, user))
            cJSON_AddItemToArray(users, cJSON_CreateString(user));
    }
    if (count == 0) {
        cJSON_Delete(users);
        return;
    }
    sb_set(out, "thread_ts", cJSON_CreateString(ts));
    cJSON_AddNumberToObject(out, "reply_count", count);
    cJSON_AddNumberToObject(out, "reply_users_count", cJSON_GetArraySize(users));
    add_str(out, "latest_reply", latest);
    cJSON_AddItemToObject(out, "reply_users", users);
    cJSON_AddBoolToObject(out, "is_locked", false);
    cJSON_AddBoolToObject(out, "subscribed", false);
}

cJSON *sb_slack_render_message(const cJSON *data, const cJSON *channel, const cJSON *m)
{
    static const char *const hidden[] = {"created_at", NULL};
    cJSON *out = sb_copy_without(m, hidden);
    if (!cJSON_GetObjectItemCaseSensitive(out, "type"))
        cJSON_AddStringToObject(out, "type", "message");
    if (!cJSON_GetObjectItemCaseSensitive(out, "text"))
        cJSON_AddStringToObject(out, "text", "");
    sb_set(out, "team", cJSON_CreateString(sb_slack_team_id(data)));
    const char *bot_id = sb_get_str(m, "bot_id");
    if (bot_id) {
        cJSON *profile = cJSON_AddObjectToObject(out, "bot_profile");
        add_str(profile, "id", bot_id);
        add_str(profile, "app_id", bot_app_id(data));
        const cJSON *users = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(data, "slack"), "users");
        const char *uid = sb_get_str(m, "user");
        add_str(profile, "name",
                uid ? sb_get_str(sb_find_str(users, "id", uid), "real_name") : NULL);
        cJSON_AddBoolToObject(profile, "deleted", false);
        add_str(profile, "team_id", sb_slack_team_id(data));
    }
    const char *parent = parent_of(m);
    if (parent) {
        const cJSON *p =
            sb_find_str(cJSON_GetObjectItemCaseSensitive(channel, "messages"), "ts", parent);
        if (p && sb_get_str(p, "user"))
            add_str(out, "parent_user_id", sb_get_str(p, "user"));
    } else if (sb_get_str(m, "ts")) {
        add_thread_counts(out, channel, sb_get_str(m, "ts"));
    }
    return out;
}
