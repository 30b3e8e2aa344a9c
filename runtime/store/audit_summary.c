/* One-line summaries of audit events for people reading `hb audit show`.
 * The event's full data stays available with --json; this is only a
 * reading aid, so unknown types fall back to the data itself. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/audit.h"
#include "hb/canonical_json.h"
#include "hb/util.h"

/* Longer summaries are cut (at a character boundary) to keep one line. */
#define SUMMARY_MAX_BYTES 160

static const char *str(const cJSON *data, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(data, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *str_or(const cJSON *data, const char *name, const char *fallback)
{
    const char *s = str(data, name);
    return s ? s : fallback;
}

static bool has_number(const cJSON *data, const char *name, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(data, name);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return false;
    *out = v->valuedouble;
    return true;
}

static void put_number(hb_buf *out, double v)
{
    hb_canonical_json_append_number(out, v, NULL);
}

/* Any JSON value as text: strings bare, everything else as canonical JSON. */
static void put_value(hb_buf *out, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        hb_buf_puts(out, v->valuestring);
        return;
    }
    char *text = v ? hb_canonical_json(v, NULL) : NULL;
    hb_buf_puts(out, text ? text : "?");
    free(text);
}

static void summarize_api_call(hb_buf *out, const cJSON *d)
{
    hb_buf_printf(out, "%s %s %s", str_or(d, "method", "?"), str_or(d, "service", "?"),
                  str_or(d, "path", "?"));
    double status, ms, attempt;
    if (has_number(d, "status", &status)) {
        hb_buf_puts(out, " → ");
        put_number(out, status);
    } else if (str(d, "error")) {
        hb_buf_printf(out, " → %s", str(d, "error"));
    }
    if (has_number(d, "ms", &ms)) {
        hb_buf_puts(out, " (");
        put_number(out, round(ms));
        hb_buf_puts(out, " ms)");
    }
    if (has_number(d, "attempt", &attempt) && attempt > 1) {
        hb_buf_puts(out, ", attempt ");
        put_number(out, attempt);
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "dry_run")))
        hb_buf_puts(out, " [dry run]");
}

static void summarize_intent(hb_buf *out, const cJSON *d)
{
    if (str(d, "method"))
        hb_buf_printf(out, "will %s %s %s", str(d, "method"), str_or(d, "service", "?"),
                      str_or(d, "path", "?"));
    else
        hb_buf_printf(out, "will %s", str_or(d, "op", "change something"));
    if (str(d, "object"))
        hb_buf_printf(out, " (%s)", str(d, "object"));
}

static void summarize_run_started(hb_buf *out, const cJSON *d)
{
    hb_buf_printf(out, "%s %.12s on %s", str_or(d, "workflow", "?"), str_or(d, "version", "?"),
                  str_or(d, "target", "?"));
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "dry_run")))
        hb_buf_puts(out, " (dry run)");
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(d, "inputs");
    if (inputs) {
        hb_buf_puts(out, " inputs ");
        put_value(out, inputs);
    }
}

static void summarize_step_finished(hb_buf *out, const cJSON *d)
{
    hb_buf_puts(out, str_or(d, "outcome", "finished"));
    double ms;
    if (has_number(d, "ms", &ms)) {
        hb_buf_puts(out, " (");
        put_number(out, round(ms));
        hb_buf_puts(out, " ms)");
    }
    if (str(d, "error"))
        hb_buf_printf(out, ": %s", str(d, "error"));
}

static void summarize_waiting(hb_buf *out, const cJSON *d)
{
    hb_buf_printf(out, "for %s", str_or(d, "kind", "?"));
    const char *what = str(d, "event");
    if (!what)
        what = str(d, "question");
    if (!what)
        what = str(d, "description");
    if (what)
        hb_buf_printf(out, ": %s", what);
}

