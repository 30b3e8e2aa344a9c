/* Credentials the way each service checks them: Zendesk basic
 * "email/token:TOKEN" (or a bearer token), GitLab PRIVATE-TOKEN (or
 * bearer), the OAuth client-credentials endpoints of Zuora and Salesforce
 * issuing expiring bearer tokens, Slack's bot token (a bearer header or a
 * form field) and PagerDuty's "Token token=" API key. The credentials are
 * random per state, so every process serving one state file accepts the
 * same ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "sandbox_internal.h"

static void random_text(char *out, size_t n)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char bytes[128];
    if (n > sizeof bytes)
        n = sizeof bytes;
    if (RAND_bytes(bytes, (int)n) != 1) {
        /* Only a sandbox secret; the wall clock still makes it per state. */
        srand((unsigned)hb_clock_wall());
        for (size_t i = 0; i < n; i++)
            bytes[i] = (unsigned char)rand();
    }
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[bytes[i] % (sizeof alphabet - 1)];
    out[n] = '\0';
}

/* Adds obj[key] = prefix + n random characters, unless it is there. */
static bool add_random(cJSON *obj, const char *key, const char *prefix, size_t n)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        return false;
    char rnd[129];
    random_text(rnd, n);
    char *value = hb_xasprintf("%s%s", prefix, rnd);
    cJSON_AddStringToObject(obj, key, value);
    free(value);
    return true;
}

static bool add_hex(cJSON *obj, const char *key, size_t n)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        return false;
    char rnd[129];
    random_text(rnd, n);
    for (size_t i = 0; i < n; i++)
        rnd[i] = "0123456789abcdef"[(unsigned char)rnd[i] % 16];
    cJSON_AddStringToObject(obj, key, rnd);
    return true;
}

/* An email read from a seeded user, for the credentials that name one. */
static bool add_email(cJSON *obj, const char *key, const char *email)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, key) || !email)
        return false;
    cJSON_AddStringToObject(obj, key, email);
    return true;
}

bool sb_generate_credentials(cJSON *state, const cJSON *data)
{
    cJSON *creds = cJSON_GetObjectItemCaseSensitive(state, "credentials");
    if (!cJSON_IsObject(creds))
        creds = cJSON_AddObjectToObject(state, "credentials");
    /* The API user is a seeded agent, so comments made through the API
     * have a real author. */
    const char *email = "sandbox-agent@example.com";
    const cJSON *settings = cJSON_GetObjectItemCaseSensitive(data, "sandbox");
    int64_t uid;
    if (sb_get_int(settings, "zendesk_api_user", &uid)) {
        const cJSON *users = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(data, "zendesk"), "users");
        const char *found = sb_get_str(sb_find_int(users, "id", uid), "email");
        if (found)
            email = found;
    }
    bool added = add_email(creds, "zendesk_email", email);
    added |= add_random(creds, "zendesk_api_token", "", 40);
    added |= add_random(creds, "gitlab_token", "glpat-", 20);
    added |= add_random(creds, "zuora_client_id", "", 32);
    added |= add_random(creds, "zuora_client_secret", "", 40);
    added |= add_random(creds, "salesforce_client_id", "3MVG9", 60);
    added |= add_random(creds, "salesforce_client_secret", "", 64);
    /* Slack bot tokens are "xoxb-" then workspace and bot numbers and a
     * secret; PagerDuty API keys are 20 characters, integration (routing)
     * keys 32 hexadecimal ones. A state saved before Slack and PagerDuty
     * existed gets them on its next start. */
    added |= add_random(creds, "slack_bot_token", "xoxb-1000000001-2000000002-", 24);
    added |= add_random(creds, "pagerduty_token", "", 20);
    added |= add_email(creds, "pagerduty_from", sb_pd_api_user_email(data));
    added |= add_hex(creds, "pagerduty_routing_key", 32);
    return added;
}

static const char *cred(const sb_ctx *cx, const char *name)
{
    const cJSON *creds = cJSON_GetObjectItemCaseSensitive(cx->sb->state, "credentials");
    const char *v = sb_get_str(creds, name);
    return v ? v : "";
}

/* The value after "Bearer " (or Salesforce's older "OAuth "), else NULL. */
static const char *bearer(const sb_ctx *cx)
{
    const char *h = sb_header(cx, "Authorization");
    if (!h)
        return NULL;
    if (!strncasecmp(h, "Bearer ", 7))
        return h + 7;
    if (cx->service == SB_SALESFORCE && !strncasecmp(h, "OAuth ", 6))
        return h + 6;
    return NULL;
}

