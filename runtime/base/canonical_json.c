/* Canonical JSON per RFC 8785 (JCS). The audit chain hashes this text, so
 * every byte it produces is part of the on-disk contract. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/canonical_json.h"

/* Deeper values are refused rather than risking the C stack; cJSON's own
 * parser stops at the same depth. */
#define CANON_MAX_DEPTH 1000

/* Decodes one UTF-8 sequence, refusing overlong forms, surrogates and code
 * points past U+10FFFF. Returns its length in bytes, or 0 when invalid. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if ((c & 0xE0) == 0xC0) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0; /* also stops at the terminating NUL */
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

static hb_status invalid_utf8(hb_err *e)
{
    return hb_err_set(e, HB_EUSAGE, "a JSON string is not valid UTF-8; canonical JSON needs UTF-8");
}

hb_status hb_canonical_json_append_string(hb_buf *out, const char *s, hb_err *e)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    hb_buf_putc(out, '"');
    while (*p) {
        /* Copy the longest run that needs no escaping in one go. */
        const unsigned char *run = p;
        while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
            p++;
        hb_buf_append(out, run, (size_t)(p - run));
        if (!*p)
            break;
        unsigned char c = *p;
        if (c >= 0x80) {
            uint32_t cp;
            size_t n = utf8_decode(p, &cp);
            if (n == 0)
                return invalid_utf8(e);
            hb_buf_append(out, p, n);
            p += n;
            continue;
        }
        p++;
        switch (c) {
        case '"':
            hb_buf_puts(out, "\\\"");
            break;
        case '\\':
            hb_buf_puts(out, "\\\\");
            break;
        case '\b':
            hb_buf_puts(out, "\\b");
            break;
        case '\f':
            hb_buf_puts(out, "\\f");
            break;
        case '\n':
            hb_buf_puts(out, "\\n");
            break;
        case '\r':
            hb_buf_puts(out, "\\r");
            break;
        case '\t':
            hb_buf_puts(out, "\\t");
            break;
        default: {
            char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], '\0'};
            hb_buf_puts(out, esc);
        }
        }
    }
    hb_buf_putc(out, '"');
    return HB_OK;
}

/* The decimal digits (no trailing zeros) and exponent of a decimal value
 * written as INTEGER e EXP10, e.g. 1230e-2 -> "123", 1 (1.23e1). */
typedef struct decimal {
    char digits[24];
    int ndigits;
    int exp10; /* scientific exponent of the first digit */
} decimal;

static void decimal_from_integer(uint64_t mantissa, int exp10, decimal *d)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)mantissa);
    d->exp10 = exp10 + n - 1;
    while (n > 1 && tmp[n - 1] == '0')
        n--;
    memcpy(d->digits, tmp, (size_t)n);
    d->digits[n] = '\0';
    d->ndigits = n;
}

/* Reads "D.DDDDe+XX" as printed by %.*e into a mantissa integer and the
 * exponent of its last digit. */
static void parse_scientific(const char *text, uint64_t *mantissa, int *last_exp)
{
    uint64_t m = 0;
    int ndigits = 0;
    const char *p = text;
    for (; *p && *p != 'e'; p++) {
        if (*p >= '0' && *p <= '9') {
            m = m * 10 + (uint64_t)(*p - '0');
            ndigits++;
        }
    }
    int exp10 = *p == 'e' ? (int)strtol(p + 1, NULL, 10) : 0;
    *mantissa = m;
    *last_exp = exp10 - (ndigits - 1);
}

static bool round_trips(uint64_t mantissa, int last_exp, double v)
{
    char text[48];
    snprintf(text, sizeof text, "%llue%d", (unsigned long long)mantissa, last_exp);
    return strtod(text, NULL) == v;
}

/* ECMAScript's digit choice: the fewest significant digits that read back as
 * v. printf rounds correctly, so at each precision the nearest decimal is
 * tried first; next to a power of two the rounding interval is lopsided and
 * the neighbour on the other side of v can be the one that reads back. */