static void summarize_by(hb_buf *out, const cJSON *d)
{
    hb_buf_printf(out, "by %s", str_or(d, "by", "?"));
    if (str(d, "event"))
        hb_buf_printf(out, " (event %s)", str(d, "event"));
    if (str(d, "reason"))
        hb_buf_printf(out, ": %s", str(d, "reason"));
}

/* hb retry: "from STEP by ACTOR (forced): REASON". */
static void summarize_retried(hb_buf *out, const cJSON *d)
{
    hb_buf_printf(out, "from %s ", str_or(d, "from", "?"));
    summarize_by(out, d);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "force")))
        hb_buf_puts(out, " (forced)");
    if (str(d, "reason"))
        hb_buf_printf(out, ": %s", str(d, "reason"));
}

static void summarize(hb_buf *out, const char *type, const cJSON *d)
{
    if (!strcmp(type, "api_call")) {
        summarize_api_call(out, d);
    } else if (!strcmp(type, "intent")) {
        summarize_intent(out, d);
    } else if (!strcmp(type, "transition")) {
        hb_buf_printf(out, "%s → %s", str_or(d, "from", "?"), str_or(d, "to", "?"));
        if (str(d, "label"))
            hb_buf_printf(out, " [%s]", str(d, "label"));
    } else if (!strcmp(type, "run_started")) {
        summarize_run_started(out, d);
    } else if (!strcmp(type, "step_started") && str(d, "kind")) {
        hb_buf_puts(out, str(d, "kind"));
    } else if (!strcmp(type, "step_finished")) {
        summarize_step_finished(out, d);
    } else if (!strcmp(type, "created")) {
        hb_buf_printf(out, "%s by %s", str_or(d, "object", "?"), str_or(d, "op", "?"));
        if (str(d, "in"))
            hb_buf_printf(out, " (in %s)", str(d, "in"));
    } else if (!strcmp(type, "note") && str(d, "message")) {
        hb_buf_puts(out, str(d, "message"));
    } else if (!strcmp(type, "answered")) {
        hb_buf_puts(out, "answer ");
        put_value(out, cJSON_GetObjectItemCaseSensitive(d, "value"));
        if (str(d, "by"))
            hb_buf_printf(out, " by %s", str(d, "by"));
    } else if (!strcmp(type, "waiting")) {
        summarize_waiting(out, d);
    } else if (!strcmp(type, "resumed") || !strcmp(type, "cancelled")) {
        summarize_by(out, d);
    } else if (!strcmp(type, "retried")) {
        summarize_retried(out, d);
    } else if (!strcmp(type, "run_finished")) {
        hb_buf_puts(out, str_or(d, "status", "?"));
        if (str(d, "error"))
            hb_buf_printf(out, ": %s", str(d, "error"));
    } else {
        put_value(out, d);
    }
}

/* Keeps the summary on one line and within SUMMARY_MAX_BYTES. */
static char *one_line(hb_buf *text)
{
    for (size_t i = 0; i < text->len; i++) {
        unsigned char c = (unsigned char)text->data[i];
        if (c < 0x20 || c == 0x7f)
            text->data[i] = ' ';
    }
    if (text->len > SUMMARY_MAX_BYTES) {
        size_t cut = SUMMARY_MAX_BYTES;
        while (cut > 0 && ((unsigned char)text->data[cut] & 0xC0) == 0x80)
            cut--; /* never split a UTF-8 sequence */
        text->len = cut;
        text->data[cut] = '\0';
        hb_buf_puts(text, "…");
    }
    return hb_buf_take(text);
}

char *hb_audit_summary(const hb_audit_event *ev)
{
    hb_buf out;
    hb_buf_init(&out);
    cJSON *data = ev->data ? cJSON_Parse(ev->data) : NULL;
    if (cJSON_IsObject(data))
        summarize(&out, ev->type, data);
    else
        hb_buf_puts(&out, ev->data ? ev->data : "");
    cJSON_Delete(data);
    return one_line(&out);
}
