/* Redaction by field name and by known secret value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/redact.h"
#include "test_support.h"

static void secret_names(void **state)
{
    (void)state;
    assert_true(hb_redact_is_secret_key("access_token"));
    assert_true(hb_redact_is_secret_key("Client_Secret"));
    assert_true(hb_redact_is_secret_key("password"));
    assert_true(hb_redact_is_secret_key("PRIVATE-TOKEN"));
    assert_true(hb_redact_is_secret_key("Authorization"));
    assert_true(hb_redact_is_secret_key("api_key"));
    assert_false(hb_redact_is_secret_key("ticket_form_id"));
    assert_false(hb_redact_is_secret_key("description"));
    assert_false(hb_redact_is_secret_key("tokens_used_today_count"));
}

static void json_keys(void **state)
{
    (void)state;
    cJSON *v = cJSON_Parse("{\"access_token\":\"abc\",\"expires_in\":3599,"
                           "\"nested\":[{\"password\":\"p\",\"name\":\"n\"}],\"token\":null}");
    hb_redact_json_keys(v);
    char *text = cJSON_PrintUnformatted(v);
    assert_string_equal(text, "{\"access_token\":\"[redacted]\",\"expires_in\":3599,"
                              "\"nested\":[{\"password\":\"[redacted]\",\"name\":\"n\"}],"
                              "\"token\":null}");
    cJSON_free(text);
    cJSON_Delete(v);
}

static void form_and_path(void **state)
{
    (void)state;
    char *f = hb_redact_form("grant_type=client_credentials&client_id=abc&client_secret=s3cr3t");
    assert_string_equal(f, "grant_type=client_credentials&client_id=abc&client_secret=[redacted]");
    free(f);
    char *p =
        hb_redact_path(NULL, "/api/v2/search.json?query=type%3Aticket&access_token=xyz&page=2");
    assert_string_equal(p,
                        "/api/v2/search.json?query=type%3Aticket&access_token=[redacted]&page=2");
    free(p);
}

static void by_value_with_encodings(void **state)
{
    (void)state;
    hb_secrets *s = hb_secrets_new();
    hb_secrets_add(s, "tok/en+S3cret");
    hb_secrets_add(s, "ab");                  /* too short to scrub by value */
    const char *b64 = "dG9rL2VuK1MzY3JldA=="; /* base64 of the secret */
    char text[256];
    snprintf(text, sizeof text, "raw tok/en+S3cret b64 %s pct tok%%2Fen%%2BS3cret ab", b64);
    assert_true(hb_secrets_found(s, text, strlen(text)));
    size_t n;
    char *clean = hb_secrets_scrub(s, text, strlen(text), &n);
    assert_string_equal(clean, "raw [redacted] b64 [redacted] pct [redacted] ab");
    assert_int_equal(n, strlen(clean));
    assert_false(hb_secrets_found(s, clean, n));
    free(clean);

    cJSON *v =
        cJSON_Parse("{\"message\":\"bad token tok/en+S3cret\",\"list\":[\"x tok/en+S3cret\"]}");
    hb_secrets_scrub_json(s, v);
    char *out = cJSON_PrintUnformatted(v);
    assert_null(strstr(out, "S3cret"));
    cJSON_free(out);
    cJSON_Delete(v);
    hb_secrets_free(s);
}

static void body_capped(void **state)
{
    (void)state;
    hb_secrets *s = hb_secrets_new();
    hb_secrets_add(s, "LEAKYVALUE");
    const char *json = "{ \"client_secret\": \"x\", \"note\": \"LEAKYVALUE\" }";
    size_t n;
    char *b = hb_redact_body(s, json, strlen(json), 1000, &n);
    assert_string_equal(b, "{\"client_secret\":\"[redacted]\",\"note\":\"[redacted]\"}");
    free(b);
    char big[300];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    b = hb_redact_body(s, big, strlen(big), 100, &n);
    assert_int_equal(strncmp(b, big, 100), 0);
    assert_non_null(strstr(b, "199 more bytes not stored"));
    assert_int_equal(n, strlen(b));
    free(b);
    hb_secrets_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(secret_names),  cmocka_unit_test(json_keys),
        cmocka_unit_test(form_and_path), cmocka_unit_test(by_value_with_encodings),
        cmocka_unit_test(body_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