static bool zendesk_basic_ok(const sb_ctx *cx)
{
    const char *h = sb_header(cx, "Authorization");
    if (!h || strncasecmp(h, "Basic ", 6) != 0)
        return false;
    const char *b64 = h + 6;
    size_t len = strlen(b64), n;
    unsigned char *decoded = len > 0 && len <= 1024 ? hb_base64_decode(b64, len, &n) : NULL;
    char *colon = decoded ? strchr((char *)decoded, ':') : NULL;
    if (!colon) {
        free(decoded);
        return false;
    }
    *colon = '\0';
    const char *user = (const char *)decoded, *password = colon + 1;
    const char *email = cred(cx, "zendesk_email");
    size_t elen = strlen(email);
    bool ok = !strncasecmp(user, email, elen) && !strcmp(user + elen, "/token") &&
              !strcmp(password, cred(cx, "zendesk_api_token"));
    free(decoded);
    return ok;
}

static bool token_valid(const sb_ctx *cx, const char *service, const char *token)
{
    const cJSON *tokens = cJSON_GetObjectItemCaseSensitive(cx->sb->state, "tokens");
    int64_t now_s = hb_clock_wall() / 1000000;
    const cJSON *t;
    cJSON_ArrayForEach(t, tokens)
    {
        int64_t expires;
        const char *svc = sb_get_str(t, "service"), *value = sb_get_str(t, "token");
        if (svc && value && !strcmp(svc, service) && !strcmp(value, token) &&
            sb_get_int(t, "expires_at", &expires) && expires > now_s)
            return true;
    }
    return false;
}

bool sb_auth_check(sb_ctx *cx)
{
    const char *tok = bearer(cx);
    switch (cx->service) {
    case SB_ZENDESK:
        if (zendesk_basic_ok(cx) || (tok && !strcmp(tok, cred(cx, "zendesk_api_token"))))
            return true;
        sb_add_header(cx, "WWW-Authenticate", "Basic realm=\"Web Password\"");
        sb_zendesk_error(cx, 401, "Couldn't authenticate you", NULL);
        return false;
    case SB_GITLAB: {
        const char *pt = sb_header(cx, "PRIVATE-TOKEN");
        const char *want = cred(cx, "gitlab_token");
        if ((pt && !strcmp(pt, want)) || (tok && !strcmp(tok, want)))
            return true;
        sb_gitlab_error(cx, 401, "401 Unauthorized");
        return false;
    }
    case SB_ZUORA:
        if (tok && token_valid(cx, "zuora", tok))
            return true;
        sb_zuora_error(cx, 401, 90000011, "this resource is protected, please sign in first");
        return false;
    case SB_SALESFORCE:
        if (tok && token_valid(cx, "salesforce", tok))
            return true;
        sb_salesforce_error(cx, 401, "INVALID_SESSION_ID", "Session expired or invalid");
        return false;
    case SB_SLACK: {
        /* A bearer header, or the form's token field (never one in a JSON
         * body or the query string, which Slack refuses too). Slack answers
         * both failures with HTTP 200. */
        const char *given = tok ? tok : sb_form(cx, "token");
        if (given && !strcmp(given, cred(cx, "slack_bot_token")))
            return true;
        sb_slack_error(cx, 200, given && *given ? "invalid_auth" : "not_authed", NULL);
        return false;
    }
    case SB_PAGERDUTY: {
        const char *h = sb_header(cx, "Authorization");
        if (h && !strncasecmp(h, "Token token=", 12) &&
            !strcmp(h + 12, cred(cx, "pagerduty_token")))
            return true;
        sb_pd_error(cx, 401, 2006, "Authentication failed", NULL);
        return false;
    }
    default:
        return true;
    }
}

static const char *token_param(sb_ctx *cx, const char *name)
{
    const char *v = sb_form(cx, name);
    return v ? v : sb_query(cx, name);
}

/* Records a new token in the state, dropping expired ones. */
#define ISSUED_MAX 10000

