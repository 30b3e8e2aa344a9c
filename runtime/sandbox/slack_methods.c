/* The Slack Web API methods hb needs, each as Slack documents it: the same
 * arguments, the same fields, and HTTP 200 with "ok": false and an error
 * code for everything but a rate limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "slack_internal.h"

#define MAX_TEXT        40000 /* longer text is msg_too_long */
#define LIST_LIMIT_MAX  999   /* conversations.list: "an integer under 1000" */
#define REPLIES_DEFAULT 1000

void sb_h_slack_auth_test(sb_ctx *cx)
{
    if (!sb_slack_read_args(cx, false))
        return;
    const cJSON *team = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cx->data, "slack"), "team");
    const char *domain = sb_get_str(team, "domain"), *name = sb_get_str(team, "name");
    const char *uid = sb_slack_bot_user(cx->data);
    const cJSON *user = sb_slack_user(cx->data, uid);
    char *url = hb_xasprintf("https://%s.slack.com/", domain ? domain : "sandbox");
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "url", url);
    cJSON_AddStringToObject(body, "team", name ? name : "Sandbox");
    cJSON_AddStringToObject(body, "user",
                            sb_get_str(user, "name") ? sb_get_str(user, "name") : "hb");
    cJSON_AddStringToObject(body, "team_id", sb_slack_team_id(cx->data));
    cJSON_AddStringToObject(body, "user_id", uid);
    cJSON_AddStringToObject(body, "bot_id", sb_slack_bot_id(cx->data));
    cJSON_AddFalseToObject(body, "is_enterprise_install");
    free(url);
    sb_slack_reply(cx, body);
}

/* ---- posting ---- */

/* A person's direct-message channel with the bot, made on first use. */
static cJSON *direct_channel(sb_ctx *cx, const cJSON *user)
{
    const char *uid = sb_get_str(user, "id");
    cJSON *channels = sb_slack_channels(cx->data), *c;
    cJSON_ArrayForEach(c, channels)
    {
        const char *with = sb_get_str(c, "user");
        if (sb_truthy(cJSON_GetObjectItemCaseSensitive(c, "is_im"), false) && with &&
            !strcmp(with, uid))
            return c;
    }
    char *id = hb_xasprintf("D%s", uid + 1);
    c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "id", id);
    cJSON_AddTrueToObject(c, "is_im");
    cJSON_AddStringToObject(c, "user", uid);
    cJSON_AddNumberToObject(c, "created", (double)(sb_now() / 1000000));
    cJSON *members = cJSON_AddArrayToObject(c, "members");
    cJSON_AddItemToArray(members, cJSON_CreateString(sb_slack_bot_user(cx->data)));
    cJSON_AddItemToArray(members, cJSON_CreateString(uid));
    cJSON_AddArrayToObject(c, "messages");
    cJSON_AddItemToArray(channels, c);
    cx->changed = true;
    free(id);
    return c;
}

/* chat.postMessage's channel: an id, a name with or without '#', or a
 * person's user id for a direct message. NULL when there is none. */
static cJSON *channel_for_post(sb_ctx *cx, const char *ref)
{
    if (!ref)
        return NULL;
    const cJSON *user = sb_slack_user(cx->data, ref);
    if (user && !sb_truthy(cJSON_GetObjectItemCaseSensitive(user, "deleted"), false))
        return direct_channel(cx, user);
    cJSON *c = sb_slack_channel(cx->data, ref);
    if (c)
        return c;
    const char *name = ref[0] == '#' ? ref + 1 : ref;
    cJSON_ArrayForEach(c, sb_slack_channels(cx->data))
    {
        const char *n = sb_get_str(c, "name");
        if (n && !strcmp(n, name))
            return c;
    }
    return NULL;
}

/* text, blocks and attachments as a message holds them; false having
 * replied when they are missing or malformed. */
