/* Credentials and auth per service: Zendesk basic (email/token) or OAuth
 * bearer, GitLab PRIVATE-TOKEN, Zuora and Salesforce OAuth2 client
 * credentials with the token cached (Zuora until it expires, Salesforce
 * until refused). Every value that authenticates is remembered in
 * s->secrets before it can reach any output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services_internal.h"

/* A token this close to its expiry is fetched again rather than used. */
#define TOKEN_MARGIN_US (60LL * 1000000)

void svc_conn_free(svc_conn *c)
{
    hb_http_free(c->http);
    free(c->url);
    free(c->api_base);
    hb_wipe_free(c->auth_header);
    hb_wipe_free(c->client_id);
    hb_wipe_free(c->client_secret);
    free(c->version_header);
    memset(c, 0, sizeof *c);
}

bool svc_uses_oauth(const svc_conn *c)
{
    return c->def->auth == HB_AUTH_CLIENT_CREDENTIALS;
}

static const char *var(hb_services *s, const char *name)
{
    const char *v = s->cfg.getvar ? s->cfg.getvar(s->cfg.getvar_ud, name) : NULL;
    return v && *v ? v : NULL;
}

/* Appends " NAME" to the list of missing variables when it is unset. */
static const char *need(hb_services *s, const char *name, hb_buf *missing)
{
    const char *v = var(s, name);
    if (!v) {
        hb_buf_puts(missing, missing->len ? ", " : "");
        hb_buf_puts(missing, name);
    }
    return v;
}

static hb_status missing_error(const svc_conn *c, hb_buf *missing, hb_err *e)
{
    const char *service = c->name, *all = c->def->needs;
    hb_status st = hb_err_set(e, HB_EUSAGE,
                              "%s is not configured: set %s (needs %s) in the environment or "
                              "in $HB_HOME/credentials",
                              service, missing->data, all);
    hb_buf_free(missing);
    return st;
}

static hb_status check_base_url(hb_services *s, svc_conn *c, const char *url, const char *var_name,
                                const char *api_suffix, hb_err *e)
{
    hb_status st = hb_http_check_url(url, var_name, e);
    if (st != HB_OK)
        return st;
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        n--;
    c->url = hb_xstrndup(url, n);
    if (api_suffix && hb_str_ends_with(c->url, api_suffix))
        return hb_err_set(e, HB_EUSAGE, "%s carries no API suffix: drop the trailing %s", var_name,
                          api_suffix);
    c->api_base = hb_xstrdup(c->url);
    (void)s;
    return HB_OK;
}

/* After a service's variables were read: refuses naming every missing one,
 * else takes the base URL. */
static hb_status settle_variables(hb_services *s, svc_conn *c, hb_buf *missing, const char *url,
                                  hb_err *e)
{
    if (missing->len)
        return missing_error(c, missing, e);
    hb_buf_free(missing);
    return check_base_url(s, c, url, c->def->url_var, c->def->api_suffix, e);
}

static hb_status prepare_zendesk(hb_services *s, svc_conn *c, hb_err *e)
{
    hb_buf missing;
    hb_buf_init(&missing);
    const char *url = need(s, "ZENDESK_URL", &missing);
    const char *oauth = var(s, "ZENDESK_OAUTH_TOKEN");
    const char *email = oauth ? NULL : need(s, "ZENDESK_EMAIL", &missing);
    const char *token = oauth ? NULL : need(s, "ZENDESK_API_TOKEN", &missing);
    hb_status st = settle_variables(s, c, &missing, url, e);
    if (st != HB_OK)
        return st;
    if (oauth) {
        hb_secrets_add(s->secrets, oauth);
        c->auth_header = hb_xasprintf("Authorization: Bearer %s", oauth);
        return HB_OK;
    }
    char *user_pass = hb_xasprintf("%s/token:%s", email, token);
    hb_secrets_add(s->secrets, token);
    hb_secrets_add(s->secrets, user_pass);
    char *b64 = hb_base64_encode(user_pass, strlen(user_pass));
    c->auth_header = hb_xasprintf("Authorization: Basic %s", b64);
    hb_wipe_free(b64);
    hb_wipe_free(user_pass);
    return HB_OK;
}

