/* The sandbox's PagerDuty over real HTTP: REST API v2 (services by name,
 * incidents created with the From header, read by id or number,
 * acknowledged and resolved; "Token token=" auth; the error shape and
 * codes; ratelimit-* headers and 429s) and Events API v2 (trigger,
 * deduplication, acknowledge, resolve, invalid events), plus the patches a
 * scenario uses ("the on-call acknowledged"). */
#include <stdlib.h>
#include <string.h>

#include "hb/util.h"
#include "sandbox_test.h"

#define FROM "sam.sandbox@gitlab.example"
#define INCIDENT(title, service)                                                                   \
    "{\"incident\":{\"type\":\"incident\",\"title\":\"" title "\",\"service\":{\"id\":\"" service  \
    "\",\"type\":\"service_reference\"}}}"

/* A REST error: status, {"error":{"message", "code"}}, and the detail
 * (errors[0]) when one is given. */
static void expect_error(sbt_resp r, int status, int code, const char *detail)
{
    assert_int_equal(r.status, status);
    assert_int_equal(sbt_num_at(r.json, "error.code"), code);
    assert_non_null(sbt_str_at(r.json, "error.message"));
    if (detail)
        assert_string_equal(sbt_str_at(r.json, "error.errors[0]"), detail);
    sbt_resp_free(&r);
}

static sbt_resp enqueue(sbt *t, const char *json)
{
    const char *headers[] = {"Content-Type: application/json", NULL};
    return sbt_request(t, "POST", "/pagerduty-events/v2/enqueue", headers, json);
}

static char *event_json(sbt *t, const char *action, const char *dedup, const char *payload)
{
    return hb_xasprintf("{\"routing_key\":\"%s\",\"event_action\":\"%s\"%s%s%s%s%s}",
                        sbt_var(t, "PAGERDUTY_ROUTING_KEY"), action,
                        dedup ? ",\"dedup_key\":\"" : "", dedup ? dedup : "", dedup ? "\"" : "",
                        payload ? ",\"payload\":" : "", payload ? payload : "");
}

/* Sends one event and checks the answer's HTTP status. */
static void send_event(sbt *t, const char *action, const char *dedup, const char *payload,
                       long status)
{
    char *ev = event_json(t, action, dedup, payload);
    sbt_resp r = enqueue(t, ev);
    free(ev);
    assert_int_equal(r.status, status);
    sbt_resp_free(&r);
}

/* Incident NUMBER's status as the REST API shows it. */
static void expect_status(sbt *t, int number, const char *status)
{
    char *path = hb_xasprintf("/pagerduty/incidents/%d", number);
    sbt_resp r = sbt_pagerduty(t, "GET", path, NULL, NULL);
    free(path);
    assert_string_equal(sbt_str_at(r.json, "incident.status"), status);
    sbt_resp_free(&r);
}

static void token_auth(void **state)
{
    sbt *t = *state;
    expect_error(sbt_request(t, "GET", "/pagerduty/services", NULL, NULL), 401, 2006, NULL);
    const char *wrong[] = {"Authorization: Token token=nope", NULL};
    expect_error(sbt_request(t, "GET", "/pagerduty/services", wrong, NULL), 401, 2006, NULL);
    char *bearer = hb_xasprintf("Authorization: Bearer %s", sbt_var(t, "PAGERDUTY_TOKEN"));
    const char *as_bearer[] = {bearer, NULL};
    expect_error(sbt_request(t, "GET", "/pagerduty/services", as_bearer, NULL), 401, 2006, NULL);
    free(bearer);
    assert_int_equal(strlen(sbt_var(t, "PAGERDUTY_TOKEN")), 20);
    assert_string_equal(sbt_var(t, "PAGERDUTY_FROM"), FROM);
    assert_string_equal(sbt_var(t, "PAGERDUTY_URL") + strlen(t->url), "/pagerduty");
    assert_string_equal(sbt_var(t, "PAGERDUTY_EVENTS_URL") + strlen(t->url), "/pagerduty-events");
    const char *key = sbt_var(t, "PAGERDUTY_ROUTING_KEY");
    assert_int_equal(strlen(key), 32);
    assert_int_equal(strspn(key, "0123456789abcdef"), 32);
}

