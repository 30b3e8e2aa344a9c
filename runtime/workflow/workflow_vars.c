/* Which ctx.vars the rest of a run reads: for hb migrate, which must not
 * move a waiting run onto a version whose later steps read a var that only
 * the version's earlier steps set (the run never ran them). Read from the
 * source text of the steps reachable from the run's step, each step's text
 * running from its line to the next step's: `vars.NAME` and a local alias
 * of ctx.vars (`local v = ctx.vars`, then `v.NAME`), strings such as
 * is_set("vars.level") included. A name assigned in those steps is not
 * needed. Text, not execution: a var reached through a computed key, or
 * read in a module, is not seen (the run would fail there, retryably). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "hb/util.h"
#include "hb/workflow.h"

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

static void add_name(char ***list, size_t *n, const char *name, size_t len)
{
    for (size_t i = 0; i < *n; i++)
        if (strlen((*list)[i]) == len && !strncmp((*list)[i], name, len))
            return;
    *list = hb_xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = hb_xstrndup(name, len);
}

/* After NAME at p: is it assigned ("x = ", or the first of "x, y = ")? */
static bool assigned(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p < end && *p == '=' && (p + 1 >= end || p[1] != '='))
        return true;
    if (p >= end || *p != ',')
        return false;
    for (; p < end && *p != '\n'; p++) {
        if (*p == '=')
            return p + 1 < end && p[1] != '=' && p[-1] != '~' && p[-1] != '<' && p[-1] != '>';
        if (!ident_char(*p) && !strchr(" \t,.", *p))
            return false;
    }
    return false;
}

typedef struct names {
    char **reads, **writes;
    size_t nreads, nwrites;
} names;

/* The names read and written through prefix ("vars." or "v.") in text. */
static void scan(names *out, const char *text, const char *end, const char *prefix)
{
    size_t plen = strlen(prefix);
    for (const char *p = text; p + plen < end; p++) {
        if (strncmp(p, prefix, plen) || (p > text && (ident_char(p[-1]))))
            continue;
        /* `vars.` on its own, or `ctx.vars.`: not `foo.vars.` of some other table. */
        if (!strcmp(prefix, "vars.") && p > text && p[-1] == '.' &&
            !(p >= text + 4 && !strncmp(p - 4, "ctx.", 4)))
            continue;
        const char *name = p + plen, *q = name;
        while (q < end && ident_char(*q))
            q++;
        if (q == name || isdigit((unsigned char)*name))
            continue;
        if (assigned(q, end))
            add_name(&out->writes, &out->nwrites, name, (size_t)(q - name));
        else
            add_name(&out->reads, &out->nreads, name, (size_t)(q - name));
        p = q - 1;
    }
}

/* `local X = ctx.vars` in text: X, else NULL. */
static char *alias_of(const char *text, const char *end)
{
    for (const char *p = text; p < end; p++) {
        if (strncmp(p, "local ", 6))
            continue;
        const char *name = p + 6, *q = name;
        while (q < end && ident_char(*q))
            q++;
        const char *r = q;
        while (r < end && *r == ' ')
            r++;
        if (q > name && r < end && *r == '=' && !strncmp(r + 1, " ctx.vars", 9) &&
            !ident_char(r[10]) && r[10] != '.')
            return hb_xstrndup(name, (size_t)(q - name));
    }
    return NULL;
}

/* Where step i's text starts and ends in its file's text. */
static void span(const hb_workflow *wf, size_t i, const char *src, const char **from,
                 const char **to)
{
    int start = wf->steps[i].line, stop = 0;
    for (size_t k = 0; k < wf->nsteps; k++) {
        const hb_step *s = &wf->steps[k];
        if (s->file && wf->steps[i].file && !strcmp(s->file, wf->steps[i].file) &&
            s->line > start && (!stop || s->line < stop))
            stop = s->line;
    }
    const char *p = src;
    for (int line = 1; *p && line < start; p++)
        line += *p == '\n';
    *from = p;
    for (int line = start; *p && (!stop || line < stop); p++)
        line += *p == '\n';
    *to = p;
}

static void reach(const hb_workflow *wf, size_t i, bool *seen)
{
    if (i >= wf->nsteps || seen[i])
        return;
    seen[i] = true;
    const hb_step *s = &wf->steps[i];
    const char *targets[3] = {hb_step_default_next(wf, i), s->on_error, s->on_timeout};
    for (size_t k = 0; k < 3; k++)
        if (targets[k] && hb_workflow_step_index(wf, targets[k]) >= 0)
            reach(wf, (size_t)hb_workflow_step_index(wf, targets[k]), seen);
    for (size_t k = 0; k < s->nedges; k++) {
        const char *t = s->edges[k].target ? s->edges[k].target : hb_step_default_next(wf, i);
        if (t && hb_workflow_step_index(wf, t) >= 0)
            reach(wf, (size_t)hb_workflow_step_index(wf, t), seen);
    }
}

char **hb_workflow_vars_read_from(const hb_workflow *wf, size_t from, size_t *n)
{
    *n = 0;
    bool *seen = hb_xcalloc(wf->nsteps + 1, sizeof *seen);
    reach(wf, from, seen);
    names all = {0};
    for (size_t i = 0; i < wf->nsteps; i++) {
        if (!seen[i] || !wf->steps[i].file)
            continue;
        size_t len;
        char *src = hb_read_file(wf->steps[i].file, &len, NULL);
        if (!src)
            continue;
        const char *a, *b;
        span(wf, i, src, &a, &b);
        scan(&all, a, b, "vars.");
        char *alias = alias_of(a, b);
        if (alias) {
            char *prefix = hb_xasprintf("%s.", alias);
            scan(&all, a, b, prefix);
            free(prefix);
            free(alias);
        }
        free(src);
    }
    free(seen);
    char **needed = NULL;
    for (size_t i = 0; i < all.nreads; i++) {
        bool written = false;
        for (size_t k = 0; k < all.nwrites && !written; k++)
            written = !strcmp(all.reads[i], all.writes[k]);
        if (!written)
            add_name(&needed, n, all.reads[i], strlen(all.reads[i]));
    }
    for (size_t i = 0; i < all.nreads; i++)
        free(all.reads[i]);
    for (size_t i = 0; i < all.nwrites; i++)
        free(all.writes[i]);
    free(all.reads);
    free(all.writes);
    return needed;
}
