/* The sandbox's Zuora and Salesforce APIs over real HTTP: OAuth client
 * credentials, revoked tokens, subscriptions and accounts, ZOQL with
 * queryMore, SOQL with relationships and nextRecordsUrl, sObject reads and
 * PATCH, and both services' error shapes. */
#include <stdlib.h>
#include <string.h>

#include "hb/util.h"
#include "sandbox_test.h"

static sbt_resp form_post(sbt *t, const char *path, const char *form)
{
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    return sbt_request(t, "POST", path, headers, form);
}

static void zuora_token_endpoint(void **state)
{
    sbt *t = *state;
    char *form = hb_xasprintf("grant_type=client_credentials&client_id=%s&client_secret=%s",
                              sbt_var(t, "ZUORA_CLIENT_ID"), sbt_var(t, "ZUORA_CLIENT_SECRET"));
    sbt_resp r = form_post(t, "/oauth/token", form);
    free(form);
    assert_int_equal(r.status, 200);
    assert_int_equal(sbt_num_at(r.json, "expires_in"), 3599);
    assert_string_equal(sbt_str_at(r.json, "token_type"), "bearer");
    /* As in Zuora's documented example: the token again, as jti. */
    char *token = hb_xstrdup(sbt_str_at(r.json, "access_token"));
    assert_string_equal(sbt_str_at(r.json, "jti"), token);
    sbt_resp_free(&r);
    /* Every token issued stays listed for tests that look for it. */
    r = sbt_request(t, "GET", "/__sandbox/tokens", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "issued"), 0)->valuestring,
                        token);
    sbt_resp_free(&r);
    free(token);

    r = form_post(t, "/oauth/token", "grant_type=client_credentials&client_id=x&client_secret=y");
    assert_int_equal(r.status, 401);
    sbt_resp_free(&r);

    /* the request log never shows the secret */
    char *log = hb_sandbox_requests_json(t->sb);
    assert_null(strstr(log, sbt_var(t, "ZUORA_CLIENT_SECRET")));
    assert_non_null(strstr(log, "[redacted]"));
    free(log);
}

static void zuora_subscriptions_and_accounts(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_zuora(t, "GET", "/v1/subscriptions/A-S00002052", NULL);
    assert_int_equal(r.status, 200);
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "success")));
    assert_string_equal(sbt_str_at(r.json, "accountNumber"), "A00002015");
    assert_string_equal(sbt_str_at(r.json, "invoiceOwnerAccountNumber"), "R00009001");
    assert_string_equal(sbt_str_at(r.json, "invoiceOwnerAccountName"), "Channel Partner Inc");
    assert_string_equal(sbt_str_at(r.json, "ratePlans[0].ratePlanCharges[0].name"),
                        "Users in license");
    assert_int_equal(sbt_num_at(r.json, "ratePlans[0].ratePlanCharges[0].quantity"), 30);
    char *remaining = sbt_header(&r, "ratelimit-remaining");
    assert_non_null(remaining);
    free(remaining);
    sbt_resp_free(&r);

    /* an unknown key: HTTP 200 carrying success:false */
    r = sbt_zuora(t, "GET", "/v1/subscriptions/A-S404", NULL);
    assert_int_equal(r.status, 200);
    assert_true(cJSON_IsFalse(sbt_json_at(r.json, "success")));
    assert_int_equal(sbt_num_at(r.json, "reasons[0].code"), 50000040);
    assert_string_equal(sbt_str_at(r.json, "reasons[0].message"),
                        "Cannot find entity by key: 'A-S404'.");
    sbt_resp_free(&r);

    r = sbt_zuora(t, "GET", "/v1/subscriptions/accounts/A00002004?page=1&pageSize=1", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "subscriptions")), 1);
    const char *next = sbt_str_at(r.json, "nextPage");
    assert_non_null(next);
    assert_non_null(strstr(next, "page=2"));
    sbt_resp_free(&r);
    r = sbt_zuora(t, "GET", "/v1/subscriptions/accounts/A00002004?page=2&pageSize=1", NULL);
    assert_string_equal(sbt_str_at(r.json, "subscriptions[0].subscriptionNumber"), "A-S00002042");
    assert_null(sbt_json_at(r.json, "nextPage"));
    sbt_resp_free(&r);
    r = sbt_zuora(t, "GET", "/v1/subscriptions/accounts/A00002004?pageSize=41", NULL);
    assert_true(cJSON_IsFalse(sbt_json_at(r.json, "success")));
    sbt_resp_free(&r);

    r = sbt_zuora(t, "GET", "/v1/accounts/A00002005/summary", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "basicInfo.salesRep"), "Omar Seller");
    assert_string_equal(sbt_str_at(r.json, "subscriptions[0].subscriptionNumber"), "A-S00002051");
    assert_non_null(sbt_json_at(r.json, "billToContact.workEmail"));
    sbt_resp_free(&r);
}