static void services_by_name(void **state)
{
    sbt *t = *state;
    sbt_resp r =
        sbt_pagerduty(t, "GET", "/pagerduty/services?query=customer%20SUPPORT", NULL, NULL);
    assert_int_equal(r.status, 200);
    cJSON *list = sbt_json_at(r.json, "services");
    assert_int_equal(cJSON_GetArraySize(list), 2);
    assert_string_equal(sbt_str_at(list, "[0].name"), "Customer Support Operations");
    assert_string_equal(sbt_str_at(list, "[0].id"), "PCSOPS1");
    assert_string_equal(sbt_str_at(list, "[0].type"), "service");
    assert_string_equal(sbt_str_at(list, "[0].status"), "active");
    assert_string_equal(sbt_str_at(list, "[0].escalation_policy.id"), "PCSOEP1");
    assert_string_equal(sbt_str_at(list, "[0].escalation_policy.type"),
                        "escalation_policy_reference");
    assert_string_equal(sbt_str_at(list, "[0].integrations[0].type"),
                        "events_api_v2_inbound_integration_reference");
    assert_non_null(strstr(sbt_str_at(list, "[0].self"), "/pagerduty/services/PCSOPS1"));
    assert_string_equal(sbt_str_at(list, "[1].status"), "disabled");
    assert_true(cJSON_IsNull(sbt_json_at(r.json, "total")));
    assert_false(cJSON_IsTrue(sbt_json_at(r.json, "more")));
    assert_int_equal(sbt_num_at(r.json, "limit"), 25);
    /* never the integration key */
    assert_null(strstr(r.body, sbt_var(t, "PAGERDUTY_ROUTING_KEY")));
    assert_null(strstr(r.body, "@sandbox"));
    char *h = sbt_header(&r, "ratelimit-limit");
    assert_string_equal(h, "960");
    free(h);
    h = sbt_header(&r, "ratelimit-reset");
    assert_non_null(h);
    free(h);
    sbt_resp_free(&r);

    r = sbt_pagerduty(t, "GET", "/pagerduty/services?name=Customer%20Support%20Operations", NULL,
                      NULL);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "services")), 1);
    sbt_resp_free(&r);
    r = sbt_pagerduty(t, "GET", "/pagerduty/services?limit=2&offset=1&total=true", NULL, NULL);
    assert_int_equal(sbt_num_at(r.json, "total"), 4);
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "more")));
    assert_string_equal(sbt_str_at(r.json, "services[0].name"), "Customer Support Operations Lab");
    sbt_resp_free(&r);
    r = sbt_pagerduty(t, "GET", "/pagerduty/services?query=no%20such%20service", NULL, NULL);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "services")), 0);
    sbt_resp_free(&r);
    expect_error(sbt_pagerduty(t, "GET", "/pagerduty/services?limit=ten", NULL, NULL), 400, 2001,
                 NULL);
    expect_error(sbt_pagerduty(t, "GET", "/pagerduty/schedules", NULL, NULL), 404, 2100, NULL);
}

static void incidents_need_from_and_valid_input(void **state)
{
    sbt *t = *state;
    const char *body = INCIDENT("Zendesk is down", "PCSOPS1");
    expect_error(sbt_pagerduty(t, "POST", "/pagerduty/incidents", NULL, body), 400, 2016, NULL);
    expect_error(sbt_pagerduty(t, "POST", "/pagerduty/incidents", "who@else.example", body), 400,
                 1008, NULL);
    expect_error(sbt_pagerduty(t, "POST", "/pagerduty/incidents", FROM, "{}"), 400, 2001, NULL);
    expect_error(sbt_pagerduty(t, "POST", "/pagerduty/incidents", FROM,
                               "{\"incident\":{\"type\":\"alert\",\"title\":\"x\"}}"),
                 400, 2001, "Incident type must be 'incident'");
    expect_error(sbt_pagerduty(t, "POST", "/pagerduty/incidents", FROM, INCIDENT("", "PCSOPS1")),
                 400, 2001, "Title cannot be empty.");
    expect_error(sbt_pagerduty(t, "POST", "/pagerduty/incidents", FROM, INCIDENT("x", "PNOPE00")),
                 400, 2001, "Service not found");
    expect_error(sbt_pagerduty(t, "POST", "/pagerduty/incidents", FROM, INCIDENT("x", "PCSOLAB")),
                 400, 2001, "Service is disabled");
    expect_error(sbt_pagerduty(t, "POST", "/pagerduty/incidents", FROM,
                               "{\"incident\":{\"type\":\"incident\",\"title\":\"x\",\"urgency\":"
                               "\"urgent\",\"service\":{\"id\":\"PCSOPS1\"}}}"),
                 400, 2001, "Urgency must be one of high, low");
    cJSON *st = sbt_state(t);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(st, "pagerduty.incidents")), 0);
    cJSON_Delete(st);
}

