/* The sandbox's Slack Web API over real HTTP: bot-token auth and Slack's
 * HTTP 200 errors, chat.postMessage by channel id, name or person, thread
 * replies, chat.update, conversations.list and conversations.replies with
 * cursors, users.lookupByEmail, form and JSON bodies with their charset
 * warnings, a 429 with Retry-After, the request log, and the patches a
 * scenario uses to answer in a thread. */
#include <stdlib.h>
#include <string.h>

#include "hb/util.h"
#include "sandbox_test.h"

#define API "/slack/api/"

/* A Slack call that must fail with HTTP 200 and this error code. */
static void expect_error(sbt_resp r, const char *code)
{
    assert_int_equal(r.status, 200);
    assert_false(cJSON_IsTrue(sbt_json_at(r.json, "ok")));
    assert_string_equal(sbt_str_at(r.json, "error"), code);
    sbt_resp_free(&r);
}

static char *post(sbt *t, const char *form)
{
    sbt_resp r = sbt_slack(t, "POST", API "chat.postMessage", form);
    assert_int_equal(r.status, 200);
    if (!cJSON_IsTrue(sbt_json_at(r.json, "ok")))
        fail_msg("chat.postMessage %s: %s", form, r.body);
    char *ts = hb_xstrdup(sbt_str_at(r.json, "ts"));
    sbt_resp_free(&r);
    return ts;
}

static sbt_resp admin(sbt *t, const char *method, const char *path, const char *body)
{
    return sbt_request(t, method, path, NULL, body);
}

static void bot_token_auth(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_request(t, "POST", API "auth.test", NULL, NULL);
    expect_error(r, "not_authed");
    const char *bad[] = {"Authorization: Bearer xoxb-not-this-one", NULL};
    expect_error(sbt_request(t, "POST", API "auth.test", bad, NULL), "invalid_auth");
    /* a token in the query string or a JSON body is not one Slack reads */
    char *path = hb_xasprintf(API "auth.test?token=%s", sbt_var(t, "SLACK_BOT_TOKEN"));
    expect_error(sbt_request(t, "GET", path, NULL, NULL), "not_authed");
    free(path);
    char *json = hb_xasprintf("{\"token\":\"%s\"}", sbt_var(t, "SLACK_BOT_TOKEN"));
    const char *json_headers[] = {"Content-Type: application/json", NULL};
    expect_error(sbt_request(t, "POST", API "chat.postMessage", json_headers, json), "not_authed");
    free(json);

    /* the form's token field works, as the bearer header does */
    char *form = hb_xasprintf("token=%s", sbt_var(t, "SLACK_BOT_TOKEN"));
    const char *form_headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    r = sbt_request(t, "POST", API "auth.test", form_headers, form);
    free(form);
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "ok")));
    assert_string_equal(sbt_str_at(r.json, "user_id"), "U0BOTHB001");
    assert_string_equal(sbt_str_at(r.json, "bot_id"), "B0BOTHB001");
    assert_string_equal(sbt_str_at(r.json, "team_id"), "T0SANDBOX1");
    sbt_resp_free(&r);
    r = sbt_slack(t, "GET", API "auth.test", NULL);
    assert_string_equal(sbt_str_at(r.json, "url"), "https://gitlab-sandbox.slack.com/");
    sbt_resp_free(&r);

    /* the log never shows the token */
    char *log = hb_sandbox_requests_json(t->sb);
    assert_null(strstr(log, sbt_var(t, "SLACK_BOT_TOKEN")));
    assert_non_null(strstr(log, "\"token\":\"[redacted]\""));
    free(log);
    assert_string_equal(sbt_var(t, "SLACK_URL") + strlen(t->url), "/slack");
    assert_true(hb_str_starts_with(sbt_var(t, "SLACK_BOT_TOKEN"), "xoxb-"));
}

