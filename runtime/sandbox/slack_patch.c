/* Slack in patches and seeds. A scenario says "Support Ops answered in the
 * thread" with a patch that appends a message:
 *
 *   {"slack":{"channels":{"support-operations":{"messages":{"+":
 *       {"user":"sofia.ops@gitlab.example","text":"Looking now","thread_ts":"@last"}}}}}}
 *
 * After the merge, each message without a ts gets one (after every other
 * in its channel), "thread_ts":"@last" becomes the ts of the channel's
 * newest message outside a thread (the one hb posted), and a user given by
 * email becomes that person's Slack id. The seed checks that every stored
 * message has a ts and that the bot and PagerDuty API users exist. */
#include <stdio.h>
#include <string.h>

#include "slack_internal.h"

static hb_status normalise_message(cJSON *data, const cJSON *channel, cJSON *m,
                                   const char *last_top, hb_err *e)
{
    const char *name =
        sb_get_str(channel, "name") ? sb_get_str(channel, "name") : sb_get_str(channel, "id");
    char ts[32];
    sb_slack_new_ts(channel, ts);
    sb_set(m, "ts", cJSON_CreateString(ts));
    cJSON_DeleteItemFromObjectCaseSensitive(m, "created_at"); /* the patch's stamp */
    if (!cJSON_GetObjectItemCaseSensitive(m, "type"))
        cJSON_AddStringToObject(m, "type", "message");
    const char *user = sb_get_str(m, "user");
    if (user && strchr(user, '@')) {
        const cJSON *u = sb_slack_user_by_email(data, user);
        if (!u)
            return hb_err_set(e, HB_EUSAGE,
                              "patch slack.channels.%s.messages: no Slack user has "
                              "the email %s",
                              name, user);
        sb_set(m, "user", cJSON_CreateString(sb_get_str(u, "id")));
    } else if (user && !sb_slack_user(data, user)) {
        return hb_err_set(e, HB_EUSAGE, "patch slack.channels.%s.messages: no Slack user %s", name,
                          user);
    }
    const char *thread = sb_get_str(m, "thread_ts");
    if (thread && !strcmp(thread, "@last")) {
        if (!last_top)
            return hb_err_set(e, HB_EUSAGE,
                              "patch slack.channels.%s.messages: \"@last\" needs a "
                              "message to reply to, and the channel has none",
                              name);
        sb_set(m, "thread_ts", cJSON_CreateString(last_top));
    } else if (thread && sb_slack_ts_us(thread) < 0) {
        return hb_err_set(e, HB_EUSAGE,
                          "patch slack.channels.%s.messages: thread_ts '%s' is not "
                          "a Slack ts (seconds.microseconds) or \"@last\"",
                          name, thread);
    }
    return HB_OK;
}

hb_status sb_slack_after_patch(sb_ctx *cx, cJSON *data, hb_err *e)
{
    (void)cx;
    const cJSON *slack = cJSON_GetObjectItemCaseSensitive(data, "slack");
    const cJSON *channel;
    cJSON_ArrayForEach(channel, cJSON_GetObjectItemCaseSensitive(slack, "channels"))
    {
        const char *last_top = NULL;
        cJSON *m;
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(channel, "messages"))
        {
            if (!cJSON_IsObject(m))
                return hb_err_set(e, HB_EUSAGE, "patch slack.channels: a message is an object");
            if (!sb_get_str(m, "ts") && normalise_message(data, channel, m, last_top, e) != HB_OK)
                return HB_EUSAGE;
            const char *thread = sb_get_str(m, "thread_ts"), *ts = sb_get_str(m, "ts");
            if (!thread || !strcmp(thread, ts))
                last_top = ts;
        }
    }
    return HB_OK;
}

/* ---- seed checks ---- */

static hb_status check_messages(const char *path, const cJSON *slack, hb_err *e)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(slack, "channels"))
    {
        const char *id = sb_get_str(c, "id");
        if (!sb_get_str(c, "name") &&
            !sb_truthy(cJSON_GetObjectItemCaseSensitive(c, "is_im"), false))
            return hb_err_set(e, HB_EUSAGE, "%s: slack.channels[id=%s] needs a \"name\"", path, id);
        const cJSON *messages = cJSON_GetObjectItemCaseSensitive(c, "messages"), *m;
        if (messages && !cJSON_IsArray(messages))
            return hb_err_set(e, HB_EUSAGE, "%s: slack.channels[id=%s].messages must be an array",
                              path, id);
        int i = 0;
        cJSON_ArrayForEach(m, messages)
        {
            if (sb_slack_ts_us(sb_get_str(m, "ts")) < 0)
                return hb_err_set(e, HB_EUSAGE,
                                  "%s: slack.channels[id=%s].messages[%d] needs a "
                                  "\"ts\" such as \"1700000000.000100\"",
                                  path, id, i);
            i++;
        }
    }
    return HB_OK;
}

/* data.sandbox.KEY names an object in data[service][collection]. */
static hb_status check_setting(const char *path, const cJSON *seed, const char *key,
                               const char *service, const char *collection, hb_err *e)
{
    const char *id = sb_get_str(cJSON_GetObjectItemCaseSensitive(seed, "sandbox"), key);
    if (!id)
        return HB_OK;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(seed, service), collection);
    if (!sb_find_str(list, "id", id))
        return hb_err_set(e, HB_EUSAGE, "%s: sandbox.%s names %s, which is not in %s.%s", path, key,
                          id, service, collection);
    return HB_OK;
}

hb_status sb_chat_check_seed(const char *path, const cJSON *seed, hb_err *e)
{
    if (check_messages(path, cJSON_GetObjectItemCaseSensitive(seed, "slack"), e) != HB_OK ||
        check_setting(path, seed, "slack_bot_user", "slack", "users", e) != HB_OK ||
        check_setting(path, seed, "pagerduty_api_user", "pagerduty", "users", e) != HB_OK)
        return HB_EUSAGE;
    return HB_OK;
}
