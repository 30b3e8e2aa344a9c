/* Lint rules about the service bindings: an operation that does not exist
 * (`zendesk.tickets.gett`) fails only when the step runs, and a misspelt
 * forbid entry (`zendesk.public_replies`) forbids nothing at all, silently.
 *
 * What exists is read from the binding modules themselves (stdlib/<service>
 * .lua): each declares its operations in `M._ops = { ["tickets.get"] =
 * "read", ... }`, and names its capabilities as string literals such as
 * "zendesk.public_reply". Reading the text rather than loading the module
 * keeps lint independent of the HTTP transport the modules call into. A
 * service whose module is not installed is not checked. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/paths.h"
#include "lint_internal.h"

typedef struct surface {
    bool known; /* the module was found and lists operations */
    char **ops; /* "tickets.get" */
    size_t nops;
    char **names; /* every "service.x" literal: operations and capabilities */
    size_t nnames;
} surface;

static void add(char ***list, size_t *n, const char *s, size_t len)
{
    for (size_t i = 0; i < *n; i++)
        if (strlen((*list)[i]) == len && !memcmp((*list)[i], s, len))
            return;
    *list = hb_xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = hb_xstrndup(s, len);
}

static bool is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.';
}

static void read_surface(const char *service, surface *s)
{
    memset(s, 0, sizeof *s);
    char *dir = hb_stdlib_dir();
    char *file = hb_xasprintf("%s/%s.lua", dir, service);
    free(dir);
    char *text = hb_read_file(file, NULL, NULL);
    free(file);
    if (!text)
        return;
    const char *ops = strstr(text, "_ops = {");
    const char *end = ops ? strchr(ops, '}') : NULL;
    for (const char *p = ops; p && p < end; p++) {
        if (p[0] != '[' || p[1] != '"')
            continue;
        const char *q = strchr(p + 2, '"');
        if (!q || q > end)
            break;
        add(&s->ops, &s->nops, p + 2, (size_t)(q - p - 2));
        p = q;
    }
    s->known = s->nops > 0;
    size_t prefix = strlen(service);
    for (const char *p = text; *p; p++) {
        if ((*p != '"' && *p != '\'') || strncmp(p + 1, service, prefix) || p[1 + prefix] != '.')
            continue;
        const char *q = p + 1;
        while (is_name_char(*q))
            q++;
        if (*q == *p)
            add(&s->names, &s->nnames, p + 1, (size_t)(q - p - 1));
    }
    free(text);
}

static void free_surface(surface *s)
{
    for (size_t i = 0; i < s->nops; i++)
        free(s->ops[i]);
    for (size_t i = 0; i < s->nnames; i++)
        free(s->names[i]);
    free(s->ops);
    free(s->names);
}

static int service_index(const char *name, size_t len)
{
    for (int i = 0; hb_known_services[i]; i++)
        if (strlen(hb_known_services[i]) == len && !strncmp(hb_known_services[i], name, len))
            return i;
    return -1;
}

/* An operation, or a table on the way to one ("tickets" of "tickets.get"). */
static bool is_operation_or_namespace(const surface *s, const char *op)
{
    size_t n = strlen(op);
    for (size_t i = 0; i < s->nops; i++)
        if (!strncmp(s->ops[i], op, n) && (s->ops[i][n] == '\0' || s->ops[i][n] == '.'))
            return true;
    return false;
}

static const char *closest_op(const surface *s, const char *op)
{
    const char *best = NULL;
    size_t best_d = 4;
    for (size_t i = 0; i < s->nops; i++) {
        size_t d = hb_edit_distance(s->ops[i], op);
        if (d < best_d) {
            best_d = d;
            best = s->ops[i];
        }
    }
    return best;
}

static void check_operations(const lint_source *src, const hb_chunk_facts *f, surface *surfaces,
                             hb_lint_report *r)
{
    for (size_t i = 0; i < f->nfields; i++) {
        const hb_field_use *u = &f->fields[i];
        const char *dot = strchr(u->global, '.');
        size_t root_len = dot ? (size_t)(dot - u->global) : strlen(u->global);
        int svc = service_index(u->global, root_len);
        if (svc < 0 || !surfaces[svc].known)
            continue;
        char *op = dot ? hb_xasprintf("%s.%s", dot + 1, u->field) : hb_xstrdup(u->field);
        bool repeat = false;
        for (size_t j = 0; j < i && !repeat; j++)
            repeat = f->fields[j].line == u->line && !strcmp(f->fields[j].global, u->global) &&
                     !strcmp(f->fields[j].field, u->field);
        if (!repeat && !is_operation_or_namespace(&surfaces[svc], op)) {
            const char *service = hb_known_services[svc];
            const char *hint = closest_op(&surfaces[svc], op);
            char suggestion[300] = "";
            if (hint)
                snprintf(suggestion, sizeof suggestion, " (did you mean %s.%s?)", service, hint);
            hb_lint_add(r, src->path, u->line, hb_lint_column_of(src, u->line, service),
                        HB_LINT_ERROR, "unknown-operation", "%s.%s is not an operation of %s%s",
                        service, op, service, suggestion);
        }
        free(op);
    }
}

static bool listed(char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

static void check_forbid(const lint_source *src, const hb_workflow *wf, surface *surfaces,
                         hb_lint_report *r)
{
    for (size_t i = 0; i < wf->nforbid; i++) {
        const char *entry = wf->forbid[i];
        const char *dot = strchr(entry, '.');
        int svc = dot ? service_index(entry, (size_t)(dot - entry)) : -1;
        char *quoted = hb_xasprintf("\"%s\"", entry);
        int line = hb_lint_line_containing(src, wf->line, quoted);
        free(quoted);
        if (svc < 0) {
            hb_lint_add(r, src->path, line, 0, HB_LINT_ERROR, "unknown-forbid",
                        "forbid entry '%s' names no service: write service.operation "
                        "(zendesk.tickets.update) or a capability (zendesk.public_reply)",
                        entry);
            continue;
        }
        const surface *s = &surfaces[svc];
        if (!s->known || listed(s->ops, s->nops, dot + 1) || listed(s->names, s->nnames, entry))
            continue;
        hb_lint_add(r, src->path, line, 0, HB_LINT_ERROR, "unknown-forbid",
                    "forbid entry '%s' is neither an operation nor a capability of %s, so it "
                    "forbids nothing",
                    entry, hb_known_services[svc]);
    }
}

void hb_lint_check_services(const lint_source *src, const hb_chunk_facts *f, const hb_workflow *wf,
                            hb_lint_report *r)
{
    size_t n = 0;
    while (hb_known_services[n])
        n++;
    surface *surfaces = hb_xcalloc(n, sizeof *surfaces);
    for (size_t i = 0; i < n; i++)
        read_surface(hb_known_services[i], &surfaces[i]);
    check_operations(src, f, surfaces, r);
    if (wf)
        check_forbid(src, wf, surfaces, r);
    for (size_t i = 0; i < n; i++)
        free_surface(&surfaces[i]);
    free(surfaces);
}