static void post_to_a_channel_by_name_id_or_person(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_slack(t, "POST", API "chat.postMessage",
                           "channel=%23support-operations&text=Zendesk+is+down");
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "ok")));
    assert_string_equal(sbt_str_at(r.json, "channel"), "C0SUPOPS02");
    const char *ts = sbt_str_at(r.json, "ts");
    assert_true(strlen(ts) == 17 && ts[10] == '.');
    assert_string_equal(sbt_str_at(r.json, "message.ts"), ts);
    assert_string_equal(sbt_str_at(r.json, "message.text"), "Zendesk is down");
    assert_string_equal(sbt_str_at(r.json, "message.user"), "U0BOTHB001");
    assert_string_equal(sbt_str_at(r.json, "message.bot_id"), "B0BOTHB001");
    assert_string_equal(sbt_str_at(r.json, "message.bot_profile.name"), "hb");
    assert_null(sbt_json_at(r.json, "warning")); /* a form without a charset */
    sbt_resp_free(&r);
    free(post(t, "channel=support_sales_escalation&text=a+name+without+%23"));
    free(post(t, "channel=C018ZGZAMPD&text=by+id"));
    free(post(t, "channel=G0MANAGE06&text=a+private+channel+the+bot+is+in"));

    /* a person's user id: the app's direct-message channel with them */
    r = sbt_slack(t, "POST", API "chat.postMessage", "channel=U0OLIVI503&text=Please+credit");
    assert_string_equal(sbt_str_at(r.json, "channel"), "D0OLIVI503");
    sbt_resp_free(&r);
    r = sbt_slack(t, "POST", API "chat.postMessage", "channel=U0OLIVI503&text=again");
    assert_string_equal(sbt_str_at(r.json, "channel"), "D0OLIVI503");
    sbt_resp_free(&r);

    expect_error(sbt_slack(t, "POST", API "chat.postMessage", "channel=%23nowhere&text=x"),
                 "channel_not_found");
    expect_error(sbt_slack(t, "POST", API "chat.postMessage", "text=x"), "channel_not_found");
    /* private without the bot: as if it did not exist */
    expect_error(sbt_slack(t, "POST", API "chat.postMessage", "channel=support-leadership&text=x"),
                 "channel_not_found");
    expect_error(sbt_slack(t, "POST", API "chat.postMessage", "channel=random&text=x"),
                 "not_in_channel");
    expect_error(sbt_slack(t, "POST", API "chat.postMessage", "channel=support-ops-archive&text=x"),
                 "is_archived");
    expect_error(sbt_slack(t, "POST", API "chat.postMessage", "channel=general"), "no_text");
    expect_error(sbt_slack(t, "POST", API "chat.postMessage", "channel=U0DAVED508&text=x"),
                 "channel_not_found"); /* a deactivated person */
    hb_buf long_text;
    hb_buf_init(&long_text);
    hb_buf_puts(&long_text, "channel=general&text=");
    for (int i = 0; i < 40001; i++)
        hb_buf_putc(&long_text, 'a');
    expect_error(sbt_slack(t, "POST", API "chat.postMessage", long_text.data), "msg_too_long");
    hb_buf_free(&long_text);

    cJSON *st = sbt_state(t);
    assert_string_equal(sbt_str_at(st, "slack.channels[2].messages[0].text"), "Zendesk is down");
    cJSON_Delete(st);
}

static void json_bodies_blocks_and_warnings(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_slack_json(
        t, API "chat.postMessage",
        "{\"channel\":\"#support_operations\",\"text\":\"Which tag?\",\"blocks\":[{\"type\":"
        "\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"*Which tag?*\"}},{\"type\":"
        "\"actions\",\"elements\":[{\"type\":\"button\",\"action_id\":\"a\",\"value\":\"1\"}]}],"
        "\"unfurl_links\":false}");
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "ok")));
    assert_string_equal(sbt_str_at(r.json, "message.blocks[1].type"), "actions");
    assert_null(sbt_json_at(r.json, "warning"));
    sbt_resp_free(&r);

    /* blocks as a form sends them: a JSON string */
    r = sbt_slack(t, "POST", API "chat.postMessage",
                  "channel=general&blocks=%5B%7B%22type%22%3A%22divider%22%7D%5D");
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "ok")));
    assert_string_equal(sbt_str_at(r.json, "message.blocks[0].type"), "divider");
    sbt_resp_free(&r);
    expect_error(sbt_slack(t, "POST", API "chat.postMessage", "channel=general&blocks=%5Bnope"),
                 "invalid_blocks_format");
    expect_error(sbt_slack(t, "POST", API "chat.postMessage", "channel=general&blocks=%5B1%5D"),
                 "invalid_blocks");

    char *auth = hb_xasprintf("Authorization: Bearer %s", sbt_var(t, "SLACK_BOT_TOKEN"));
    const char *no_charset[] = {auth, "Content-Type: application/json", NULL};
    r = sbt_request(t, "POST", API "chat.postMessage", no_charset,
                    "{\"channel\":\"general\",\"text\":\"hi\"}");
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "ok")));
    assert_string_equal(sbt_str_at(r.json, "warning"), "missing_charset");
    assert_string_equal(sbt_str_at(r.json, "response_metadata.warnings[0]"), "missing_charset");
    sbt_resp_free(&r);
    const char *form_charset[] = {
        auth, "Content-Type: application/x-www-form-urlencoded; charset=utf-8", NULL};
    r = sbt_request(t, "POST", API "auth.test", form_charset, "x=1");
    assert_string_equal(sbt_str_at(r.json, "warning"), "superfluous_charset");
    sbt_resp_free(&r);
    expect_error(sbt_request(t, "POST", API "chat.postMessage", no_charset, "{\"channel\":"),
                 "invalid_json");
    expect_error(sbt_request(t, "POST", API "chat.postMessage", no_charset, "[1]"),
                 "json_not_object");
    /* read methods take no JSON arguments, as on Slack */
    expect_error(sbt_request(t, "POST", API "users.lookupByEmail", no_charset,
                             "{\"email\":\"sofia.ops@gitlab.example\"}"),
                 "users_not_found");
    free(auth);
}