static void an_incident_from_trigger_to_resolve(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_pagerduty(
        t, "POST", "/pagerduty/incidents", FROM,
        "{\"incident\":{\"type\":\"incident\",\"title\":\"Zendesk: agents cannot log in\","
        "\"urgency\":\"high\",\"incident_key\":\"hb-run-1\",\"service\":{\"id\":\"PCSOPS1\","
        "\"type\":\"service_reference\"},\"body\":{\"type\":\"incident_body\",\"details\":"
        "\"Posted in #support-operations\"}}}");
    assert_int_equal(r.status, 201);
    cJSON *i = sbt_json_at(r.json, "incident");
    char *id = hb_xstrdup(sbt_str_at(i, "id"));
    assert_int_equal(sbt_num_at(i, "incident_number"), 1);
    assert_string_equal(sbt_str_at(i, "type"), "incident");
    assert_string_equal(sbt_str_at(i, "status"), "triggered");
    assert_string_equal(sbt_str_at(i, "summary"), "[#1] Zendesk: agents cannot log in");
    assert_string_equal(sbt_str_at(i, "incident_key"), "hb-run-1");
    assert_string_equal(sbt_str_at(i, "service.summary"), "Customer Support Operations");
    assert_string_equal(sbt_str_at(i, "escalation_policy.id"), "PCSOEP1");
    assert_string_equal(sbt_str_at(i, "assignments[0].assignee.id"), "PSOFIA5");
    assert_string_equal(sbt_str_at(i, "urgency"), "high");
    assert_true(cJSON_IsNull(sbt_json_at(i, "resolved_at")));
    sbt_resp_free(&r);
    /* the same key while it is open: refused, as PagerDuty deduplicates */
    expect_error(sbt_pagerduty(t, "POST", "/pagerduty/incidents", FROM,
                               "{\"incident\":{\"type\":\"incident\",\"title\":\"again\","
                               "\"incident_key\":\"hb-run-1\",\"service\":{\"id\":\"PCSOPS1\"}}}"),
                 400, 2001, "Open incident with matching dedup key already exists on this service");

    char *path = hb_xasprintf("/pagerduty/incidents/%s", id);
    r = sbt_pagerduty(t, "GET", path, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "incident.id"), id);
    sbt_resp_free(&r);
    r = sbt_pagerduty(t, "GET", "/pagerduty/incidents/1", NULL, NULL); /* by number */
    assert_string_equal(sbt_str_at(r.json, "incident.id"), id);
    sbt_resp_free(&r);
    expect_error(sbt_pagerduty(t, "GET", "/pagerduty/incidents/PNOSUCH", NULL, NULL), 404, 2100,
                 NULL);

    const char *ack =
        "{\"incident\":{\"type\":\"incident_reference\",\"status\":\"acknowledged\"}}";
    expect_error(sbt_pagerduty(t, "PUT", path, NULL, ack), 400, 2016, NULL);
    expect_error(sbt_pagerduty(t, "PUT", "/pagerduty/incidents/PNOSUCH", FROM, ack), 404, 2100,
                 NULL);
    expect_error(sbt_pagerduty(t, "PUT", path, FROM,
                               "{\"incident\":{\"type\":\"incident_reference\",\"status\":"
                               "\"triggered\"}}"),
                 400, 2001, "Status must be one of acknowledged, resolved");
    r = sbt_pagerduty(t, "PUT", path, "sofia.ops@gitlab.example", ack);
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "incident.status"), "acknowledged");
    assert_string_equal(sbt_str_at(r.json, "incident.acknowledgements[0].acknowledger.id"),
                        "PSOFIA5");
    assert_string_equal(sbt_str_at(r.json, "incident.last_status_change_by.id"), "PSOFIA5");
    sbt_resp_free(&r);
    r = sbt_pagerduty(t, "PUT", path, FROM,
                      "{\"incident\":{\"type\":\"incident\",\"status\":\"resolved\","
                      "\"resolution\":\"Zendesk SSO fixed\"}}");
    assert_string_equal(sbt_str_at(r.json, "incident.status"), "resolved");
    assert_non_null(sbt_str_at(r.json, "incident.resolved_at"));
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "incident.assignments")), 0);
    sbt_resp_free(&r);
    expect_error(sbt_pagerduty(t, "PUT", path, FROM, ack), 400, 2001, "Incident Already Resolved");
    free(path);

    cJSON *st = sbt_state(t);
    cJSON *stored = sbt_json_at(st, "pagerduty.incidents[0]");
    assert_string_equal(sbt_str_at(stored, "requester_id"), "PSAMSBX");
    assert_string_equal(sbt_str_at(stored, "service_id"), "PCSOPS1");
    assert_string_equal(sbt_str_at(stored, "resolution"), "Zendesk SSO fixed");
    assert_string_equal(sbt_str_at(stored, "body.details"), "Posted in #support-operations");
    cJSON_Delete(st);

    r = sbt_request(t, "GET", "/__sandbox/requests", NULL, NULL);
    cJSON *post = sbt_json_at(r.json, "[0]");
    assert_string_equal(sbt_str_at(post, "route"), "POST /pagerduty/incidents");
    assert_string_equal(sbt_str_at(post, "headers.from"), FROM);
    assert_string_equal(sbt_str_at(post, "body.incident.title"), "Zendesk: agents cannot log in");
    sbt_resp_free(&r);
    free(id);
}

