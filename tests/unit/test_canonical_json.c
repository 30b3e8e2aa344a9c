/* Canonical JSON against RFC 8785's own examples: number forms (the IEEE 754
 * vectors of its appendix), string escaping and UTF-16 key order. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hb/canonical_json.h"
#include "test_support.h"

static char *canon_text(const char *json)
{
    cJSON *v = cJSON_Parse(json);
    assert_non_null(v);
    hb_err e;
    hb_err_clear(&e);
    char *out = hb_canonical_json(v, &e);
    cJSON_Delete(v);
    if (!out)
        fail_msg("canonical_json failed: %s", e.msg);
    return out;
}

static void assert_canon(const char *json, const char *expected)
{
    char *out = canon_text(json);
    assert_string_equal(out, expected);
    free(out);
}

static char *number_text(double v)
{
    hb_buf b;
    hb_buf_init(&b);
    hb_err e;
    assert_int_equal(hb_canonical_json_append_number(&b, v, &e), HB_OK);
    return hb_buf_take(&b);
}

static double from_bits(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static void rfc8785_number_vectors(void **state)
{
    (void)state;
    static const struct {
        uint64_t bits;
        const char *text;
    } vectors[] = {
        {0x0000000000000000ULL, "0"},
        {0x8000000000000000ULL, "0"},
        {0x0000000000000001ULL, "5e-324"},
        {0x8000000000000001ULL, "-5e-324"},
        {0x7fefffffffffffffULL, "1.7976931348623157e+308"},
        {0xffefffffffffffffULL, "-1.7976931348623157e+308"},
        {0x4340000000000000ULL, "9007199254740992"},
        {0xc340000000000000ULL, "-9007199254740992"},
        {0x4430000000000000ULL, "295147905179352830000"},
        {0x44b52d02c7e14af5ULL, "9.999999999999997e+22"},
        {0x44b52d02c7e14af6ULL, "1e+23"},
        {0x44b52d02c7e14af7ULL, "1.0000000000000001e+23"},
        {0x444b1ae4d6e2ef4eULL, "999999999999999700000"},
        {0x444b1ae4d6e2ef4fULL, "999999999999999900000"},
        {0x444b1ae4d6e2ef50ULL, "1e+21"},
        {0x3eb0c6f7a0b5ed8cULL, "9.999999999999997e-7"},
        {0x3eb0c6f7a0b5ed8dULL, "0.000001"},
        {0x41b3de4355555553ULL, "333333333.3333332"},
        {0x41b3de4355555554ULL, "333333333.33333325"},
        {0x41b3de4355555555ULL, "333333333.3333333"},
        {0x41b3de4355555556ULL, "333333333.3333334"},
        {0x41b3de4355555557ULL, "333333333.33333343"},
        {0xbecbf647612f3696ULL, "-0.0000033333333333333333"},
        {0x43143ff3c1cb0959ULL, "1424953923781206.2"},
    };
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        char *text = number_text(from_bits(vectors[i].bits));
        if (strcmp(text, vectors[i].text) != 0)
            fail_msg("0x%016llx: got %s, want %s", (unsigned long long)vectors[i].bits, text,
                     vectors[i].text);
        free(text);
    }
}

static void everyday_numbers(void **state)
{
    (void)state;
    static const struct {
        double v;
        const char *text;
    } vectors[] = {
        {1e21, "1e+21"},
        {1e20, "100000000000000000000"},
        {0.1, "0.1"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1e-7, "1e-7"},
        {123e-20, "1.23e-18"},
        {4.5, "4.5"},
        {-1.5e300, "-1.5e+300"},
        {123, "123"},
        {-42, "-42"},
        {1152921504606846976.0, "1152921504606847000"}, /* 2^60: shortest digits, then zeros */
        {2.2250738585072014e-308, "2.2250738585072014e-308"},
    };
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        char *text = number_text(vectors[i].v);
        assert_string_equal(text, vectors[i].text);
        free(text);
    }
}

static void refuses_nan_and_infinity(void **state)
{
    (void)state;
    hb_buf b;
    hb_buf_init(&b);
    hb_err e;
    assert_int_equal(hb_canonical_json_append_number(&b, NAN, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "NaN"));
    assert_int_equal(hb_canonical_json_append_number(&b, -INFINITY, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "infinity"));
    hb_buf_free(&b);

    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(INFINITY));
    assert_null(hb_canonical_json(arr, &e));
    cJSON_Delete(arr);
}