static void threads_replies_and_update(void **state)
{
    sbt *t = *state;
    char *parent = post(t, "channel=support-operations&text=Incident%3A+triggers+stopped");
    char *form = hb_xasprintf("channel=C0SUPOPS02&thread_ts=%s&text=first+reply", parent);
    char *reply = post(t, form);
    free(form);
    /* a reply's ts names the same thread */
    form = hb_xasprintf("channel=C0SUPOPS02&thread_ts=%s&text=second+reply", reply);
    char *second = post(t, form);
    free(form);

    char *path = hb_xasprintf(API "conversations.replies?channel=C0SUPOPS02&ts=%s", reply);
    sbt_resp r = sbt_slack(t, "GET", path, NULL);
    free(path);
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "ok")));
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "messages")), 3);
    assert_string_equal(sbt_str_at(r.json, "messages[0].ts"), parent);
    assert_string_equal(sbt_str_at(r.json, "messages[0].thread_ts"), parent);
    assert_int_equal(sbt_num_at(r.json, "messages[0].reply_count"), 2);
    assert_string_equal(sbt_str_at(r.json, "messages[0].latest_reply"), second);
    assert_string_equal(sbt_str_at(r.json, "messages[2].thread_ts"), parent);
    assert_string_equal(sbt_str_at(r.json, "messages[2].parent_user_id"), "U0BOTHB001");
    assert_false(cJSON_IsTrue(sbt_json_at(r.json, "has_more")));
    assert_string_equal(sbt_str_at(r.json, "response_metadata.next_cursor"), "");
    sbt_resp_free(&r);

    /* one a page: has_more and a cursor, as Slack pages */
    form = hb_xasprintf("channel=C0SUPOPS02&ts=%s&limit=2", parent);
    r = sbt_slack(t, "POST", API "conversations.replies", form);
    free(form);
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "has_more")));
    char *cursor = hb_xstrdup(sbt_str_at(r.json, "response_metadata.next_cursor"));
    sbt_resp_free(&r);
    form = hb_xasprintf("channel=C0SUPOPS02&ts=%s&limit=2&cursor=%s", parent, cursor);
    r = sbt_slack(t, "POST", API "conversations.replies", form);
    free(form);
    free(cursor);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "messages")), 1);
    assert_string_equal(sbt_str_at(r.json, "messages[0].ts"), second);
    sbt_resp_free(&r);
    /* oldest: only the replies after it (the parent always comes first) */
    form = hb_xasprintf("channel=C0SUPOPS02&ts=%s&oldest=%s", parent, reply);
    r = sbt_slack(t, "POST", API "conversations.replies", form);
    free(form);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "messages")), 2);
    assert_string_equal(sbt_str_at(r.json, "messages[1].ts"), second);
    sbt_resp_free(&r);

    expect_error(
        sbt_slack(t, "POST", API "conversations.replies", "channel=C0SUPOPS02&ts=1.000001"),
        "thread_not_found");
    expect_error(sbt_slack(t, "POST", API "conversations.replies", "channel=C0SUPOPS02"),
                 "thread_not_found");
    expect_error(sbt_slack(t, "POST", API "conversations.replies", "channel=C0RANDOM04&ts=1.1"),
                 "not_in_channel");
    expect_error(sbt_slack(t, "POST", API "conversations.replies", "channel=nope&ts=1.1"),
                 "channel_not_found");
    form = hb_xasprintf("channel=C0SUPOPS02&ts=%s&oldest=yesterday", parent);
    expect_error(sbt_slack(t, "POST", API "conversations.replies", form), "invalid_ts_oldest");
    free(form);
    form = hb_xasprintf("channel=C0SUPOPS02&ts=%s&cursor=bm9wZQ==", parent);
    expect_error(sbt_slack(t, "POST", API "conversations.replies", form), "invalid_cursor");
    free(form);

    form = hb_xasprintf("channel=C0SUPOPS02&ts=%s&text=Incident+resolved", parent);
    r = sbt_slack(t, "POST", API "chat.update", form);
    free(form);
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "ok")));
    assert_string_equal(sbt_str_at(r.json, "text"), "Incident resolved");
    assert_string_equal(sbt_str_at(r.json, "message.edited.user"), "U0BOTHB001");
    assert_int_equal(sbt_num_at(r.json, "message.reply_count"), 2);
    sbt_resp_free(&r);
    form = hb_xasprintf("channel=support-operations&ts=%s&text=x", parent);
    expect_error(sbt_slack(t, "POST", API "chat.update", form), "channel_not_found");
    free(form);
    expect_error(sbt_slack(t, "POST", API "chat.update", "channel=C0SUPOPS02&ts=1.000002&text=x"),
                 "message_not_found");
    form = hb_xasprintf("channel=C0SUPOPS02&ts=%s", parent);
    expect_error(sbt_slack(t, "POST", API "chat.update", form), "no_text");
    free(form);
    free(parent);
    free(reply);
    free(second);
}