static void events_trigger_dedup_acknowledge_resolve(void **state)
{
    sbt *t = *state;
    const char *payload = "{\"summary\":\"Zendesk triggers stopped\",\"source\":\"hb\","
                          "\"severity\":\"error\",\"custom_details\":{\"ticket\":1013}}";
    char *ev = event_json(t, "trigger", "zd-triggers", payload);
    sbt_resp r = enqueue(t, ev);
    assert_int_equal(r.status, 202);
    assert_string_equal(sbt_str_at(r.json, "status"), "success");
    assert_string_equal(sbt_str_at(r.json, "message"), "Event processed");
    assert_string_equal(sbt_str_at(r.json, "dedup_key"), "zd-triggers");
    assert_null(sbt_header(&r, "ratelimit-limit")); /* the REST API's headers only */
    sbt_resp_free(&r);
    r = enqueue(t, ev); /* the same alert again: the same incident */
    assert_int_equal(r.status, 202);
    sbt_resp_free(&r);
    free(ev);
    ev = event_json(t, "trigger", NULL,
                    "{\"summary\":\"no key\",\"source\":\"hb\",\"severity\":"
                    "\"info\"}");
    r = enqueue(t, ev);
    free(ev);
    assert_int_equal(strlen(sbt_str_at(r.json, "dedup_key")), 32); /* made by PagerDuty */
    sbt_resp_free(&r);

    cJSON *st = sbt_state(t);
    cJSON *incidents = sbt_json_at(st, "pagerduty.incidents");
    assert_int_equal(cJSON_GetArraySize(incidents), 2);
    assert_string_equal(sbt_str_at(incidents, "[0].title"), "Zendesk triggers stopped");
    assert_string_equal(sbt_str_at(incidents, "[0].service_id"), "PCSOPS1");
    assert_string_equal(sbt_str_at(incidents, "[0].urgency"), "high");
    assert_string_equal(sbt_str_at(incidents, "[1].urgency"), "low");
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(incidents, "[0].alerts")), 2);
    assert_int_equal(sbt_num_at(incidents, "[0].alerts[0].payload.custom_details.ticket"), 1013);
    cJSON_Delete(st);
    r = sbt_pagerduty(t, "GET", "/pagerduty/incidents/1", NULL, NULL);
    assert_int_equal(sbt_num_at(r.json, "incident.alert_counts.all"), 2);
    assert_string_equal(sbt_str_at(r.json, "incident.last_status_change_by.type"),
                        "service_reference");
    sbt_resp_free(&r);

    send_event(t, "acknowledge", "zd-triggers", NULL, 202);
    expect_status(t, 1, "acknowledged");
    send_event(t, "resolve", "zd-triggers", NULL, 202);
    expect_status(t, 1, "resolved");
    r = sbt_pagerduty(t, "GET", "/pagerduty/incidents/1", NULL, NULL);
    assert_int_equal(sbt_num_at(r.json, "incident.alert_counts.resolved"), 2);
    sbt_resp_free(&r);
    /* an acknowledge for no open alert is accepted and changes nothing */
    send_event(t, "acknowledge", "zd-triggers", NULL, 202);
    expect_status(t, 1, "resolved");
    /* after the resolve, the key opens a new incident */
    send_event(t, "trigger", "zd-triggers", payload, 202);
    st = sbt_state(t);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(st, "pagerduty.incidents")), 3);
    cJSON_Delete(st);

    char *log = hb_sandbox_requests_json(t->sb);
    assert_null(strstr(log, sbt_var(t, "PAGERDUTY_ROUTING_KEY")));
    assert_non_null(strstr(log, "\"routing_key\":\"[redacted]\""));
    free(log);
}