static void issue_token(sb_ctx *cx, const char *service, const char *token)
{
    cJSON *tokens = sb_ensure_array(cx->sb->state, "tokens");
    int64_t now_s = hb_clock_wall() / 1000000;
    for (cJSON *t = tokens->child, *next; t; t = next) {
        next = t->next;
        int64_t expires;
        if (!sb_get_int(t, "expires_at", &expires) || expires <= now_s)
            cJSON_Delete(cJSON_DetachItemViaPointer(tokens, t));
    }
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "service", service);
    cJSON_AddStringToObject(t, "token", token);
    cJSON_AddNumberToObject(t, "expires_at", (double)(now_s + cx->sb->token_ttl_s));
    cJSON_AddItemToArray(tokens, t);
    cx->changed = true;
    /* Kept for GET /__sandbox/tokens: a test can look for every token
     * hb was ever given, expired ones too. */
    cJSON_AddItemToArray(cx->sb->issued, cJSON_CreateString(token));
    if (cJSON_GetArraySize(cx->sb->issued) > ISSUED_MAX)
        cJSON_DeleteItemFromArray(cx->sb->issued, 0);
}

static bool client_ok(sb_ctx *cx, const char *id_key, const char *secret_key)
{
    const char *id = token_param(cx, "client_id"), *secret = token_param(cx, "client_secret");
    return id && secret && !strcmp(id, cred(cx, id_key)) && !strcmp(secret, cred(cx, secret_key));
}

/* An OAuth 2.0 token-endpoint error (RFC 6749 section 5.2): both services
 * answer with the same two fields, differing only in status and words. */
static void reply_oauth_error(sb_ctx *cx, int status, const char *error, const char *description)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "error", error);
    cJSON_AddStringToObject(body, "error_description", description);
    sb_reply_json(cx, status, body);
}

void sb_h_zuora_token(sb_ctx *cx)
{
    const char *grant = token_param(cx, "grant_type");
    if (!grant || strcmp(grant, "client_credentials") != 0) {
        reply_oauth_error(cx, 400, "unsupported_grant_type",
                          "grant_type must be client_credentials");
        return;
    }
    if (!client_ok(cx, "zuora_client_id", "zuora_client_secret")) {
        reply_oauth_error(cx, 401, "invalid_client", "Bad client credentials");
        return;
    }
    char token[41];
    random_text(token, 32);
    issue_token(cx, "zuora", token);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "access_token", token);
    cJSON_AddStringToObject(body, "token_type", "bearer");
    cJSON_AddNumberToObject(body, "expires_in", (double)cx->sb->token_ttl_s);
    cJSON_AddStringToObject(body, "scope", "entity.sandbox platform.write service.genesis.read");
    /* As in Zuora's own documented example: the token id is the token. */
    cJSON_AddStringToObject(body, "jti", token);
    sb_reply_json(cx, 200, body);
}

void sb_h_salesforce_token(sb_ctx *cx)
{
    const char *grant = token_param(cx, "grant_type");
    if (!grant || strcmp(grant, "client_credentials") != 0) {
        reply_oauth_error(cx, 400, "unsupported_grant_type", "grant type not supported");
        return;
    }
    if (!client_ok(cx, "salesforce_client_id", "salesforce_client_secret")) {
        reply_oauth_error(cx, 400, "invalid_client", "invalid client credentials");
        return;
    }
    cJSON *body = cJSON_CreateObject();
    char rnd[97], sig[45];
    random_text(rnd, 96);
    random_text(sig, 44);
    char *token = hb_xasprintf("00DSANDBOX!%s", rnd);
    issue_token(cx, "salesforce", token);
    const char *base = sb_base_url(cx);
    char *id_url = hb_xasprintf("%s/id/00DSANDBOX000001AAA/005SANDBOX000001AAA", base);
    char issued[32];
    snprintf(issued, sizeof issued, "%lld", (long long)(hb_clock_wall() / 1000));
    cJSON_AddStringToObject(body, "access_token", token);
    cJSON_AddStringToObject(body, "signature", sig);
    cJSON_AddStringToObject(body, "scope", "api");
    cJSON_AddStringToObject(body, "instance_url", base);
    cJSON_AddStringToObject(body, "id", id_url);
    cJSON_AddStringToObject(body, "token_type", "Bearer");
    cJSON_AddStringToObject(body, "issued_at", issued);
    sb_reply_json(cx, 200, body);
    free(token);
    free(id_url);
}

void sb_revoke_tokens(hb_sandbox *sb)
{
    sb_set(sb->state, "tokens", cJSON_CreateArray());
}
