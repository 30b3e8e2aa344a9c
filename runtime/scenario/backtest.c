/* hb backtest over a set of recorded runs: each replayed in one scratch
 * store of the backtest's own (never the team's), its verdict, and the
 * summary "changes the outcome of X of Y runs; Z not replayable". */
#include <stdlib.h>
#include <string.h>

#include "backtest_internal.h"
#include "hb/util.h"
#include "hb/workflow.h"

static const char *str(const cJSON *o, const char *field)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, field);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static hb_status one_run(const hb_engine *eng, const hb_backtest_options *o, const cJSON *rec,
                         cJSON *entry, hb_err *e)
{
    cJSON_AddStringToObject(entry, "run", str(rec, "id") ? str(rec, "id") : "?");
    cJSON_AddStringToObject(entry, "status", str(rec, "status") ? str(rec, "status") : "?");
    char *problem = NULL;
    hb_status st = hb_backtest_replay(eng, o, rec, &problem, e);
    if (st == HB_OK && problem) {
        cJSON_AddStringToObject(entry, "verdict", "not replayable");
        cJSON_AddStringToObject(entry, "why", problem);
    } else if (st == HB_OK) {
        st = hb_backtest_compare(eng->store, rec, entry, e);
    }
    free(problem);
    return st;
}

hb_status hb_backtest_run(const hb_backtest_options *o, const cJSON *runs, cJSON **report,
                          hb_err *e)
{
    *report = NULL;
    hb_workflow *wf = NULL;
    hb_status st = hb_workflow_load_file(o->workflow_file, &wf, e);
    if (st != HB_OK)
        return st;
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "workflow", wf->name);
    cJSON_AddStringToObject(r, "file", o->workflow_file);
    hb_workflow_free(wf);
    const char *tmp = getenv("TMPDIR");
    char *dir = hb_xasprintf("%s/hb-backtest.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        free(dir);
        cJSON_Delete(r);
        return hb_err_set(e, HB_EINTERNAL, "cannot create a scratch folder for hb backtest");
    }
    char *path = hb_path_join(dir, "backtest.db");
    hb_store_options so = {.busy_timeout_ms = HB_STORE_DEFAULT_BUSY_TIMEOUT_MS};
    hb_store *scratch = NULL;
    st = hb_store_open_sqlite(path, &so, &scratch, e);
    free(path);
    if (st != HB_OK) {
        hb_rmtree(dir);
        free(dir);
        cJSON_Delete(r);
        return st;
    }
    hb_engine eng = *o->engine;
    eng.store = scratch;
    eng.home = dir;
    cJSON *list = cJSON_AddArrayToObject(r, "runs");
    int total = 0, changed = 0, unreplayable = 0;
    const cJSON *rec;
    cJSON_ArrayForEach(rec, runs)
    {
        cJSON *entry = cJSON_CreateObject();
        cJSON_AddItemToArray(list, entry);
        if ((st = one_run(&eng, o, rec, entry, e)) != HB_OK)
            break;
        const char *v = str(entry, "verdict");
        total++;
        changed += v && !strcmp(v, "changed");
        unreplayable += v && !strcmp(v, "not replayable");
    }
    hb_store_close(scratch);
    hb_rmtree(dir);
    free(dir);
    if (st != HB_OK) {
        cJSON_Delete(r);
        return st;
    }
    cJSON_AddNumberToObject(r, "total", total);
    cJSON_AddNumberToObject(r, "changed", changed);
    cJSON_AddNumberToObject(r, "not_replayable", unreplayable);
    char *summary = hb_xasprintf("changes the outcome of %d of %d run%s; %d not replayable",
                                 changed, total, total == 1 ? "" : "s", unreplayable);
    cJSON_AddStringToObject(r, "summary", summary);
    free(summary);
    *report = r;
    return HB_OK;
}

static void write_lines(hb_buf *b, const cJSON *entry, const char *indent, bool md)
{
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(entry, "writes");
    static const char *const kinds[] = {"added", "removed", "changed", NULL};
    for (const char *const *k = kinds; *k; k++) {
        const cJSON *item;
        cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(w, *k))
        {
            const char *text = cJSON_IsString(item) ? item->valuestring : str(item, "write");
            hb_buf_printf(b, md ? "%swrite %s: `%s`<br>" : "%swrite %s: %s\n", indent, *k,
                          text ? text : "?");
        }
    }
}

/* Markdown table cells hold no '|' or line break. */
static void cell(hb_buf *b, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++)
        hb_buf_puts(b, *p == '|' ? "\\|" : *p == '\n' ? " " : (char[2]){*p, 0});
}

char *hb_backtest_format(const cJSON *report, const char *format)
{
    bool md = format && !strcmp(format, "markdown");
    hb_buf b;
    hb_buf_init(&b);
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(report, "runs");
    if (md) {
        hb_buf_printf(&b, "**hb backtest** of `%s`: %s\n\n", str(report, "workflow"),
                      str(report, "summary"));
        bool header = false;
        const cJSON *en;
        cJSON_ArrayForEach(en, runs)
        {
            const char *v = str(en, "verdict");
            if (!v || !strcmp(v, "same"))
                continue;
            if (!header)
                hb_buf_puts(&b, "| Run | Verdict | Step | Was | Now | Writes |\n"
                                "|---|---|---|---|---|---|\n");
            header = true;
            hb_buf_printf(&b, "| `%s` | %s | ", str(en, "run"), v);
            cell(&b, str(en, "step"));
            hb_buf_puts(&b, " | ");
            const char *was = !strcmp(v, "changed") ? str(en, "old") : str(en, "why");
            cell(&b, was ? was : "(the same path)");
            hb_buf_puts(&b, " | ");
            cell(&b, str(en, "new")          ? str(en, "new")
                     : !strcmp(v, "changed") ? "(other writes)"
                                             : "");
            hb_buf_puts(&b, " | ");
            hb_buf w;
            hb_buf_init(&w);
            write_lines(&w, en, "", true);
            if (w.len >= 4 && !strcmp(w.data + w.len - 4, "<br>"))
                w.data[w.len -= 4] = '\0';
            cell(&b, w.data);
            hb_buf_free(&w);
            hb_buf_puts(&b, " |\n");
        }
        return b.data ? b.data : hb_xstrdup("");
    }
    hb_buf_printf(&b, "backtest of %s (%s) on %d recorded run%s\n", str(report, "workflow"),
                  str(report, "file"), cJSON_GetArraySize(runs),
                  cJSON_GetArraySize(runs) == 1 ? "" : "s");
    const cJSON *en;
    cJSON_ArrayForEach(en, runs)
    {
        const char *v = str(en, "verdict");
        hb_buf_printf(&b, "  %s  %-9s  %s", str(en, "run"), str(en, "status"), v ? v : "?");
        if (v && !strcmp(v, "not replayable"))
            hb_buf_printf(&b, ": %s", str(en, "why"));
        else if (v && !strcmp(v, "changed") && str(en, "old"))
            hb_buf_printf(&b, " at %s: was \"%s\", now \"%s\"", str(en, "step"), str(en, "old"),
                          str(en, "new"));
        else if (v && !strcmp(v, "changed"))
            hb_buf_printf(&b, " at %s: other writes", str(en, "step"));
        hb_buf_putc(&b, '\n');
        if (str(en, "new_error"))
            hb_buf_printf(&b, "      the new version fails: %s\n", str(en, "new_error"));
        write_lines(&b, en, "      ", false);
    }
    hb_buf_printf(&b, "%s\n", str(report, "summary"));
    return b.data;
}