static bool take_content(sb_ctx *cx, cJSON *message)
{
    bool bad_blocks, bad_attachments;
    const cJSON *blocks = sb_slack_json_arg(cx, "blocks", &bad_blocks);
    const cJSON *attachments = sb_slack_json_arg(cx, "attachments", &bad_attachments);
    const char *text = sb_slack_arg(cx, "text");
    if (bad_blocks || (blocks && !cJSON_IsArray(blocks))) {
        sb_slack_fail(cx, "invalid_blocks_format");
        return false;
    }
    const cJSON *b;
    cJSON_ArrayForEach(b, blocks)
    {
        if (!cJSON_IsObject(b) || !sb_get_str(b, "type")) {
            sb_slack_fail(cx, "invalid_blocks");
            return false;
        }
    }
    if (bad_attachments || (attachments && !cJSON_IsArray(attachments))) {
        sb_slack_fail(cx, "invalid_attachments");
        return false;
    }
    if (!text && cJSON_GetArraySize(blocks) == 0 && cJSON_GetArraySize(attachments) == 0) {
        sb_slack_fail(cx, "no_text");
        return false;
    }
    if (text && strlen(text) > MAX_TEXT) {
        sb_slack_fail(cx, "msg_too_long");
        return false;
    }
    if (text)
        sb_set(message, "text", cJSON_CreateString(text));
    if (blocks)
        sb_set(message, "blocks", cJSON_Duplicate(blocks, true));
    if (attachments)
        sb_set(message, "attachments", cJSON_Duplicate(attachments, true));
    return true;
}

void sb_h_slack_post_message(sb_ctx *cx)
{
    if (!sb_slack_read_args(cx, true))
        return;
    cJSON *channel = channel_for_post(cx, sb_slack_arg(cx, "channel"));
    if (!channel || !sb_slack_visible(cx->data, channel)) {
        sb_slack_fail(cx, "channel_not_found");
        return;
    }
    if (sb_truthy(cJSON_GetObjectItemCaseSensitive(channel, "is_archived"), false)) {
        sb_slack_fail(cx, "is_archived");
        return;
    }
    const char *bot_user = sb_slack_bot_user(cx->data);
    if (!sb_slack_is_member(channel, bot_user)) {
        sb_slack_fail(cx, "not_in_channel");
        return;
    }
    cJSON *message = cJSON_CreateObject();
    char ts[32];
    sb_slack_new_ts(channel, ts);
    cJSON_AddStringToObject(message, "type", "message");
    cJSON_AddStringToObject(message, "ts", ts);
    cJSON_AddStringToObject(message, "user", bot_user);
    cJSON_AddStringToObject(message, "bot_id", sb_slack_bot_id(cx->data));
    if (!take_content(cx, message)) {
        cJSON_Delete(message);
        return;
    }
    const char *thread = sb_slack_arg(cx, "thread_ts");
    if (thread) {
        /* A reply's ts names its thread: Slack threads under the parent. */
        const cJSON *target = sb_slack_message(channel, thread);
        const char *parent = sb_get_str(target, "thread_ts");
        cJSON_AddStringToObject(message, "thread_ts", parent ? parent : thread);
        if (sb_slack_flag(cx, "reply_broadcast")) {
            cJSON_AddStringToObject(message, "subtype", "thread_broadcast");
            cJSON_AddTrueToObject(message, "reply_broadcast");
        }
    }
    cJSON_AddItemToArray(sb_slack_messages(channel), message);
    cx->changed = true;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "channel", sb_get_str(channel, "id"));
    cJSON_AddStringToObject(body, "ts", ts);
    cJSON_AddItemToObject(body, "message", sb_slack_render_message(cx->data, channel, message));
    sb_slack_reply(cx, body);
}

void sb_h_slack_update(sb_ctx *cx)
{
    if (!sb_slack_read_args(cx, true))
        return;
    /* Unlike chat.postMessage, chat.update takes a channel id only. */
    cJSON *channel = sb_slack_channel(cx->data, sb_slack_arg(cx, "channel"));
    if (!channel || !sb_slack_visible(cx->data, channel)) {
        sb_slack_fail(cx, "channel_not_found");
        return;
    }
    cJSON *message = sb_slack_message(channel, sb_slack_arg(cx, "ts"));
    if (!message) {
        sb_slack_fail(cx, "message_not_found");
        return;
    }
    const char *author = sb_get_str(message, "user");
    if (!author || strcmp(author, sb_slack_bot_user(cx->data)) != 0) {
        sb_slack_fail(cx, "cant_update_message");
        return;
    }
    cJSON *changed = cJSON_Duplicate(message, true);
    if (!take_content(cx, changed)) {
        cJSON_Delete(changed);
        return;
    }
    char edited_ts[32];
    sb_slack_new_ts(NULL, edited_ts);
    cJSON *edited = cJSON_CreateObject();
    cJSON_AddStringToObject(edited, "user", author);
    cJSON_AddStringToObject(edited, "ts", edited_ts);
    sb_set(changed, "edited", edited);
    cJSON_ReplaceItemViaPointer(sb_slack_messages(channel), message, changed);
    cx->changed = true;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "channel", sb_get_str(channel, "id"));
    cJSON_AddStringToObject(body, "ts", sb_get_str(changed, "ts"));
    cJSON_AddStringToObject(body, "text",
                            sb_get_str(changed, "text") ? sb_get_str(changed, "text") : "");
    cJSON_AddItemToObject(body, "message", sb_slack_render_message(cx->data, channel, changed));
    sb_slack_reply(cx, body);
}