static void a_scenario_answers_in_the_thread(void **state)
{
    sbt *t = *state;
    hb_err e = {0};
    /* "@last" before hb posted anything: refused, and nothing changes */
    assert_int_equal(
        hb_sandbox_patch(t->sb,
                         "{\"slack\":{\"channels\":{\"support-operations\":{\"messages\":{\"+\":"
                         "{\"user\":\"U0SOFIA505\",\"text\":\"x\",\"thread_ts\":\"@last\"}}}}}}",
                         &e),
        HB_EUSAGE);
    assert_non_null(strstr(e.msg, "@last"));

    char *parent = post(t, "channel=support-operations&text=Help+please");
    free(post(t, "channel=general&text=elsewhere"));
    sbt_resp r =
        admin(t, "POST", "/__sandbox/patch",
              "{\"slack\":{\"channels\":{\"support-operations\":{\"messages\":{\"+\":[{\"user\":"
              "\"sofia.ops@gitlab.example\",\"text\":\"On it\",\"thread_ts\":\"@last\"},{\"user\":"
              "\"U0THEOO506\",\"text\":\"Me too\",\"thread_ts\":\"@last\"}]}}}}}");
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
    char *path = hb_xasprintf(API "conversations.replies?channel=C0SUPOPS02&ts=%s", parent);
    r = sbt_slack(t, "GET", path, NULL);
    free(path);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "messages")), 3);
    assert_string_equal(sbt_str_at(r.json, "messages[1].user"), "U0SOFIA505");
    assert_string_equal(sbt_str_at(r.json, "messages[1].text"), "On it");
    assert_string_equal(sbt_str_at(r.json, "messages[2].user"), "U0THEOO506");
    assert_null(sbt_json_at(r.json, "messages[1].created_at"));
    assert_true(strcmp(sbt_str_at(r.json, "messages[1].ts"), parent) > 0);
    assert_true(strcmp(sbt_str_at(r.json, "messages[2].ts"), sbt_str_at(r.json, "messages[1].ts")) >
                0);
    assert_int_equal(sbt_num_at(r.json, "messages[0].reply_users_count"), 2);
    sbt_resp_free(&r);

    /* "@last" as a key edits the newest message; the bot cannot edit others' */
    r = admin(t, "POST", "/__sandbox/patch",
              "{\"slack\":{\"channels\":{\"C0SUPOPS02\":{\"messages\":{\"@last\":{\"text\":"
              "\"Me too, edited\"}}}}}}");
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
    cJSON *st = sbt_state(t);
    cJSON *msgs = sbt_json_at(st, "slack.channels[2].messages");
    assert_string_equal(sbt_str_at(msgs, "[2].text"), "Me too, edited");
    char *form = hb_xasprintf("channel=C0SUPOPS02&ts=%s&text=hijack", sbt_str_at(msgs, "[1].ts"));
    cJSON_Delete(st);
    expect_error(sbt_slack(t, "POST", API "chat.update", form), "cant_update_message");
    free(form);

    r = admin(t, "POST", "/__sandbox/patch",
              "{\"slack\":{\"channels\":{\"support-operations\":{\"messages\":{\"+\":{\"user\":"
              "\"nobody@gitlab.example\",\"text\":\"x\"}}}}}}");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(sbt_str_at(r.json, "error"), "nobody@gitlab.example"));
    sbt_resp_free(&r);
    r = admin(t, "POST", "/__sandbox/patch",
              "{\"slack\":{\"channels\":{\"support-operations\":{\"messages\":{\"+\":{\"user\":"
              "\"U0NOBODY\",\"text\":\"x\",\"thread_ts\":\"soon\"}}}}}}");
    assert_int_equal(r.status, 400);
    sbt_resp_free(&r);
    free(parent);
}

