/* `hb call` through the real binary against the loopback peer: one call of
 * each service, a list printed as one array, a service error printed as
 * the uniform error with exit 1, a dry run that sends no write, the
 * credentials file rule, and the secrets test: no secret, no base64 form of
 * one, and no token the peer issued appears on stdout, stderr or in any
 * file under HB_HOME (the SQLite database and its WAL included). */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "hb/util.h"
#include "http_peer.h"
#include "run_hb.h"
#include "test_support.h"

typedef struct call_env {
    hbt_peer *peer;
    char *home;
    char *home_var;
    hb_buf printed; /* every stdout and stderr, for the secrets scan */
} call_env;

static const char *const SECRETS[] = {
    "zd-api-token-SECRET1",
    "glpat-SECRET2",
    "zuora-client-SECRET3",
    "sf-client-SECRET4",
    "zuora-issued-TOKEN-77",
    "sf-issued-TOKEN-88",
    "agent@example.com/token:zd-api-token-SECRET1",
    NULL,
};

static void write_credentials(call_env *c, int mode)
{
    char *path = hb_path_join(c->home, "credentials");
    const char *url = hbt_peer_url(c->peer);
    char text[1024];
    snprintf(text, sizeof text,
             "# written by test_cli_call\n"
             "ZENDESK_URL=%s\nZENDESK_EMAIL=agent@example.com\n"
             "ZENDESK_API_TOKEN=zd-api-token-SECRET1\n"
             "GITLAB_URL=%s\nGITLAB_TOKEN=glpat-SECRET2\n"
             "ZUORA_URL=%s\nZUORA_CLIENT_ID=zuora-client-id\n"
             "ZUORA_CLIENT_SECRET=zuora-client-SECRET3\n"
             "SALESFORCE_URL=%s\nSALESFORCE_CLIENT_ID=sf-client-id\n"
             "SALESFORCE_CLIENT_SECRET=sf-client-SECRET4\n",
             url, url, url, url);
    hbt_write(path, text);
    chmod(path, (mode_t)mode);
    free(path);
}

static int setup(void **state)
{
    call_env *c = calloc(1, sizeof *c);
    c->peer = hbt_peer_start();
    c->home = hbt_tempdir();
    c->home_var = hb_xasprintf("HB_HOME=%s", c->home);
    hb_buf_init(&c->printed);
    write_credentials(c, 0600);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    call_env *c = *state;
    hbt_peer_stop(c->peer);
    hbt_rmtree(c->home);
    free(c->home);
    free(c->home_var);
    hb_buf_free(&c->printed);
    free(c);
    return 0;
}

static hbt_output call(call_env *c, const char *const *args)
{
    const char *env[] = {c->home_var, "HB_HTTP_BACKOFF_BASE_MS=1", "HB_ACTOR=tester", NULL};
    hbt_output o = hbt_run_hb(args, env);
    hb_buf_puts(&c->printed, o.out);
    hb_buf_puts(&c->printed, o.err);
    return o;
}

static void one_call_of_each_service(void **state)
{
    call_env *c = *state;
    char token[256];
    hbt_peer_reply(c->peer, "GET", "/api/v2/tickets/1.json", 200, NULL,
                   "{\"ticket\":{\"id\":1,\"subject\":\"Cannot log in\",\"organization_id\":5}}");
    hbt_peer_reply(c->peer, "GET", "/api/v4/projects/grp%2Fproj/issues/3", 200, NULL,
                   "{\"iid\":3,\"state\":\"opened\"}");
    hbt_peer_reply(c->peer, "POST", "/oauth/token", 200, NULL,
                   "{\"access_token\":\"zuora-issued-TOKEN-77\",\"expires_in\":3599}");
    hbt_peer_reply(c->peer, "GET", "/v1/subscriptions/A-S00001", 200, NULL,
                   "{\"success\":true,\"subscriptionNumber\":\"A-S00001\",\"status\":\"Active\"}");
    snprintf(token, sizeof token,
             "{\"access_token\":\"sf-issued-TOKEN-88\",\"instance_url\":\"%s\"}",
             hbt_peer_url(c->peer));
    hbt_peer_reply(c->peer, "POST", "/services/oauth2/token", 200, NULL, token);
    hbt_peer_reply(c->peer, "GET", "/services/data/v60.0/query", 200, NULL,
                   "{\"done\":true,\"totalSize\":2,\"records\":[{\"Id\":\"006A\"},{\"Id\":"
                   "\"006B\"}]}");

    hbt_output o = call(c, (const char *[]){"call", "zendesk.tickets.get", "1", NULL});
    assert_int_equal(o.status, 0);
    cJSON *v = cJSON_Parse(o.out);
    assert_non_null(v);
    assert_string_equal(cJSON_GetObjectItem(v, "subject")->valuestring, "Cannot log in");
    assert_non_null(strstr(o.out, "\"id\":1,")); /* an integer, not 1.0, on one line for a pipe */
    cJSON_Delete(v);
    hbt_output_free(&o);

    o = call(c, (const char *[]){"call", "gitlab.issues.get", "grp/proj", "3", "--json", NULL});
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "\"iid\":3"));
    hbt_output_free(&o);

    o = call(c, (const char *[]){"call", "zuora.subscriptions.get", "A-S00001", NULL});
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "Active"));
    hbt_output_free(&o);

    o = call(c, (const char *[]){"call", "salesforce.query", "SELECT Id FROM Opportunity", "--json",
                                 NULL});
    assert_int_equal(o.status, 0);
    assert_string_equal(o.out, "[{\"Id\":\"006A\"},{\"Id\":\"006B\"}]\n");
    hbt_output_free(&o);

    o = call(c, (const char *[]){"audit", "verify", NULL});
    assert_int_equal(o.status, 0);
    hbt_output_free(&o);
}