static void zuora_query_and_query_more(void **state)
{
    sbt *t = *state;
    sbt_resp r =
        sbt_zuora(t, "POST", "/v1/action/query",
                  "{\"queryString\":\"select Id, Name, InvoiceOwnerId, TermEndDate from "
                  "Subscription where AccountNumber = 'A00002004' and Status = 'active'\"}");
    assert_int_equal(r.status, 200);
    assert_int_equal(sbt_num_at(r.json, "size"), 2);
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "done")));
    assert_string_equal(sbt_str_at(r.json, "records[0].Name"), "A-S00002041");
    assert_non_null(sbt_str_at(r.json, "records[0].InvoiceOwnerId"));
    sbt_resp_free(&r);

    /* more rows than a batch: queryMore continues where query stopped */
    r = sbt_zuora(t, "POST", "/v1/action/query",
                  "{\"queryString\":\"select AccountNumber, Name from Account where Status = "
                  "'Active'\",\"conf\":{\"batchSize\":5}}");
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "records")), 5);
    assert_true(cJSON_IsFalse(sbt_json_at(r.json, "done")));
    int total = (int)sbt_num_at(r.json, "size");
    int seen = 5;
    char *locator = hb_xstrdup(sbt_str_at(r.json, "queryLocator"));
    sbt_resp_free(&r);
    while (locator) {
        char *body = hb_xasprintf("{\"queryLocator\":\"%s\"}", locator);
        free(locator);
        locator = NULL;
        r = sbt_zuora(t, "POST", "/v1/action/queryMore", body);
        free(body);
        assert_int_equal(r.status, 200);
        seen += cJSON_GetArraySize(sbt_json_at(r.json, "records"));
        if (!cJSON_IsTrue(sbt_json_at(r.json, "done")))
            locator = hb_xstrdup(sbt_str_at(r.json, "queryLocator"));
        sbt_resp_free(&r);
    }
    assert_int_equal(seen, total);
    assert_true(total > 10);

    r = sbt_zuora(t, "POST", "/v1/action/query", "{\"queryString\":\"select from\"}");
    assert_int_equal(r.status, 400);
    assert_true(cJSON_IsFalse(sbt_json_at(r.json, "success")));
    sbt_resp_free(&r);
    r = sbt_zuora(t, "POST", "/v1/action/queryMore", "{\"queryLocator\":\"bogus\"}");
    assert_int_equal(r.status, 400);
    sbt_resp_free(&r);
}

static void revoked_tokens_get_each_service_401(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_zuora(t, "GET", "/v1/subscriptions/A-S00002011", NULL);
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
    r = sbt_salesforce(t, "GET", "/services/data/v60.0/sobjects/User/0055e0000OLIVIAAAA", NULL);
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);

    r = sbt_request(t, "POST", "/__sandbox/revoke-tokens", NULL, "");
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);

    r = sbt_zuora(t, "GET", "/v1/subscriptions/A-S00002011", NULL);
    assert_int_equal(r.status, 401);
    assert_true(cJSON_IsFalse(sbt_json_at(r.json, "success")));
    assert_int_equal(sbt_num_at(r.json, "reasons[0].code"), 90000011);
    sbt_resp_free(&r);
    r = sbt_salesforce(t, "GET", "/services/data/v60.0/sobjects/User/0055e0000OLIVIAAAA", NULL);
    assert_int_equal(r.status, 401);
    assert_string_equal(sbt_str_at(r.json, "[0].errorCode"), "INVALID_SESSION_ID");
    assert_string_equal(sbt_str_at(r.json, "[0].message"), "Session expired or invalid");
    sbt_resp_free(&r);

    /* a fresh token works again: what a binding's refresh-on-401 does */
    free(t->zuora_token);
    t->zuora_token = NULL;
    r = sbt_zuora(t, "GET", "/v1/subscriptions/A-S00002011", NULL);
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
}

static void salesforce_token_and_soql(void **state)
{
    sbt *t = *state;
    char *form =
        hb_xasprintf("grant_type=client_credentials&client_id=%s&client_secret=%s",
                     sbt_var(t, "SALESFORCE_CLIENT_ID"), sbt_var(t, "SALESFORCE_CLIENT_SECRET"));
    sbt_resp r = form_post(t, "/services/oauth2/token", form);
    free(form);
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "instance_url"), t->url);
    assert_string_equal(sbt_str_at(r.json, "token_type"), "Bearer");
    sbt_resp_free(&r);
    r = form_post(t, "/services/oauth2/token", "grant_type=client_credentials&client_id=a");
    assert_int_equal(r.status, 400);
    assert_string_equal(sbt_str_at(r.json, "error"), "invalid_client");
    sbt_resp_free(&r);

    r = sbt_salesforce(t, "GET",
                       "/services/data/v60.0/query?q=SELECT+Id%2C+Type%2C+Owner.Name%2C+Owner.Email"
                       "+FROM+Opportunity+WHERE+AccountId+%3D+%270015e0000UMBR01AAA%27"
                       "+ORDER+BY+CloseDate",
                       NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(sbt_num_at(r.json, "totalSize"), 2);
    assert_string_equal(sbt_str_at(r.json, "records[0].Type"), "New Business");
    assert_string_equal(sbt_str_at(r.json, "records[1].Type"), "New Business");
    assert_string_equal(sbt_str_at(r.json, "records[0].Owner.Email"),
                        "olivia.owner@gitlab.example");
    assert_string_equal(sbt_str_at(r.json, "records[0].attributes.type"), "Opportunity");
    assert_string_equal(sbt_str_at(r.json, "records[0].Id"), "0065e0000UMBRN1AAA");
    char *info = sbt_header(&r, "sforce-limit-info");
    assert_non_null(strstr(info, "api-usage="));
    free(info);
    sbt_resp_free(&r);
}