static void shortest_decimal(double v, decimal *d)
{
    for (int precision = 1; precision <= 17; precision++) {
        char text[48];
        snprintf(text, sizeof text, "%.*e", precision - 1, v);
        uint64_t m;
        int last_exp;
        parse_scientific(text, &m, &last_exp);
        if (round_trips(m, last_exp, v)) {
            decimal_from_integer(m, last_exp, d);
            return;
        }
        if (m > 1 && round_trips(m - 1, last_exp, v)) {
            decimal_from_integer(m - 1, last_exp, d);
            return;
        }
        if (round_trips(m + 1, last_exp, v)) {
            decimal_from_integer(m + 1, last_exp, d);
            return;
        }
    }
    /* 17 significant digits always identify a double. */
    char text[48];
    snprintf(text, sizeof text, "%.16e", v);
    uint64_t m;
    int last_exp;
    parse_scientific(text, &m, &last_exp);
    decimal_from_integer(m, last_exp, d);
}

static void put_zeros(hb_buf *out, int n)
{
    for (int i = 0; i < n; i++)
        hb_buf_putc(out, '0');
}

/* Number::toString(10) layout rules for a positive value's digits. */
static void put_ecmascript_layout(hb_buf *out, const decimal *d)
{
    int k = d->ndigits;
    int n = d->exp10 + 1; /* position of the decimal point */
    if (k <= n && n <= 21) {
        hb_buf_append(out, d->digits, (size_t)k);
        put_zeros(out, n - k);
    } else if (0 < n && n <= 21) {
        hb_buf_append(out, d->digits, (size_t)n);
        hb_buf_putc(out, '.');
        hb_buf_append(out, d->digits + n, (size_t)(k - n));
    } else if (-6 < n && n <= 0) {
        hb_buf_puts(out, "0.");
        put_zeros(out, -n);
        hb_buf_append(out, d->digits, (size_t)k);
    } else {
        int exp = n - 1;
        hb_buf_putc(out, d->digits[0]);
        if (k > 1) {
            hb_buf_putc(out, '.');
            hb_buf_append(out, d->digits + 1, (size_t)(k - 1));
        }
        hb_buf_printf(out, "e%c%d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    }
}

hb_status hb_canonical_json_append_number(hb_buf *out, double v, hb_err *e)
{
    if (!isfinite(v))
        return hb_err_set(e, HB_EUSAGE, "%s cannot be written as JSON",
                          isnan(v) ? "NaN" : "infinity");
    if (v == 0) { /* -0 too */
        hb_buf_putc(out, '0');
        return HB_OK;
    }
    if (v < 0) {
        hb_buf_putc(out, '-');
        v = -v;
    }
    /* Below 2^53 an integral double's exact digits are also its shortest. */
    if (v < 9007199254740992.0 && v == floor(v)) {
        hb_buf_printf(out, "%lld", (long long)v);
        return HB_OK;
    }
    decimal d;
    shortest_decimal(v, &d);
    put_ecmascript_layout(out, &d);
    return HB_OK;
}

/* An object member with its key in UTF-16, the order RFC 8785 sorts by. */
typedef struct member {
    const cJSON *item;
    uint16_t *units;
    size_t nunits;
} member;

static hb_status key_to_utf16(const char *key, member *m, hb_err *e)
{
    size_t len = strlen(key);
    m->units = hb_xcalloc(len + 1, sizeof *m->units);
    m->nunits = 0;
    const unsigned char *p = (const unsigned char *)key;
    while (*p) {
        uint32_t cp;
        size_t n = utf8_decode(p, &cp);
        if (n == 0)
            return invalid_utf8(e);
        p += n;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            m->units[m->nunits++] = (uint16_t)(0xD800 + (cp >> 10));
            m->units[m->nunits++] = (uint16_t)(0xDC00 + (cp & 0x3FF));
        } else {
            m->units[m->nunits++] = (uint16_t)cp;
        }
    }
    return HB_OK;
}

static int compare_members(const void *a, const void *b)
{
    const member *x = a, *y = b;
    size_t n = x->nunits < y->nunits ? x->nunits : y->nunits;
    for (size_t i = 0; i < n; i++) {
        if (x->units[i] != y->units[i])
            return x->units[i] < y->units[i] ? -1 : 1;
    }
    return x->nunits < y->nunits ? -1 : x->nunits > y->nunits;
}

static hb_status append_value(hb_buf *out, const cJSON *v, int depth, hb_err *e);

static hb_status append_object(hb_buf *out, const cJSON *obj, int depth, hb_err *e)
{
    size_t count = 0;
    for (const cJSON *c = obj->child; c; c = c->next)
        count++;
    member *members = hb_xcalloc(count, sizeof *members);
    hb_status st = HB_OK;
    size_t i = 0;
    for (const cJSON *c = obj->child; c && st == HB_OK; c = c->next, i++) {
        members[i].item = c;
        if (!c->string)
            st = hb_err_set(e, HB_EUSAGE, "a JSON object member has no key");
        else
            st = key_to_utf16(c->string, &members[i], e);
    }
    if (st == HB_OK)
        qsort(members, count, sizeof *members, compare_members);
    for (i = 1; i < count && st == HB_OK; i++) {
        if (compare_members(&members[i - 1], &members[i]) == 0)
            st = hb_err_set(e, HB_EUSAGE, "a JSON object has the key \"%s\" twice",
                            members[i].item->string);
    }
    hb_buf_putc(out, '{');
    for (i = 0; i < count && st == HB_OK; i++) {
        if (i > 0)
            hb_buf_putc(out, ',');
        st = hb_canonical_json_append_string(out, members[i].item->string, e);
        hb_buf_putc(out, ':');
        if (st == HB_OK)
            st = append_value(out, members[i].item, depth + 1, e);
    }
    hb_buf_putc(out, '}');
    for (i = 0; i < count; i++)
        free(members[i].units);
    free(members);
    return st;
}

static hb_status append_value(hb_buf *out, const cJSON *v, int depth, hb_err *e)
{
    if (depth > CANON_MAX_DEPTH)
        return hb_err_set(e, HB_EUSAGE, "a JSON value is nested more than %d levels deep",
                          CANON_MAX_DEPTH);
    if (cJSON_IsNull(v)) {
        hb_buf_puts(out, "null");
    } else if (cJSON_IsTrue(v)) {
        hb_buf_puts(out, "true");
    } else if (cJSON_IsFalse(v)) {
        hb_buf_puts(out, "false");
    } else if (cJSON_IsNumber(v)) {
        return hb_canonical_json_append_number(out, v->valuedouble, e);
    } else if (cJSON_IsString(v)) {
        return hb_canonical_json_append_string(out, v->valuestring ? v->valuestring : "", e);
    } else if (cJSON_IsArray(v)) {
        hb_buf_putc(out, '[');
        for (const cJSON *c = v->child; c; c = c->next) {
            if (c != v->child)
                hb_buf_putc(out, ',');
            hb_status st = append_value(out, c, depth + 1, e);
            if (st != HB_OK)
                return st;
        }
        hb_buf_putc(out, ']');
    } else if (cJSON_IsObject(v)) {
        return append_object(out, v, depth, e);
    } else {
        return hb_err_set(e, HB_EUSAGE, "a JSON value has no JSON type (raw or invalid node)");
    }
    return HB_OK;
}

hb_status hb_canonical_json_append(hb_buf *out, const cJSON *value, hb_err *e)
{
    if (!value)
        return hb_err_set(e, HB_EUSAGE, "no JSON value to write");
    return append_value(out, value, 0, e);
}

char *hb_canonical_json(const cJSON *value, hb_err *e)
{
    hb_buf out;
    hb_buf_init(&out);
    if (hb_canonical_json_append(&out, value, e) != HB_OK) {
        hb_buf_free(&out);
        return NULL;
    }
    return hb_buf_take(&out);
}
