/* Helpers shared by the Slack files: slack.c (arguments, replies, lookups,
 * rendering), slack_methods.c (the Web API methods) and slack_patch.c
 * (patches and seed checks).
 *
 * State: data.slack = {"team": {id, name, domain}, "users": [...],
 * "channels": [{id, name, is_private, is_archived, members: [user ids],
 * messages: [{ts, user, text, blocks, thread_ts, ...}]}]}. A thread is
 * every message whose thread_ts is its parent's ts; reply counts are
 * worked out when a message is shown, so a patch that adds a reply needs
 * to touch nothing else. The app's bot user is data.sandbox.slack_bot_user. */
#ifndef HB_SANDBOX_SLACK_INTERNAL_H
#define HB_SANDBOX_SLACK_INTERNAL_H

#include "sandbox_internal.h"

/* ---- arguments and replies ---- */

/* Reads the method's arguments (query string, then a form body, then a JSON
 * body when json_ok: Slack takes JSON for its write methods only). False,
 * having replied invalid_json or json_not_object, when the JSON is bad. */
bool sb_slack_read_args(sb_ctx *cx, bool json_ok);
/* A string argument, NULL when absent or empty (Slack treats both alike). */
const char *sb_slack_arg(sb_ctx *cx, const char *name);
/* An argument that holds JSON (blocks, attachments): a JSON value, or a
 * string of JSON as a form sends it. NULL when absent; *bad when present
 * but not JSON. The result is owned by cx. */
const cJSON *sb_slack_json_arg(sb_ctx *cx, const char *name, bool *bad);
bool sb_slack_flag(sb_ctx *cx, const char *name);
/* HTTP 200 with "ok": true before body's fields, and Slack's warnings
 * about the Content-Type's charset. Takes body. */
void sb_slack_reply(sb_ctx *cx, cJSON *body);
/* {"ok": false, "error": code} with HTTP 200, as Slack answers. */
void sb_slack_fail(sb_ctx *cx, const char *code);

/* ---- lookups ---- */

cJSON *sb_slack_channels(cJSON *data);
cJSON *sb_slack_users(cJSON *data);
cJSON *sb_slack_user(cJSON *data, const char *id);
cJSON *sb_slack_user_by_email(cJSON *data, const char *email);
/* The channel with this id, or NULL. */
cJSON *sb_slack_channel(cJSON *data, const char *id);
cJSON *sb_slack_messages(cJSON *channel);
cJSON *sb_slack_message(cJSON *channel, const char *ts);
/* The app's bot user id, bot id and app id (defaults when not seeded). */
const char *sb_slack_bot_user(const cJSON *data);
const char *sb_slack_bot_id(const cJSON *data);
const char *sb_slack_team_id(const cJSON *data);
bool sb_slack_is_member(const cJSON *channel, const char *user);
/* Whether the bot may see the channel: public, or private with the bot in
 * it (a private channel is invisible otherwise, as on Slack). */
bool sb_slack_visible(const cJSON *data, const cJSON *channel);

/* ---- timestamps ---- */

/* "1700000000.000100" → microseconds; -1 when it is not a ts. */
int64_t sb_slack_ts_us(const char *ts);
/* A new ts for a message in channel: the clock's, or just after the
 * channel's newest, so the messages of a channel stay in ts order. */
void sb_slack_new_ts(const cJSON *channel, char out[32]);

/* ---- paging cursors (base64 of "prefix:value", like Slack's) ---- */

char *sb_slack_cursor_make(const char *prefix, const char *value);
/* The value of a cursor with this prefix, newly allocated, or NULL. */
char *sb_slack_cursor_value(const char *cursor, const char *prefix);

/* ---- rendering ---- */

cJSON *sb_slack_render_user(const cJSON *data, const cJSON *user);
cJSON *sb_slack_render_channel(const cJSON *data, const cJSON *channel);
/* A message as Slack shows it, with its thread's counts when it is a
 * parent and parent_user_id when it is a reply. */
cJSON *sb_slack_render_message(const cJSON *data, const cJSON *channel, const cJSON *message);

#endif