static void conversations_list_pages_with_cursors(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_slack(t, "GET", API "conversations.list", NULL);
    cJSON *channels = sbt_json_at(r.json, "channels");
    assert_int_equal(cJSON_GetArraySize(channels), 6); /* public ones, the archived one too */
    assert_string_equal(sbt_str_at(channels, "[1].name"), "support_operations");
    assert_string_equal(sbt_str_at(channels, "[1].id"), "C018ZGZAMPD");
    assert_true(cJSON_IsTrue(sbt_json_at(channels, "[1].is_member")));
    assert_true(cJSON_IsTrue(sbt_json_at(channels, "[0].is_general")));
    assert_false(cJSON_IsTrue(sbt_json_at(channels, "[4].is_member"))); /* random */
    assert_true(sbt_num_at(channels, "[1].num_members") >= 8);
    assert_null(sbt_json_at(channels, "[1].messages"));
    assert_string_equal(sbt_str_at(r.json, "response_metadata.next_cursor"), "");
    sbt_resp_free(&r);

    /* limit=2 without the archived one: three pages chained by next_cursor */
    char *cursor = NULL;
    int pages = 0, seen = 0;
    do {
        char *form = cursor ? hb_xasprintf("limit=2&exclude_archived=true&cursor=%s", cursor)
                            : hb_xstrdup("limit=2&exclude_archived=true");
        r = sbt_slack(t, "POST", API "conversations.list", form);
        free(form);
        free(cursor);
        assert_true(cJSON_IsTrue(sbt_json_at(r.json, "ok")));
        seen += cJSON_GetArraySize(sbt_json_at(r.json, "channels"));
        const char *next = sbt_str_at(r.json, "response_metadata.next_cursor");
        cursor = *next ? hb_xstrdup(next) : NULL;
        pages++;
        sbt_resp_free(&r);
    } while (cursor && pages < 10);
    assert_int_equal(pages, 3);
    assert_int_equal(seen, 5);

    r = sbt_slack(t, "POST", API "conversations.list", "types=private_channel");
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "channels")), 1);
    assert_string_equal(sbt_str_at(r.json, "channels[0].name"), "support-managers");
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "channels[0].is_private")));
    sbt_resp_free(&r);
    free(post(t, "channel=U0SOFIA505&text=hello"));
    r = sbt_slack(t, "POST", API "conversations.list", "types=im");
    assert_string_equal(sbt_str_at(r.json, "channels[0].id"), "D0SOFIA505");
    assert_string_equal(sbt_str_at(r.json, "channels[0].user"), "U0SOFIA505");
    sbt_resp_free(&r);

    expect_error(sbt_slack(t, "POST", API "conversations.list", "limit=1000"), "invalid_limit");
    expect_error(sbt_slack(t, "POST", API "conversations.list", "limit=many"), "invalid_limit");
    expect_error(sbt_slack(t, "POST", API "conversations.list", "cursor=dGVhbTpDMDAwMDA="),
                 "invalid_cursor");
    expect_error(sbt_slack(t, "POST", API "conversations.list", "types=public_channel,dm"),
                 "invalid_types");
}

