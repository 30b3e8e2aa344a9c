/* hb config [NAME] [--json]: every setting, its value and where it came
 * from, so "why does hb wait 10 minutes?" has an answer on the spot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hb/cli.h"
#include "hb/json_print.h"
#include "hb/settings.h"
#include "hb/util.h"

typedef struct config_ctx {
    const char *only; /* NAME, or NULL for all */
    bool json;
    bool found;
    int problems;
    cJSON *list;
} config_ctx;

static const char HIDDEN[] = "(hidden)";

/* The value in effect as text, newly allocated: what was given, the
 * default, the computed default, or what the README calls the default. */
static char *effective(const hb_setting_state *st, bool *known)
{
    const hb_setting *d = st->def;
    *known = true;
    if (st->text && !st->problem)
        return hb_xstrdup(d->flags & HB_SETTING_SECRET ? HIDDEN : st->text);
    if (d->fallback)
        return hb_xstrdup(d->fallback);
    if (d->computed)
        return d->computed();
    *known = false;
    return NULL;
}

static void add_json(config_ctx *c, const hb_setting_state *st, const char *value)
{
    const hb_setting *d = st->def;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", d->name);
    if (value)
        cJSON_AddStringToObject(o, "value", value);
    else
        cJSON_AddNullToObject(o, "value");
    cJSON_AddStringToObject(o, "source", hb_setting_source_name(st->source));
    if (st->origin)
        cJSON_AddStringToObject(o, "origin", st->origin);
    cJSON_AddStringToObject(o, "default", d->shown_default ? d->shown_default : d->fallback);
    char *accepts = hb_setting_accepts(d);
    cJSON_AddStringToObject(o, "accepts", accepts);
    free(accepts);
    cJSON_AddStringToObject(o, "help", d->help);
    if (st->problem)
        cJSON_AddStringToObject(o, "problem", st->problem);
    cJSON_AddItemToArray(c->list, o);
}

static void show_one(const hb_setting_state *st, void *ud)
{
    config_ctx *c = ud;
    const hb_setting *d = st->def;
    if (c->only && strcmp(c->only, d->name) != 0)
        return;
    c->found = true;
    c->problems += st->problem != NULL;
    bool known;
    char *value = effective(st, &known);
    if (c->json) {
        add_json(c, st, value);
    } else if (c->only) {
        /* One value alone, for scripts: $(hb config HB_HOME). */
        if (value)
            printf("%s\n", value);
    } else {
        const char *shown = value ? value : d->shown_default;
        printf("%-28s %s%s%s  (%s%s%s)\n", d->name, known ? "" : "(", shown ? shown : "",
               known ? "" : ")", hb_setting_source_name(st->source), st->origin ? " " : "",
               st->origin ? st->origin : "");
    }
    if (st->problem && !c->json)
        fprintf(stderr, "hb: %s\n", st->problem);
    free(value);
}

int hb_cmd_config(int argc, char **argv)
{
    config_ctx c = {0};
    const hb_option options[] = {
        HB_ARG_OPTIONAL("NAME", &c.only, "print only this setting's value"),
        HB_FLAG("json", &c.json,
                "a JSON array: name, value, source, origin, default, accepts,\n"
                "help and problem of each setting"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "config",
        .about = "Prints every setting hb reads, its value and where it came from: the\n"
                 "environment, $HB_HOME/config (NAME=value lines; refused when others may\n"
                 "write it) or the default. A value hb does not understand is named on\n"
                 "stderr with what it accepts, and hb config exits 2, as every other\n"
                 "command would.\n",
        .options = options,
    };
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        return rc;
    if (c.only && !hb_setting_find(c.only)) {
        const char *names[64];
        size_t n = 0;
        for (const hb_setting *s = hb_settings; s->name && n < 64; s++)
            names[n++] = s->name;
        const char *near = hb_closest_name(names, n, c.only, 3);
        return hb_cli_usage_error(&spec, "%s is not an hb setting%s%s%s", c.only,
                                  near ? " (did you mean " : "", near ? near : "",
                                  near ? "?)" : "");
    }
    c.list = c.json ? cJSON_CreateArray() : NULL;
    char *file_problem = NULL;
    hb_settings_each(show_one, &c, &file_problem);
    if (c.json) {
        char *text = hb_json_print(c.list);
        printf("%s\n", text);
        free(text);
        cJSON_Delete(c.list);
    }
    if (file_problem)
        fprintf(stderr, "hb: %s\n", file_problem);
    rc = c.problems || file_problem ? HB_EUSAGE : HB_OK;
    free(file_problem);
    return rc;
}
