/* Collecting, ordering and printing lint problems: plain lines for editors
 * and people, a GitLab Code Quality report for merge requests. */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/lint.h"
#include "hb/json_print.h"
#include "hb/sha256.h"

void hb_lint_add(hb_lint_report *r, const char *file, int line, int col, hb_lint_severity sev,
                 const char *check, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->items = hb_xrealloc(r->items, (r->n + 1) * sizeof *r->items);
    r->items[r->n++] = (hb_lint_problem){
        .file = hb_xstrdup(file),
        .line = line,
        .col = col,
        .severity = sev,
        .check = check,
        .message = hb_xstrdup(msg),
    };
}

typedef struct ordered {
    const hb_lint_problem *p;
    size_t index;
} ordered;

static int compare(const void *a, const void *b)
{
    const ordered *x = a, *y = b;
    int c = strcmp(x->p->file, y->p->file);
    if (c)
        return c;
    if (x->p->line != y->p->line)
        return x->p->line < y->p->line ? -1 : 1;
    if (x->p->col != y->p->col)
        return x->p->col < y->p->col ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

void hb_lint_sort(hb_lint_report *r)
{
    if (r->n < 2)
        return;
    ordered *o = hb_xcalloc(r->n, sizeof *o);
    for (size_t i = 0; i < r->n; i++)
        o[i] = (ordered){.p = &r->items[i], .index = i};
    qsort(o, r->n, sizeof *o, compare);
    hb_lint_problem *sorted = hb_xcalloc(r->n, sizeof *sorted);
    for (size_t i = 0; i < r->n; i++)
        sorted[i] = *o[i].p;
    free(r->items);
    r->items = sorted;
    free(o);
}

size_t hb_lint_count(const hb_lint_report *r, hb_lint_severity sev)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->items[i].severity == sev;
    return n;
}

static const char *severity_name(hb_lint_severity s)
{
    return s == HB_LINT_ERROR ? "error" : "warning";
}

void hb_lint_format_text(const hb_lint_report *r, hb_buf *out)
{
    for (size_t i = 0; i < r->n; i++) {
        const hb_lint_problem *p = &r->items[i];
        hb_buf_printf(out, "%s:%d:", p->file, p->line);
        if (p->col > 0)
            hb_buf_printf(out, "%d:", p->col);
        hb_buf_printf(out, " %s: %s\n", severity_name(p->severity), p->message);
    }
}

/* GitLab shows paths relative to the repository: drop a leading "./". */
static const char *report_path(const char *file)
{
    while (file[0] == '.' && file[1] == '/')
        file += 2;
    return file;
}

static void fingerprint(const hb_lint_report *r, size_t i, char out[HB_SHA256_HEX_LEN + 1])
{
    const hb_lint_problem *p = &r->items[i];
    size_t repeats = 0;
    for (size_t j = 0; j < i; j++)
        repeats += !strcmp(r->items[j].file, p->file) && !strcmp(r->items[j].check, p->check) &&
                   !strcmp(r->items[j].message, p->message);
    hb_buf key;
    hb_buf_init(&key);
    hb_buf_printf(&key, "%s", report_path(p->file));
    hb_buf_putc(&key, '\0');
    hb_buf_printf(&key, "%s", p->check);
    hb_buf_putc(&key, '\0');
    hb_buf_printf(&key, "%s", p->message);
    hb_buf_putc(&key, '\0');
    hb_buf_printf(&key, "%zu", repeats);
    hb_sha256_hex(key.data, key.len, out);
    hb_buf_free(&key);
}

void hb_lint_format_gitlab(const hb_lint_report *r, hb_buf *out)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < r->n; i++) {
        const hb_lint_problem *p = &r->items[i];
        char fp[HB_SHA256_HEX_LEN + 1];
        fingerprint(r, i, fp);
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "description", p->message);
        cJSON_AddStringToObject(item, "check_name", p->check);
        cJSON_AddStringToObject(item, "fingerprint", fp);
        cJSON_AddStringToObject(item, "severity", p->severity == HB_LINT_ERROR ? "major" : "minor");
        cJSON *location = cJSON_AddObjectToObject(item, "location");
        cJSON_AddStringToObject(location, "path", report_path(p->file));
        cJSON *lines = cJSON_AddObjectToObject(location, "lines");
        cJSON_AddNumberToObject(lines, "begin", p->line > 0 ? p->line : 1);
        cJSON_AddItemToArray(list, item);
    }
    char *text = hb_json_print_pretty(list);
    hb_buf_puts(out, text);
    hb_buf_putc(out, '\n');
    free(text);
    cJSON_Delete(list);
}

void hb_lint_report_free(hb_lint_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->items[i].file);
        free(r->items[i].message);
    }
    free(r->items);
    memset(r, 0, sizeof *r);
}