/* RFC 8785 section 3.2.2's example, whitespace and all. */
static void rfc8785_main_example(void **state)
{
    (void)state;
    assert_canon(
        "{\n"
        "  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
        "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
        "  \"literals\": [null, true, false]\n"
        "}",
        "{\"literals\":[null,true,false],"
        "\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
        "\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

/* RFC 8785 section 3.2.3: keys sort by UTF-16 code units, so the emoji
 * (a surrogate pair, D83D DE00) comes before U+FB33 although its code
 * point is larger. */
static void rfc8785_key_order(void **state)
{
    (void)state;
    char *out =
        canon_text("{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\", "
                   "\"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\", \"1\": \"One\", "
                   "\"\\ud83d\\ude00\": \"Emoji: Grinning Face\", \"\\u0080\": \"Control\", "
                   "\"\\u00f6\": \"Latin Small Letter O With Diaeresis\"}");
    const char *order[] = {"\"\\r\"",          "\"1\"",
                           "\"\xc2\x80\"",     "\"\xc3\xb6\"",
                           "\"\xe2\x82\xac\"", "\"\xf0\x9f\x98\x80\"",
                           "\"\xef\xac\xb3\""};
    const char *prev = out;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *at = strstr(out, order[i]);
        if (!at || at < prev)
            fail_msg("key %zu out of order in %s", i, out);
        prev = at;
    }
    free(out);
}

static void nested_and_empty_values(void **state)
{
    (void)state;
    assert_canon("{\"b\": [], \"a\": {}, \"c\": {\"z\": 1, \"y\": [true, {\"x\": null}]}}",
                 "{\"a\":{},\"b\":[],\"c\":{\"y\":[true,{\"x\":null}],\"z\":1}}");
    assert_canon("\"plain\"", "\"plain\"");
    assert_canon("[1.0, -0.0, 10]", "[1,0,10]");
    /* Controls other than the five short forms use \u00XX, lowercase. */
    assert_canon("\"\\u0001\\u001f\\t\\b\\f\\r\"", "\"\\u0001\\u001f\\t\\b\\f\\r\"");
    /* Non-ASCII and the slash are written literally. */
    assert_canon("\"caf\\u00e9 / \\u2603\"", "\"caf\xc3\xa9 / \xe2\x98\x83\"");
}

static void refuses_invalid_utf8(void **state)
{
    (void)state;
    static const char *bad[] = {
        "\xff",             /* never valid */
        "\xc0\xaf",         /* overlong '/' */
        "\xed\xa0\x80",     /* a UTF-16 surrogate */
        "\xf4\x90\x80\x80", /* past U+10FFFF */
        "abc\xe2\x82",      /* cut short */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *s = cJSON_CreateString(bad[i]);
        hb_err e;
        hb_err_clear(&e);
        char *out = hb_canonical_json(s, &e);
        if (out)
            fail_msg("case %zu was accepted: %s", i, out);
        assert_int_equal(e.code, HB_EUSAGE);
        assert_non_null(strstr(e.msg, "UTF-8"));
        cJSON_Delete(s);
    }
    /* The same checks apply to keys. */
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "k\xff", 1);
    hb_err e;
    assert_null(hb_canonical_json(o, &e));
    cJSON_Delete(o);
}

static void refuses_duplicate_keys(void **state)
{
    (void)state;
    cJSON *o = cJSON_Parse("{\"a\": 1, \"a\": 2}");
    assert_non_null(o);
    hb_err e;
    assert_null(hb_canonical_json(o, &e));
    assert_non_null(strstr(e.msg, "\"a\" twice"));
    cJSON_Delete(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc8785_number_vectors),   cmocka_unit_test(everyday_numbers),
        cmocka_unit_test(refuses_nan_and_infinity), cmocka_unit_test(rfc8785_main_example),
        cmocka_unit_test(rfc8785_key_order),        cmocka_unit_test(nested_and_empty_values),
        cmocka_unit_test(refuses_invalid_utf8),     cmocka_unit_test(refuses_duplicate_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