static void users_lookup_by_email(void **state)
{
    sbt *t = *state;
    sbt_resp r =
        sbt_slack(t, "GET", API "users.lookupByEmail?email=Olivia.Owner%40gitlab.example", NULL);
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "ok")));
    assert_string_equal(sbt_str_at(r.json, "user.id"), "U0OLIVI503");
    assert_string_equal(sbt_str_at(r.json, "user.name"), "olivia.owner");
    assert_string_equal(sbt_str_at(r.json, "user.real_name"), "Olivia Owner");
    assert_string_equal(sbt_str_at(r.json, "user.profile.email"), "olivia.owner@gitlab.example");
    assert_string_equal(sbt_str_at(r.json, "user.profile.title"), "Account Executive");
    assert_string_equal(sbt_str_at(r.json, "user.team_id"), "T0SANDBOX1");
    assert_false(cJSON_IsTrue(sbt_json_at(r.json, "user.is_bot")));
    sbt_resp_free(&r);
    r = sbt_slack(t, "POST", API "users.lookupByEmail", "email=maya.manager%40gitlab.example");
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "user.is_admin")));
    sbt_resp_free(&r);
    expect_error(
        sbt_slack(t, "POST", API "users.lookupByEmail", "email=dave.departed%40gitlab.example"),
        "users_not_found");
    expect_error(sbt_slack(t, "POST", API "users.lookupByEmail", "email=x%40y.example"),
                 "users_not_found");
    expect_error(sbt_slack(t, "POST", API "users.lookupByEmail", NULL), "users_not_found");
}

static void rate_limits_faults_and_the_log(void **state)
{
    sbt *t = *state;
    assert_int_equal(hb_sandbox_set_faults(t->sb,
                                           "429@slack,next=1,retry-after=3;500@POST "
                                           "/slack/api/chat.update,next=1",
                                           &(hb_err){0}),
                     HB_OK);
    sbt_resp r = sbt_slack(t, "POST", API "chat.postMessage", "channel=general&text=x");
    assert_int_equal(r.status, 429);
    char *retry = sbt_header(&r, "retry-after");
    assert_string_equal(retry, "3");
    free(retry);
    assert_string_equal(sbt_str_at(r.json, "error"), "ratelimited");
    assert_false(cJSON_IsTrue(sbt_json_at(r.json, "ok")));
    char *limit = sbt_header(&r, "x-rate-limit");
    assert_null(limit); /* Slack sends no rate-limit headers */
    sbt_resp_free(&r);
    char *ts = post(t, "channel=general&text=after+the+wait");
    char *form = hb_xasprintf("channel=C0GENERAL1&ts=%s&text=y", ts);
    r = sbt_slack(t, "POST", API "chat.update", form);
    free(form);
    free(ts);
    assert_int_equal(r.status, 500);
    assert_string_equal(sbt_str_at(r.json, "error"), "fatal_error");
    sbt_resp_free(&r);

    r = sbt_slack(t, "POST", API "chat.delete", "channel=general");
    assert_int_equal(r.status, 404);
    assert_string_equal(sbt_str_at(r.json, "error"), "unknown_method");
    sbt_resp_free(&r);
    r = sbt_slack(t, "GET", API "chat.postMessage", NULL); /* writes are POSTs here */
    assert_int_equal(r.status, 405);
    assert_string_equal(sbt_str_at(r.json, "error"), "method_not_supported");
    sbt_resp_free(&r);

    r = admin(t, "GET", "/__sandbox/requests", NULL);
    cJSON *log = r.json;
    assert_string_equal(sbt_str_at(log, "[0].service"), "slack");
    assert_string_equal(sbt_str_at(log, "[0].fault"), "429");
    assert_string_equal(sbt_str_at(log, "[1].route"), "POST /slack/api/chat.postMessage");
    assert_true(cJSON_IsTrue(sbt_json_at(log, "[1].writes")));
    assert_string_equal(sbt_str_at(log, "[1].body.channel"), "general"); /* the form, decoded */
    assert_string_equal(sbt_str_at(log, "[1].body.text"), "after the wait");
    assert_string_equal(sbt_str_at(log, "[1].headers.content-type"),
                        "application/x-www-form-urlencoded");
    assert_null(sbt_json_at(log, "[1].headers.authorization"));
    sbt_resp_free(&r);
}

/* A state written before Slack and PagerDuty existed gains their seed
 * data, settings and credentials on the next start; its own data stays. */