static hb_status prepare_gitlab(hb_services *s, svc_conn *c, hb_err *e)
{
    hb_buf missing;
    hb_buf_init(&missing);
    const char *url = need(s, "GITLAB_URL", &missing);
    const char *token = need(s, "GITLAB_TOKEN", &missing);
    hb_status st = settle_variables(s, c, &missing, url, e);
    if (st != HB_OK)
        return st;
    hb_secrets_add(s->secrets, token);
    c->auth_header = hb_xasprintf("PRIVATE-TOKEN: %s", token);
    return HB_OK;
}

static hb_status prepare_oauth(hb_services *s, svc_conn *c, hb_err *e)
{
    /* The variables are the table's: *_URL, *_CLIENT_ID, *_CLIENT_SECRET. */
    const char *const *v = c->def->variables;
    hb_buf missing;
    hb_buf_init(&missing);
    const char *url = need(s, v[0], &missing);
    const char *id = need(s, v[1], &missing);
    const char *secret = need(s, v[2], &missing);
    hb_status st = settle_variables(s, c, &missing, url, e);
    if (st != HB_OK)
        return st;
    hb_secrets_add(s->secrets, id);
    hb_secrets_add(s->secrets, secret);
    c->client_id = hb_xstrdup(id);
    c->client_secret = hb_xstrdup(secret);
    if (c->def->version_header) {
        const char *version = var(s, c->def->version_var);
        c->version_header = hb_xasprintf("%s: %s", c->def->version_header,
                                         version ? version : c->def->version_default);
    }
    if (c->def->api_base_from_token) {
        /* Calls go to the instance_url the token endpoint names. */
        free(c->api_base);
        c->api_base = NULL;
    }
    return HB_OK;
}

hb_status svc_prepare(hb_services *s, svc_conn *c, hb_err *e)
{
    if (c->ready)
        return HB_OK;
    hb_status st;
    switch (c->def->auth) {
    case HB_AUTH_ZENDESK:
        st = prepare_zendesk(s, c, e);
        break;
    case HB_AUTH_PRIVATE_TOKEN:
        st = prepare_gitlab(s, c, e);
        break;
    default:
        st = prepare_oauth(s, c, e);
        break;
    }
    if (st == HB_OK && !c->http) {
        c->http = hb_http_new(&s->limits, s->user_agent);
        if (!c->http)
            st = hb_err_set(e, HB_EINTERNAL, "cannot set up an HTTP handle for %s", c->name);
    }
    if (st != HB_OK) {
        const hb_service_def *def = c->def;
        svc_conn_free(c);
        c->def = def;
        c->name = def->name;
        return st;
    }
    c->ready = true;
    return HB_OK;
}

hb_status hb_services_check(hb_services *s, const char *service, hb_err *e)
{
    for (size_t i = 0; i < hb_service_count; i++)
        if (!strcmp(service, hb_service_defs[i].name))
            return svc_prepare(s, &s->conns[i], e);
    return hb_err_set(e, HB_EUSAGE, "unknown service '%s'", service);
}

char *hb_services_web_base(hb_services *s, const char *service)
{
    const hb_service_def *def = hb_service_lookup(service);
    if (!def)
        return NULL;
    /* ZENDESK_URL -> ZENDESK_WEB_URL */
    char name[64];
    size_t stem = strlen(def->url_var) - strlen("_URL");
    snprintf(name, sizeof name, "%.*s_WEB_URL", (int)stem, def->url_var);
    const char *url = var(s, name);
    const char *from = name;
    if (!url || !*url) {
        url = var(s, def->url_var);
        from = def->url_var;
    }
    hb_err ignored;
    if (!url || hb_http_check_url(url, from, &ignored) != HB_OK)
        return NULL;
    size_t len = strlen(url);
    while (len > 0 && url[len - 1] == '/')
        len--;
    return hb_xstrndup(url, len);
}

static char *token_form(const svc_conn *c)
{
    char *id = hb_http_escape(c->client_id);
    char *secret = hb_http_escape(c->client_secret);
    char *form =
        hb_xasprintf("grant_type=client_credentials&client_id=%s&client_secret=%s", id, secret);
    hb_wipe_free(id);
    hb_wipe_free(secret);
    return form;
}