static void service_error_is_printed_and_exits_1(void **state)
{
    call_env *c = *state;
    /* A service that echoes the credential back must not make hb print it. */
    hbt_peer_reply(c->peer, "GET", "/api/v2/tickets/2.json", 401, NULL,
                   "{\"error\":\"Couldn't authenticate you\",\"description\":\"token "
                   "zd-api-token-SECRET1 is not valid\"}");
    /* secrets_never_leave runs this after other calls: count from here. */
    size_t before = hbt_peer_nrequests(c->peer);
    hbt_output o = call(c, (const char *[]){"call", "zendesk.tickets.get", "2", NULL});
    assert_int_equal(o.status, 1);
    cJSON *err = cJSON_Parse(o.out);
    assert_non_null(err);
    assert_string_equal(cJSON_GetObjectItem(err, "service")->valuestring, "zendesk");
    assert_int_equal(cJSON_GetObjectItem(err, "status")->valueint, 401);
    assert_non_null(strstr(cJSON_GetObjectItem(err, "message")->valuestring, "[redacted]"));
    cJSON_Delete(err);
    hbt_output_free(&o);

    o = call(c, (const char *[]){"call", "zendesk.tickets.nope", "2", NULL});
    assert_int_equal(o.status, 2);
    assert_non_null(strstr(o.err, "zendesk.tickets.get"));
    /* The operations are the C table's, in its order, and only the
     * service's own. */
    assert_non_null(strstr(o.err, "it has: zendesk.tickets.get, zendesk.tickets.update, "));
    assert_non_null(strstr(o.err, "zendesk.tickets.set_status"));
    assert_null(strstr(o.err, "gitlab."));
    hbt_output_free(&o);

    /* A helper of other operations is not one to call. */
    o = call(c, (const char *[]){"call", "gitlab.notes.list", "1", "2", NULL});
    assert_int_equal(o.status, 2);
    assert_non_null(strstr(o.err, "gitlab has no operation 'notes.list'"));
    assert_null(strstr(o.err, "gitlab.notes.list"));
    hbt_output_free(&o);
    assert_int_equal(hbt_peer_nrequests(c->peer) - before, 1);
}

static void dry_run_sends_no_write(void **state)
{
    call_env *c = *state;
    hbt_output o = call(c, (const char *[]){"call", "--dry-run", "zendesk.tickets.update", "1",
                                            "{\"status\":\"solved\"}", NULL});
    assert_int_equal(o.status, 0);
    cJSON *v = cJSON_Parse(o.out);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(v, "planned")));
    assert_string_equal(cJSON_GetObjectItem(v, "object")->valuestring, "zendesk:ticket:1");
    cJSON_Delete(v);
    hbt_output_free(&o);
    assert_int_equal(hbt_peer_count(c->peer, "PUT", "/api/v2/tickets/1.json"), 0);

    o = call(c, (const char *[]){"audit", "show", "--object", "zendesk:ticket:1", "--json", NULL});
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "\"type\":\"intent\""));
    assert_non_null(strstr(o.out, "\"dry_run\":true"));
    hbt_output_free(&o);
}

static void readable_credentials_file_is_refused(void **state)
{
    call_env *c = *state;
    write_credentials(c, 0644);
    hbt_output o = call(c, (const char *[]){"call", "zendesk.tickets.get", "1", NULL});
    assert_int_equal(o.status, 2);
    assert_non_null(strstr(o.err, "chmod 600"));
    hbt_output_free(&o);
    assert_int_equal(hbt_peer_nrequests(c->peer), 0);
}

/* --- the secrets scan ---------------------------------------------------- */

static char *base64(const char *s)
{
    size_t len = strlen(s);
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)len);
    return out;
}

static void assert_clean(const char *where, const char *text, size_t len)
{
    for (const char *const *s = SECRETS; *s; s++) {
        char *b64 = base64(*s);
        const char *needles[] = {*s, b64};
        for (int i = 0; i < 2; i++)
            if (memmem(text, len, needles[i], strlen(needles[i])))
                fail_msg("%s contains '%s'", where, needles[i]);
        free(b64);
    }
}

static int scan_file(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (flag != FTW_F || !S_ISREG(st->st_mode) || strstr(path, "/credentials"))
        return 0;
    size_t len = 0;
    hb_err e;
    char *data = hb_read_file(path, &len, &e);
    if (data) {
        assert_clean(path, data, len);
        free(data);
    }
    return 0;
}

static void secrets_never_leave(void **state)
{
    call_env *c = *state;
    one_call_of_each_service(state);
    service_error_is_printed_and_exits_1(state);
    dry_run_sends_no_write(state);
    /* The scan is only meaningful if the peer issued the tokens. */
    assert_true(hbt_peer_count(c->peer, "POST", "/oauth/token") >= 1);
    assert_true(hbt_peer_count(c->peer, "POST", "/services/oauth2/token") >= 1);
    assert_clean("hb's output", c->printed.data, c->printed.len);
    nftw(c->home, scan_file, 16, FTW_PHYS);
    char *db = hb_path_join(c->home, "hb.db");
    assert_true(hb_file_exists(db));
    free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(one_call_of_each_service, setup, teardown),
        cmocka_unit_test_setup_teardown(service_error_is_printed_and_exits_1, setup, teardown),
        cmocka_unit_test_setup_teardown(dry_run_sends_no_write, setup, teardown),
        cmocka_unit_test_setup_teardown(readable_credentials_file_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(secrets_never_leave, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