static void invalid_events(void **state)
{
    sbt *t = *state;
    struct {
        const char *json;
        const char *status;
        const char *error;
    } cases[] = {
        {"{\"routing_key\":\"short\",\"event_action\":\"trigger\"}", "invalid event",
         "Length of 'routing_key' is incorrect (should be 32 characters)"},
        {"{\"routing_key\":\"0123456789abcdef0123456789abcdef\",\"event_action\":\"trigger\"}",
         "invalid event", "Invalid routing key"},
        {"not json", "Unrecognized object", "JSON parse error"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sbt_resp r = enqueue(t, cases[i].json);
        assert_int_equal(r.status, 400);
        assert_string_equal(sbt_str_at(r.json, "status"), cases[i].status);
        assert_string_equal(sbt_str_at(r.json, "errors[0]"), cases[i].error);
        assert_non_null(sbt_str_at(r.json, "message"));
        sbt_resp_free(&r);
    }
    struct {
        const char *action, *dedup, *payload, *error;
    } bad[] = {
        {"snooze", NULL, NULL, "'event_action' is missing or invalid"},
        {"resolve", NULL, NULL, "'dedup_key' is missing or blank"},
        {"trigger", NULL, NULL, "'payload' is missing or not an object"},
        {"trigger", NULL, "{\"source\":\"hb\",\"severity\":\"info\"}",
         "'payload.summary' is missing or blank"},
        {"trigger", NULL, "{\"summary\":\"s\",\"source\":\"hb\",\"severity\":\"fatal\"}",
         "'payload.severity' must be one of critical, error, warning or info"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *ev = event_json(t, bad[i].action, bad[i].dedup, bad[i].payload);
        sbt_resp r = enqueue(t, ev); /* the detail matters here, not just the status */
        free(ev);
        assert_int_equal(r.status, 400);
        assert_string_equal(sbt_str_at(r.json, "status"), "invalid event");
        assert_string_equal(sbt_str_at(r.json, "errors[0]"), bad[i].error);
        sbt_resp_free(&r);
    }
    cJSON *st = sbt_state(t);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(st, "pagerduty.incidents")), 0);
    cJSON_Delete(st);
}