static void an_older_state_gains_slack_and_pagerduty(void **state)
{
    (void)state;
    char *dir = hbt_tempdir();
    char *path = hb_path_join(dir, "state.json");
    hb_sandbox_config cfg = {.state_path = path};
    sbt *t = sbt_start(&cfg);
    sbt_resp r = sbt_zendesk(t, "PUT", "/api/v2/tickets/1001/tags.json", "{\"tags\":[\"kept\"]}");
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
    char *old_zendesk_token = hb_xstrdup(sbt_var(t, "ZENDESK_API_TOKEN"));
    sbt_stop(t);

    hb_err e = {0};
    size_t len;
    char *text = hb_read_file(path, &len, &e);
    cJSON *old = cJSON_Parse(text);
    free(text);
    cJSON *data = cJSON_GetObjectItem(old, "data"),
          *creds = cJSON_GetObjectItem(old, "credentials");
    cJSON_DeleteItemFromObject(data, "slack");
    cJSON_DeleteItemFromObject(data, "pagerduty");
    cJSON_DeleteItemFromObject(cJSON_GetObjectItem(data, "sandbox"), "slack_bot_user");
    cJSON_DeleteItemFromObject(cJSON_GetObjectItem(data, "sandbox"), "pagerduty_api_user");
    for (const char *const *k =
             (const char *const[]){"slack_bot_token", "pagerduty_token", "pagerduty_from",
                                   "pagerduty_routing_key", NULL};
         *k; k++)
        cJSON_DeleteItemFromObject(creds, *k);
    text = cJSON_Print(old);
    cJSON_Delete(old);
    assert_int_equal(hb_write_file_atomic(path, text, strlen(text), 0600, &e), HB_OK);
    free(text);

    t = sbt_start(&cfg);
    assert_string_equal(sbt_var(t, "ZENDESK_API_TOKEN"), old_zendesk_token);
    assert_true(hb_str_starts_with(sbt_var(t, "SLACK_BOT_TOKEN"), "xoxb-"));
    assert_string_equal(sbt_var(t, "PAGERDUTY_FROM"), "sam.sandbox@gitlab.example");
    r = sbt_slack(t, "POST", API "auth.test", NULL);
    assert_string_equal(sbt_str_at(r.json, "user_id"), "U0BOTHB001");
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1001/tags.json", NULL);
    assert_non_null(strstr(r.body, "kept"));
    sbt_resp_free(&r);
    sbt_stop(t);
    free(old_zendesk_token);
    free(path);
    hbt_rmtree(dir);
    free(dir);
}

static void seed_checks(void **state)
{
    (void)state;
    char *dir = hbt_tempdir();
    char *path = hb_path_join(dir, "seed.json");
    static const char *const bad[] = {
        "{\"slack\":{\"channels\":[{\"id\":\"C1\",\"name\":\"a\",\"messages\":[{\"text\":\"no "
        "ts\"}]}]}}",
        "{\"slack\":{\"channels\":[{\"id\":\"C1\"}]}}",
        "{\"slack\":{\"users\":[{\"name\":\"no id\"}]}}",
        "{\"sandbox\":{\"slack_bot_user\":\"U404\"},\"slack\":{\"users\":[]}}",
        "{\"sandbox\":{\"pagerduty_api_user\":\"P404\"}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hb_err e = {0};
        assert_int_equal(hb_write_file_atomic(path, bad[i], strlen(bad[i]), 0600, &e), HB_OK);
        hb_sandbox *sb = NULL;
        hb_sandbox_config cfg = {.data_path = path};
        assert_int_equal(hb_sandbox_start(&cfg, &sb, &e), HB_EUSAGE);
        assert_non_null(strstr(e.msg, path));
    }
    free(path);
    hbt_rmtree(dir);
    free(dir);
}

static void every_slack_route_is_covered(void **state)
{
    (void)state;
    sbt_assert_routes_covered("slack");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(bot_token_auth, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(post_to_a_channel_by_name_id_or_person, sbt_setup,
                                        sbt_teardown),
        cmocka_unit_test_setup_teardown(json_bodies_blocks_and_warnings, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(threads_replies_and_update, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(a_scenario_answers_in_the_thread, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(conversations_list_pages_with_cursors, sbt_setup,
                                        sbt_teardown),
        cmocka_unit_test_setup_teardown(users_lookup_by_email, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(rate_limits_faults_and_the_log, sbt_setup, sbt_teardown),
        cmocka_unit_test(an_older_state_gains_slack_and_pagerduty),
        cmocka_unit_test(seed_checks),
        cmocka_unit_test(every_slack_route_is_covered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
