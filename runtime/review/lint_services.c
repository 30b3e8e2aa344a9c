/* Lint rules about the service bindings: an operation that does not exist
 * (`zendesk.tickets.gett`) fails only when the step runs, and a misspelt
 * forbid entry (`zendesk.public_replies`) forbids nothing at all, silently.
 *
 * What exists is the operation table the bindings' C side enforces
 * (service_table.h): lint and the runtime cannot disagree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/service_table.h"
#include "lint_internal.h"

/* An operation a workflow may call, or a table on the way to one
 * ("zendesk.tickets" of "zendesk.tickets.get"). */
static bool is_operation_or_namespace(const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < hb_operation_count; i++) {
        const hb_operation_def *op = &hb_operation_defs[i];
        if (!op->internal && !strncmp(op->name, name, n) &&
            (op->name[n] == '\0' || op->name[n] == '.'))
            return true;
    }
    return false;
}

static const char *closest_op(const char *service, const char *name)
{
    const char *best = NULL;
    size_t best_d = 4;
    for (size_t i = 0; i < hb_operation_count; i++) {
        const hb_operation_def *op = &hb_operation_defs[i];
        if (op->internal || strcmp(op->service, service))
            continue;
        size_t d = hb_edit_distance(op->name, name);
        if (d < best_d) {
            best_d = d;
            best = op->name;
        }
    }
    return best;
}

static void check_operations(const lint_source *src, const hb_chunk_facts *f, hb_lint_report *r)
{
    for (size_t i = 0; i < f->nfields; i++) {
        const hb_field_use *u = &f->fields[i];
        const char *dot = strchr(u->global, '.');
        size_t root_len = dot ? (size_t)(dot - u->global) : strlen(u->global);
        char service[64];
        if (root_len >= sizeof service)
            continue;
        memcpy(service, u->global, root_len);
        service[root_len] = '\0';
        if (!hb_service_lookup(service))
            continue;
        char *op = hb_xasprintf("%s.%s", u->global, u->field);
        bool repeat = false;
        for (size_t j = 0; j < i && !repeat; j++)
            repeat = f->fields[j].line == u->line && !strcmp(f->fields[j].global, u->global) &&
                     !strcmp(f->fields[j].field, u->field);
        if (!repeat && !is_operation_or_namespace(op)) {
            const char *hint = closest_op(service, op);
            char suggestion[300] = "";
            if (hint)
                snprintf(suggestion, sizeof suggestion, " (did you mean %s?)", hint);
            hb_lint_add(r, src->path, u->line, hb_lint_column_of(src, u->line, service),
                        HB_LINT_ERROR, "unknown-operation", "%s is not an operation of %s%s", op,
                        service, suggestion);
        }
        free(op);
    }
}

static void check_forbid(const lint_source *src, const hb_workflow *wf, hb_lint_report *r)
{
    for (size_t i = 0; i < wf->nforbid; i++) {
        const char *entry = wf->forbid[i];
        if (hb_forbid_entry_kind(entry))
            continue;
        const char *dot = strchr(entry, '.');
        char service[64] = "";
        if (dot && (size_t)(dot - entry) < sizeof service)
            snprintf(service, sizeof service, "%.*s", (int)(dot - entry), entry);
        char *quoted = hb_xasprintf("\"%s\"", entry);
        int line = hb_lint_line_containing(src, wf->line, quoted);
        free(quoted);
        if (!hb_service_lookup(service))
            hb_lint_add(r, src->path, line, 0, HB_LINT_ERROR, "unknown-forbid",
                        "forbid entry '%s' names no service: write service.operation "
                        "(zendesk.tickets.update) or a capability (zendesk.public_reply)",
                        entry);
        else
            hb_lint_add(r, src->path, line, 0, HB_LINT_ERROR, "unknown-forbid",
                        "forbid entry '%s' is neither an operation nor a capability of %s, so it "
                        "forbids nothing",
                        entry, service);
    }
}

void hb_lint_check_services(const lint_source *src, const hb_chunk_facts *f, const hb_workflow *wf,
                            hb_lint_report *r)
{
    check_operations(src, f, r);
    if (wf)
        check_forbid(src, wf, r);
}