static void rate_limits(void **state)
{
    sbt *t = *state;
    hb_err e = {0};
    assert_int_equal(hb_sandbox_set_faults(t->sb,
                                           "429@GET /pagerduty/services,next=1,retry-after=9;"
                                           "429@/pagerduty-events/v2/enqueue,next=1",
                                           &e),
                     HB_OK);
    sbt_resp r = sbt_pagerduty(t, "GET", "/pagerduty/services", NULL, NULL);
    assert_int_equal(r.status, 429);
    assert_int_equal(sbt_num_at(r.json, "error.code"), 2020);
    assert_string_equal(sbt_str_at(r.json, "error.message"), "Rate Limit Exceeded");
    char *reset = sbt_header(&r, "ratelimit-reset"),
         *remaining = sbt_header(&r, "ratelimit-remaining");
    assert_string_equal(reset, "9");
    assert_string_equal(remaining, "0");
    assert_null(sbt_header(&r, "retry-after")); /* the REST API says it in ratelimit-reset */
    free(reset);
    free(remaining);
    sbt_resp_free(&r);
    r = sbt_pagerduty(t, "GET", "/pagerduty/services", NULL, NULL);
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);

    char *ev = hb_xasprintf("{\"routing_key\":\"%s\",\"event_action\":\"trigger\"}",
                            sbt_var(t, "PAGERDUTY_ROUTING_KEY"));
    r = enqueue(t, ev);
    free(ev);
    assert_int_equal(r.status, 429);
    assert_string_equal(sbt_str_at(r.json, "status"), "throttle event");
    char *retry = sbt_header(&r, "retry-after");
    assert_string_equal(retry, "1");
    free(retry);
    sbt_resp_free(&r);
}

static void a_scenario_acknowledges_the_newest_incident(void **state)
{
    sbt *t = *state;
    hb_err e = {0};
    const char *ack = "{\"pagerduty\":{\"incidents\":{\"@last\":{\"status\":\"acknowledged\"}}}}";
    assert_int_equal(hb_sandbox_patch(t->sb, ack, &e), HB_EUSAGE); /* none yet */
    assert_non_null(strstr(e.msg, "empty"));
    sbt_resp r = sbt_pagerduty(t, "POST", "/pagerduty/incidents", FROM, INCIDENT("one", "PCSOPS1"));
    sbt_resp_free(&r);
    r = sbt_pagerduty(t, "POST", "/pagerduty/incidents", FROM, INCIDENT("two", "PSFDCI1"));
    sbt_resp_free(&r);
    assert_int_equal(hb_sandbox_patch(t->sb, ack, &e), HB_OK);
    expect_status(t, 2, "acknowledged");
    expect_status(t, 1, "triggered");
    r = sbt_pagerduty(t, "GET", "/pagerduty/incidents/2", NULL, NULL);
    assert_string_equal(sbt_str_at(r.json, "incident.escalation_policy.id"), "PAPPSEP");
    sbt_resp_free(&r);
    assert_int_equal(
        hb_sandbox_patch(t->sb, "{\"pagerduty\":{\"incidents\":{\"1\":{\"status\":\"resolved\"}}}}",
                         &e),
        HB_OK);
    r = sbt_pagerduty(t, "GET", "/pagerduty/incidents/PI00001", NULL, NULL);
    assert_string_equal(sbt_str_at(r.json, "incident.status"), "resolved");
    sbt_resp_free(&r);
}

static void every_pagerduty_route_is_covered(void **state)
{
    (void)state;
    sbt_assert_routes_covered("pagerduty");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(token_auth, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(services_by_name, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(incidents_need_from_and_valid_input, sbt_setup,
                                        sbt_teardown),
        cmocka_unit_test_setup_teardown(an_incident_from_trigger_to_resolve, sbt_setup,
                                        sbt_teardown),
        cmocka_unit_test_setup_teardown(events_trigger_dedup_acknowledge_resolve, sbt_setup,
                                        sbt_teardown),
        cmocka_unit_test_setup_teardown(invalid_events, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(rate_limits, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(a_scenario_acknowledges_the_newest_incident, sbt_setup,
                                        sbt_teardown),
        cmocka_unit_test(every_pagerduty_route_is_covered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
