/* Helpers for the sandbox tests: an in-process sandbox on an ephemeral
 * port, real HTTP to it with libcurl, each service's credentials, and a
 * record of which routes the tests reached so each test file can prove it
 * covers every route of its services. */
#ifndef HB_SANDBOX_TEST_H
#define HB_SANDBOX_TEST_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "hb/sandbox.h"
#include "test_support.h"

typedef struct sbt {
    hb_sandbox *sb;
    char *url;
    char *dir; /* scratch folder, removed by sbt_stop */
    char *zuora_token;
    char *salesforce_token;
    void *curl; /* one handle, so connections are reused (keep-alive) */
    /* A new connection per request. libcurl silently re-sends a request
     * whose reused connection closed without an answer, which would hide
     * an injected drop. */
    bool fresh_connections;
} sbt;

typedef struct sbt_resp {
    long status;
    char *body;
    char *headers; /* raw header block, lower-cased names */
    cJSON *json;   /* parsed body or NULL */
    bool failed;   /* transport error: nothing came back */
} sbt_resp;

/* Starts a sandbox with the shipped seed; any field of cfg may be NULL/0.
 * Fails the test when it cannot start. */
sbt *sbt_start(const hb_sandbox_config *cfg);
/* Records route hits, stops the sandbox and frees everything. */
void sbt_stop(sbt *t);
/* cmocka fixtures: a sandbox on the shipped seed, on the real clock
 * (HB_NOW unset), in *state for the test; stopped after it. */
int sbt_setup(void **state);
int sbt_teardown(void **state);

/* One request. extra_headers: NULL-terminated "Name: value" strings. */
sbt_resp sbt_request(sbt *t, const char *method, const char *path, const char *const *headers,
                     const char *body);
void sbt_resp_free(sbt_resp *r);
/* The value of a response header (case-insensitive), newly allocated or NULL. */
char *sbt_header(const sbt_resp *r, const char *name);

/* Requests with each service's credentials (JSON bodies). Zuora and
 * Salesforce fetch a token first and reuse it. */
sbt_resp sbt_zendesk(sbt *t, const char *method, const char *path, const char *body);
sbt_resp sbt_gitlab(sbt *t, const char *method, const char *path, const char *body);
sbt_resp sbt_zuora(sbt *t, const char *method, const char *path, const char *body);
sbt_resp sbt_salesforce(sbt *t, const char *method, const char *path, const char *body);
/* Slack: a form body (or none) with the bot token as a bearer header. */
sbt_resp sbt_slack(sbt *t, const char *method, const char *path, const char *form);
/* Slack with a JSON body ("Content-Type: application/json; charset=utf-8"). */
sbt_resp sbt_slack_json(sbt *t, const char *path, const char *json);
/* PagerDuty REST: "Token token=…", the PagerDuty Accept header and, when
 * from is not NULL, a From header. JSON bodies. */
sbt_resp sbt_pagerduty(sbt *t, const char *method, const char *path, const char *from,
                       const char *body);
/* The sandbox's data (GET /__sandbox/state), parsed; the caller frees it. */
cJSON *sbt_state(sbt *t);
/* The sandbox's value of a variable such as "ZENDESK_API_TOKEN". */
const char *sbt_var(sbt *t, const char *name);

/* Every route of the service (by name) was answered below 400 by some
 * test of this executable; fails naming the routes that were not. */
void sbt_assert_routes_covered(const char *service);

/* Shortcuts into parsed JSON: "ticket.tags" style paths, [n] for arrays. */
cJSON *sbt_json_at(cJSON *root, const char *path);
const char *sbt_str_at(cJSON *root, const char *path);
double sbt_num_at(cJSON *root, const char *path);

#endif