/* ---- reading ---- */

/* A limit argument: dflt when absent, false when not an integer in range. */
static bool read_limit(sb_ctx *cx, int64_t dflt, int64_t max, int64_t *out)
{
    const char *v = sb_slack_arg(cx, "limit");
    *out = dflt;
    if (!v)
        return true;
    return sb_parse_int(v, out) && *out >= 0 && *out <= max;
}

static bool wanted_type(const cJSON *data, const cJSON *c, bool pub, bool priv, bool im)
{
    if (sb_truthy(cJSON_GetObjectItemCaseSensitive(c, "is_im"), false))
        return im && sb_slack_visible(data, c);
    if (sb_truthy(cJSON_GetObjectItemCaseSensitive(c, "is_private"), false))
        return priv && sb_slack_visible(data, c);
    return pub;
}

void sb_h_slack_conversations_list(sb_ctx *cx)
{
    if (!sb_slack_read_args(cx, false))
        return;
    int64_t limit;
    if (!read_limit(cx, 100, LIST_LIMIT_MAX, &limit)) {
        sb_slack_fail(cx, "invalid_limit");
        return;
    }
    if (limit == 0)
        limit = 100;
    bool pub = false, priv = false, im = false;
    char *types =
        hb_xstrdup(sb_slack_arg(cx, "types") ? sb_slack_arg(cx, "types") : "public_channel");
    bool bad_type = false;
    for (char *t = strtok(types, ","); t; t = strtok(NULL, ",")) {
        while (*t == ' ')
            t++;
        if (!strcmp(t, "public_channel"))
            pub = true;
        else if (!strcmp(t, "private_channel"))
            priv = true;
        else if (!strcmp(t, "im"))
            im = true;
        else if (strcmp(t, "mpim") != 0)
            bad_type = true;
    }
    free(types);
    if (bad_type) {
        sb_slack_fail(cx, "invalid_types");
        return;
    }
    const char *cursor = sb_slack_arg(cx, "cursor");
    char *start = cursor ? sb_slack_cursor_value(cursor, "team") : NULL;
    if (cursor && (!start || !sb_slack_channel(cx->data, start))) {
        free(start);
        sb_slack_fail(cx, "invalid_cursor");
        return;
    }
    bool exclude_archived = sb_slack_flag(cx, "exclude_archived");
    cJSON *list = cJSON_CreateArray();
    const char *next = NULL;
    bool started = start == NULL;
    const cJSON *c;
    cJSON_ArrayForEach(c, sb_slack_channels(cx->data))
    {
        const char *id = sb_get_str(c, "id");
        started = started || (id && !strcmp(id, start));
        if (!started || !wanted_type(cx->data, c, pub, priv, im) ||
            (exclude_archived &&
             sb_truthy(cJSON_GetObjectItemCaseSensitive(c, "is_archived"), false)))
            continue;
        if (cJSON_GetArraySize(list) == limit) {
            next = id;
            break;
        }
        cJSON_AddItemToArray(list, sb_slack_render_channel(cx->data, c));
    }
    free(start);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "channels", list);
    cJSON *meta = cJSON_AddObjectToObject(body, "response_metadata");
    char *next_cursor = next ? sb_slack_cursor_make("team", next) : hb_xstrdup("");
    cJSON_AddStringToObject(meta, "next_cursor", next_cursor);
    free(next_cursor);
    sb_slack_reply(cx, body);
}

/* The bot reads a public channel's history only as a member, as on Slack. */
static cJSON *readable_channel(sb_ctx *cx)
{
    cJSON *channel = sb_slack_channel(cx->data, sb_slack_arg(cx, "channel"));
    if (!channel || !sb_slack_visible(cx->data, channel)) {
        sb_slack_fail(cx, "channel_not_found");
        return NULL;
    }
    if (!sb_slack_is_member(channel, sb_slack_bot_user(cx->data))) {
        sb_slack_fail(cx, "not_in_channel");
        return NULL;
    }
    return channel;
}

