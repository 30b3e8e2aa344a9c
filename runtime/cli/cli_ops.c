/* hb ops [SERVICE]: every operation a workflow can call, from the operation
 * table (service_table.h: what C lets a binding do, read or write), with
 * its parameters, what it returns and a line of doc from the editor types
 * (stdlib/types/<service>.lua, op_docs.h). An author sees that GitLab has
 * groups.member without opening stdlib/gitlab.lua. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/cli.h"
#include "hb/json_print.h"
#include "hb/op_docs.h"
#include "hb/paths.h"
#include "hb/service_table.h"
#include "hb/util.h"

/* The docs of every service's types file; a missing file leaves its
 * operations without words, not an error (the table is what counts). */
static void read_docs(hb_op_docs *docs)
{
    char *stdlib = hb_stdlib_dir();
    for (size_t i = 0; stdlib && i < hb_service_count; i++) {
        char *file = hb_xasprintf("%s/types/%s.lua", stdlib, hb_service_defs[i].name);
        hb_err e;
        char *text = hb_read_file(file, NULL, &e);
        if (text)
            hb_op_docs_read(docs, text);
        free(text);
        free(file);
    }
    free(stdlib);
}

/* A type as one line shows it: a table literal's fields are for the
 * editor, here it is a table. */
static const char *short_type(const char *type)
{
    return type && type[0] == '{' ? "table" : type;
}

/* "zendesk.tickets.get(id: integer) -> zendesk.Ticket|nil, hb.ServiceError|nil" */
static char *signature(const char *name, const hb_op_doc *doc)
{
    hb_buf b;
    hb_buf_init(&b);
    hb_buf_printf(&b, "%s(", name);
    for (size_t i = 0; doc && i < doc->nparams; i++) {
        const char *type = short_type(doc->params[i].type);
        hb_buf_printf(&b, "%s%s%s%s", i ? ", " : "", doc->params[i].name, type ? ": " : "",
                      type ? type : "");
    }
    hb_buf_puts(&b, ")");
    if (doc && doc->returns)
        hb_buf_printf(&b, " -> %s", doc->returns);
    return hb_buf_take(&b);
}

static cJSON *op_json(const hb_operation_def *op, const hb_op_doc *doc)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", op->name);
    cJSON_AddStringToObject(o, "service", op->service);
    cJSON_AddStringToObject(o, "access", op->write ? "write" : "read");
    cJSON *params = cJSON_AddArrayToObject(o, "params");
    for (size_t i = 0; doc && i < doc->nparams; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "name", doc->params[i].name);
        if (doc->params[i].type)
            cJSON_AddStringToObject(p, "type", doc->params[i].type);
        cJSON_AddItemToArray(params, p);
    }
    if (doc && doc->returns)
        cJSON_AddStringToObject(o, "returns", doc->returns);
    cJSON_AddStringToObject(o, "summary", doc && doc->summary ? doc->summary : "");
    return o;
}

static void print_ops(const char *service, const hb_op_docs *docs, bool json)
{
    cJSON *all = json ? cJSON_CreateArray() : NULL;
    for (size_t s = 0; s < hb_service_count; s++) {
        const hb_service_def *def = &hb_service_defs[s];
        if (service && strcmp(service, def->name))
            continue;
        if (!json)
            printf("%s%s (needs %s)\n", s && !service ? "\n" : "", def->name, def->needs);
        for (size_t i = 0; i < hb_operation_count; i++) {
            const hb_operation_def *op = &hb_operation_defs[i];
            if (op->internal || strcmp(op->service, def->name))
                continue;
            const hb_op_doc *doc = hb_op_docs_find(docs, op->name);
            if (json) {
                cJSON_AddItemToArray(all, op_json(op, doc));
                continue;
            }
            char *sig = signature(op->name, doc);
            printf("  %-5s  %s\n", op->write ? "write" : "read", sig);
            if (doc && doc->summary)
                printf("         %s\n", doc->summary);
            free(sig);
        }
    }
    if (json) {
        char *text = hb_json_print(all);
        printf("%s\n", text);
        free(text);
        cJSON_Delete(all);
    }
}

int hb_cmd_ops(int argc, char **argv)
{
    const char *service = NULL;
    bool json = false;
    const hb_option options[] = {
        HB_ARG_OPTIONAL("SERVICE", &service, "only this service's operations"),
        HB_FLAG("json", &json,
                "one JSON array: name, service, access, params [{name, type}],\n"
                "returns, summary"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "ops",
        .about = "Lists every operation a workflow can call, service by service: read or\n"
                 "write (a write is planned in a dry run and refused by forbid), its\n"
                 "parameters (? marks an optional one), what it returns, and a line of\n"
                 "doc. From the operation table hb enforces and the editor types in\n"
                 "stdlib/types/.\n",
        .options = options,
    };
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        return rc;
    if (service && !hb_service_lookup(service)) {
        const char *names[16];
        size_t n = 0;
        for (; n < hb_service_count && n < 16; n++)
            names[n] = hb_service_defs[n].name;
        const char *near = hb_closest_name(names, n, service, 3);
        return hb_cli_usage_error(&spec, "unknown service '%s'%s%s%s (services: %s)", service,
                                  near ? " (did you mean " : "", near ? near : "", near ? "?)" : "",
                                  hb_service_names_text());
    }
    hb_op_docs docs = {0};
    read_docs(&docs);
    print_ops(service, &docs, json);
    hb_op_docs_free(&docs);
    return HB_OK;
}