static void salesforce_next_records_url(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_salesforce(
        t, "GET",
        "/services/data/v60.0/query?q=SELECT+Name+FROM+Account+WHERE+Type+%3D+%27Customer%27",
        NULL);
    int total = (int)sbt_num_at(r.json, "totalSize");
    int seen = cJSON_GetArraySize(sbt_json_at(r.json, "records"));
    assert_true(total > seen);
    char *next = hb_xstrdup(sbt_str_at(r.json, "nextRecordsUrl"));
    sbt_resp_free(&r);
    while (next) {
        r = sbt_salesforce(t, "GET", next, NULL);
        free(next);
        next = NULL;
        assert_int_equal(r.status, 200);
        seen += cJSON_GetArraySize(sbt_json_at(r.json, "records"));
        if (cJSON_IsFalse(sbt_json_at(r.json, "done")))
            next = hb_xstrdup(sbt_str_at(r.json, "nextRecordsUrl"));
        sbt_resp_free(&r);
    }
    assert_int_equal(seen, total);

    r = sbt_salesforce(t, "GET", "/services/data/v60.0/query?q=SELECT+Bogus+FROM+Opportunity",
                       NULL);
    assert_int_equal(r.status, 400);
    assert_string_equal(sbt_str_at(r.json, "[0].errorCode"), "INVALID_FIELD");
    sbt_resp_free(&r);
    r = sbt_salesforce(t, "GET", "/services/data/v60.0/query?q=SELECT+Id+FROM+Lead", NULL);
    assert_string_equal(sbt_str_at(r.json, "[0].errorCode"), "INVALID_TYPE");
    sbt_resp_free(&r);
    r = sbt_salesforce(t, "GET", "/services/data/v60.0/query?q=SELEC", NULL);
    assert_string_equal(sbt_str_at(r.json, "[0].errorCode"), "MALFORMED_QUERY");
    sbt_resp_free(&r);
}

static void salesforce_sobject_read_and_patch(void **state)
{
    sbt *t = *state;
    const char *opp = "/services/data/v60.0/sobjects/Opportunity/0065e0000UMBRN2AAA";
    sbt_resp r = sbt_salesforce(t, "GET", opp, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "OwnerId"), "0055e0000OLIVIAAAA");
    sbt_resp_free(&r);
    char *fields = hb_xasprintf("%s?fields=Type,Owner.Email", opp);
    r = sbt_salesforce(t, "GET", fields, NULL);
    free(fields);
    assert_string_equal(sbt_str_at(r.json, "Owner.Email"), "olivia.owner@gitlab.example");
    assert_null(sbt_json_at(r.json, "StageName"));
    sbt_resp_free(&r);

    r = sbt_salesforce(t, "PATCH", opp, "{\"Type\":\"Add-On Business\"}");
    assert_int_equal(r.status, 204);
    assert_string_equal(r.body, "");
    sbt_resp_free(&r);
    r = sbt_salesforce(t, "GET", opp, NULL);
    assert_string_equal(sbt_str_at(r.json, "Type"), "Add-On Business");
    sbt_resp_free(&r);

    r = sbt_salesforce(t, "PATCH", opp, "{\"NoSuchField__c\":1}");
    assert_int_equal(r.status, 400);
    assert_string_equal(sbt_str_at(r.json, "[0].errorCode"), "INVALID_FIELD");
    sbt_resp_free(&r);
    r = sbt_salesforce(t, "GET", "/services/data/v60.0/sobjects/Opportunity/006000000000000AAA",
                       NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(sbt_str_at(r.json, "[0].errorCode"), "NOT_FOUND");
    sbt_resp_free(&r);
}

static void every_billing_route_is_covered(void **state)
{
    (void)state;
    sbt_assert_routes_covered("zuora");
    sbt_assert_routes_covered("salesforce");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(zuora_token_endpoint, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(zuora_subscriptions_and_accounts, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(zuora_query_and_query_more, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(revoked_tokens_get_each_service_401, sbt_setup,
                                        sbt_teardown),
        cmocka_unit_test_setup_teardown(salesforce_token_and_soql, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(salesforce_next_records_url, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(salesforce_sobject_read_and_patch, sbt_setup, sbt_teardown),
        cmocka_unit_test(every_billing_route_is_covered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