/* oldest/latest/inclusive: the window of replies to show. */
static bool in_window(sb_ctx *cx, int64_t ts)
{
    int64_t oldest = sb_slack_arg(cx, "oldest") ? sb_slack_ts_us(sb_slack_arg(cx, "oldest")) : -1;
    int64_t latest = sb_slack_arg(cx, "latest") ? sb_slack_ts_us(sb_slack_arg(cx, "latest")) : -1;
    bool inclusive = sb_slack_flag(cx, "inclusive");
    if (oldest >= 0 && (inclusive ? ts < oldest : ts <= oldest))
        return false;
    return latest < 0 || (inclusive ? ts <= latest : ts < latest);
}

static bool valid_window(sb_ctx *cx)
{
    if (sb_slack_arg(cx, "oldest") && sb_slack_ts_us(sb_slack_arg(cx, "oldest")) < 0) {
        sb_slack_fail(cx, "invalid_ts_oldest");
        return false;
    }
    if (sb_slack_arg(cx, "latest") && sb_slack_ts_us(sb_slack_arg(cx, "latest")) < 0) {
        sb_slack_fail(cx, "invalid_ts_latest");
        return false;
    }
    return true;
}

void sb_h_slack_replies(sb_ctx *cx)
{
    if (!sb_slack_read_args(cx, false))
        return;
    cJSON *channel = readable_channel(cx);
    if (!channel)
        return;
    const cJSON *target = sb_slack_message(channel, sb_slack_arg(cx, "ts"));
    if (!target) {
        sb_slack_fail(cx, "thread_not_found");
        return;
    }
    int64_t limit;
    if (!valid_window(cx))
        return;
    if (!read_limit(cx, REPLIES_DEFAULT, REPLIES_DEFAULT, &limit) || limit == 0)
        limit = REPLIES_DEFAULT;
    /* ts may name the parent or any reply: the thread is the parent's. */
    const char *parent = sb_get_str(target, "thread_ts") ? sb_get_str(target, "thread_ts")
                                                         : sb_get_str(target, "ts");
    const char *cursor = sb_slack_arg(cx, "cursor");
    char *from = cursor ? sb_slack_cursor_value(cursor, "next_ts") : NULL;
    if (cursor && (!from || sb_slack_ts_us(from) < 0)) {
        free(from);
        sb_slack_fail(cx, "invalid_cursor");
        return;
    }
    int64_t from_us = from ? sb_slack_ts_us(from) : -1;
    free(from);
    cJSON *list = cJSON_CreateArray();
    const char *next = NULL;
    const cJSON *m;
    cJSON_ArrayForEach(m, sb_slack_messages(channel))
    {
        const char *ts = sb_get_str(m, "ts"), *thread = sb_get_str(m, "thread_ts");
        bool is_parent = ts && !strcmp(ts, parent);
        bool is_reply = !is_parent && thread && !strcmp(thread, parent);
        int64_t us = sb_slack_ts_us(ts);
        /* the parent comes first on the first page, whatever the window */
        if (!(is_parent && from_us < 0) && !(is_reply && in_window(cx, us) && us >= from_us))
            continue;
        if (cJSON_GetArraySize(list) == limit) {
            next = ts;
            break;
        }
        cJSON_AddItemToArray(list, sb_slack_render_message(cx->data, channel, m));
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "messages", list);
    cJSON_AddBoolToObject(body, "has_more", next != NULL);
    cJSON *meta = cJSON_AddObjectToObject(body, "response_metadata");
    char *next_cursor = next ? sb_slack_cursor_make("next_ts", next) : hb_xstrdup("");
    cJSON_AddStringToObject(meta, "next_cursor", next_cursor);
    free(next_cursor);
    sb_slack_reply(cx, body);
}

void sb_h_slack_lookup_by_email(sb_ctx *cx)
{
    if (!sb_slack_read_args(cx, false))
        return;
    const cJSON *user = sb_slack_user_by_email(cx->data, sb_slack_arg(cx, "email"));
    /* A deactivated account is not found either. */
    if (!user || sb_truthy(cJSON_GetObjectItemCaseSensitive(user, "deleted"), false)) {
        sb_slack_fail(cx, "users_not_found");
        return;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "user", sb_slack_render_user(cx->data, user));
    sb_slack_reply(cx, body);
}