/* Reads the token endpoint's answer into the connection. */
static hb_status take_token(hb_services *s, svc_conn *c, const hb_http_response *r, cJSON **error,
                            hb_err *e)
{
    cJSON *body = cJSON_ParseWithLength(r->body.data ? r->body.data : "", r->body.len);
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(body, "access_token");
    if (!cJSON_IsString(token) || !*token->valuestring) {
        *error = svc_error_make(c->name, r->status, "malformed_response",
                                "the token endpoint answered without an access_token", NULL,
                                svc_request_id(r, body));
        cJSON_Delete(body);
        return svc_error_to_err(*error, NULL, e);
    }
    /* Remembered first, so nothing that follows can print it. */
    hb_secrets_add(s->secrets, token->valuestring);
    if (c->def->api_base_from_token) {
        const cJSON *inst = cJSON_GetObjectItemCaseSensitive(body, "instance_url");
        hb_status st = cJSON_IsString(inst)
                           ? hb_http_check_url(inst->valuestring,
                                               "the instance_url Salesforce "
                                               "returned",
                                               e)
                           : hb_err_set(e, HB_EFAILED,
                                        "salesforce: the token endpoint answered without an "
                                        "instance_url");
        if (st != HB_OK) {
            *error = svc_error_make(c->name, r->status, "malformed_response", e->msg, NULL,
                                    svc_request_id(r, body));
            cJSON_Delete(body);
            return HB_EFAILED;
        }
        size_t n = strlen(inst->valuestring);
        while (n > 0 && inst->valuestring[n - 1] == '/')
            n--;
        free(c->api_base);
        c->api_base = hb_xstrndup(inst->valuestring, n);
    }
    const cJSON *expires = cJSON_GetObjectItemCaseSensitive(body, "expires_in");
    c->token_expires = cJSON_IsNumber(expires) && expires->valuedouble > 0
                           ? hb_clock_wall() + (hb_time_us)(expires->valuedouble * 1e6)
                           : 0;
    hb_wipe_free(c->auth_header);
    c->auth_header = hb_xasprintf("Authorization: Bearer %s", token->valuestring);
    cJSON_Delete(body);
    return HB_OK;
}

hb_status svc_ensure_token(hb_services *s, svc_conn *c, bool force, cJSON **error, hb_err *e)
{
    *error = NULL;
    if (!svc_uses_oauth(c))
        return HB_OK;
    if (!force && c->auth_header &&
        (c->token_expires == 0 || hb_clock_wall() < c->token_expires - TOKEN_MARGIN_US))
        return HB_OK;
    hb_wipe_free(c->auth_header);
    c->auth_header = NULL;

    const char *path = c->def->token_path;
    char *form = token_form(c);
    char op[64];
    snprintf(op, sizeof op, "%s.oauth.token", c->name);
    svc_call k = {
        .conn = c,
        .op = op,
        .method = "POST",
        .url = hb_xasprintf("%s%s", c->url, path),
        .audit_path = hb_xstrdup(path),
        .body = form,
        .body_len = strlen(form),
        .content_type = "application/x-www-form-urlencoded",
        .token_fetch = true,
    };
    hb_status st = svc_audit_body(s, form, k.body_len, k.request_digest, e);
    hb_http_response r;
    hb_http_response_init(&r);
    svc_outcome oc = {0};
    if (st == HB_OK)
        st = svc_exchange(s, &k, &r, &oc, e);
    if (st == HB_EFAILED && r.failure != HB_HTTP_NO_FAILURE) {
        *error = svc_error_transport(s, c->name, &r);
        st = svc_error_to_err(*error, k.op, e);
    } else if (st == HB_OK) {
        if (r.status >= 200 && r.status < 300) {
            st = take_token(s, c, &r, error, e);
        } else {
            cJSON *body = cJSON_ParseWithLength(r.body.data ? r.body.data : "", r.body.len);
            *error = svc_error_from_response(s, c->name, &r, body);
            cJSON_Delete(body);
            st = svc_error_to_err(*error, k.op, e);
        }
    }
    hb_http_response_free(&r);
    hb_wipe_free(form);
    free(k.url);
    free(k.audit_path);
    return st;
}
