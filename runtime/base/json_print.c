/* Compact JSON text from a cJSON tree, with numbers that survive the trip.
 *
 * cJSON's own printer decides that "%1.15g" is good enough when the value
 * it reads back is within a relative epsilon, so 9007199254740991 comes out
 * as 9.00719925474099e+15. Here whole numbers print as all their digits and
 * other numbers with the fewest digits that read back exactly. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/json_print.h"
#include "hb/util.h"

static void put_number(hb_buf *b, double d)
{
    if (!isfinite(d)) {
        hb_buf_puts(b, "null"); /* JSON has no NaN or infinity */
        return;
    }
    if (d == floor(d) && fabs(d) <= HB_JSON_MAX_EXACT_INTEGER) {
        hb_buf_printf(b, "%.0f", d == 0 ? 0.0 : d); /* no "-0" */
        return;
    }
    char text[40];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, d);
        if (strtod(text, NULL) == d)
            break;
    }
    hb_buf_puts(b, text);
}

static void put_string(hb_buf *b, const char *s)
{
    hb_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            hb_buf_puts(b, "\\\"");
            break;
        case '\\':
            hb_buf_puts(b, "\\\\");
            break;
        case '\n':
            hb_buf_puts(b, "\\n");
            break;
        case '\r':
            hb_buf_puts(b, "\\r");
            break;
        case '\t':
            hb_buf_puts(b, "\\t");
            break;
        case '\b':
            hb_buf_puts(b, "\\b");
            break;
        case '\f':
            hb_buf_puts(b, "\\f");
            break;
        default:
            if (*p < 0x20)
                hb_buf_printf(b, "\\u%04x", *p);
            else
                hb_buf_putc(b, (char)*p);
        }
    }
    hb_buf_putc(b, '"');
}

/* indent < 0: compact; else the depth of v, for two spaces a level. */
static void put_value(hb_buf *b, const cJSON *v, int indent)
{
    if (cJSON_IsNumber(v)) {
        put_number(b, v->valuedouble);
    } else if (cJSON_IsString(v)) {
        put_string(b, v->valuestring ? v->valuestring : "");
    } else if (cJSON_IsTrue(v)) {
        hb_buf_puts(b, "true");
    } else if (cJSON_IsFalse(v)) {
        hb_buf_puts(b, "false");
    } else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        bool object = cJSON_IsObject(v);
        hb_buf_putc(b, object ? '{' : '[');
        for (const cJSON *item = v->child; item; item = item->next) {
            if (item != v->child)
                hb_buf_putc(b, ',');
            if (indent >= 0)
                hb_buf_printf(b, "\n%*s", 2 * (indent + 1), "");
            if (object) {
                put_string(b, item->string ? item->string : "");
                hb_buf_puts(b, indent >= 0 ? ": " : ":");
            }
            put_value(b, item, indent >= 0 ? indent + 1 : -1);
        }
        /* Empty containers stay on one line, as jq prints them. */
        if (indent >= 0 && v->child)
            hb_buf_printf(b, "\n%*s", 2 * indent, "");
        hb_buf_putc(b, object ? '}' : ']');
    } else if (cJSON_IsRaw(v) && v->valuestring) {
        hb_buf_puts(b, v->valuestring);
    } else {
        hb_buf_puts(b, "null");
    }
}

char *hb_json_print(const cJSON *v)
{
    hb_buf b;
    hb_buf_init(&b);
    put_value(&b, v, -1);
    return hb_buf_take(&b);
}

char *hb_json_print_pretty(const cJSON *v)
{
    hb_buf b;
    hb_buf_init(&b);
    put_value(&b, v, 0);
    return hb_buf_take(&b);
}
