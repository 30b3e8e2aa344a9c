/* What a person is shown where a run stops for them (an ask, a wait): the
 * run's ticket, with its agent page when the Zendesk bindings can link it,
 * and the facts the step names in `shows`, read from the run's last
 * checkpoint as fact() reads them. The same context goes into the question
 * the ask callback gets and into the wait a paused run records, so
 * whoever looks later (hb runs, hb serve) sees what the prompt showed.
 * And what a person brings: an event's payload checked against the fields
 * its wait declares. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "hb/clock.h"
#include "hb/json_print.h"
#include "hb/util.h"

/* The places a fact can be, in the order fact() looks (stdlib/hb/when.lua). */
static const char *const PLACES[] = {"input", "vars", "answers", "events"};
#define NPLACES (sizeof PLACES / sizeof PLACES[0])

static const char *place_json(const hb_run *r, size_t k)
{
    const char *j[] = {r->inputs_json, r->vars_json, r->answers_json, r->events_json};
    return j[k];
}

/* Walks "a.b.c" into v; NULL when a part is missing. */
static const cJSON *walk(const cJSON *v, const char *path)
{
    char *copy = hb_xstrdup(path);
    char *save = NULL;
    for (char *part = strtok_r(copy, ".", &save); part && v; part = strtok_r(NULL, ".", &save))
        v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, part) : NULL;
    free(copy);
    return v;
}

/* The value at path in one place of the run (a copy), or NULL. */
static cJSON *lookup(const hb_run *r, size_t place, const char *path)
{
    cJSON *table = cJSON_Parse(place_json(r, place) ? place_json(r, place) : "{}");
    const cJSON *v = walk(table, path);
    cJSON *out = v ? cJSON_Duplicate(v, true) : NULL;
    cJSON_Delete(table);
    return out;
}

/* The fact's value (a copy), or NULL when the run does not know it:
 * "vars.level" looks in one place, a bare "level" in each in turn. */
static cJSON *fact_value(const hb_run *r, const char *fact)
{
    const char *dot = strchr(fact, '.');
    for (size_t k = 0; k < NPLACES && dot; k++) {
        size_t n = strlen(PLACES[k]);
        if ((size_t)(dot - fact) == n && !strncmp(fact, PLACES[k], n))
            return lookup(r, k, dot + 1);
    }
    for (size_t k = 0; k < NPLACES; k++) {
        cJSON *v = lookup(r, k, fact);
        if (v)
            return v;
    }
    return NULL;
}

/* A value as a person reads it: strings bare, the rest as JSON. */
static char *value_text(const cJSON *v)
{
    if (!v)
        return hb_xstrdup("(not known yet)");
    if (cJSON_IsString(v))
        return hb_xstrdup(v->valuestring);
    return hb_json_print(v);
}

static bool uses(const hb_exec *x, const char *service)
{
    for (size_t i = 0; x->wf && i < x->wf->nuses; i++)
        if (!strcmp(x->wf->uses[i], service))
            return true;
    return false;
}

/* The ticket's agent page, from the bindings (zendesk.tickets.web_url),
 * when the run uses Zendesk; NULL otherwise. Sends nothing. */
static char *ticket_url(hb_exec *x, const cJSON *ticket)
{
    if (!cJSON_IsNumber(ticket) || !uses(x, "zendesk") || !hb_exec_services(x))
        return NULL;
    cJSON *args = cJSON_CreateArray();
    cJSON_AddItemToArray(args, cJSON_Duplicate(ticket, false));
    cJSON *url = NULL, *error = NULL;
    hb_err ignored;
    hb_lua_operation_call(x->lua, "zendesk", "tickets.web_url", args, &url, &error, &ignored);
    char *out = cJSON_IsString(url) ? hb_xstrdup(url->valuestring) : NULL;
    cJSON_Delete(args);
    cJSON_Delete(url);
    cJSON_Delete(error);
    return out;
}

void hb_context_build(hb_exec *x, const hb_step *s, hb_context *c)
{
    memset(c, 0, sizeof *c);
    cJSON *ticket = fact_value(&x->run, "input.ticket");
    if (ticket) {
        c->ticket = value_text(ticket);
        c->ticket_url = ticket_url(x, ticket);
    }
    cJSON_Delete(ticket);
    c->values = cJSON_CreateObject();
    c->shows = hb_xcalloc(s->nshows + 1, sizeof *c->shows);
    for (size_t i = 0; i < s->nshows; i++) {
        cJSON *v = fact_value(&x->run, s->shows[i]);
        c->shows[i].key = hb_xstrdup(s->shows[i]);
        c->shows[i].value = value_text(v);
        cJSON_AddItemToObject(c->values, s->shows[i], v ? v : cJSON_CreateNull());
    }
    c->nshows = s->nshows;
}

void hb_context_add_to(const hb_context *c, cJSON *wait)
{
    if (c->ticket)
        cJSON_AddStringToObject(wait, "ticket", c->ticket);
    if (c->ticket_url)
        cJSON_AddStringToObject(wait, "ticket_url", c->ticket_url);
    if (c->nshows)
        cJSON_AddItemToObject(wait, "shows", cJSON_Duplicate(c->values, true));
}

void hb_context_free(hb_context *c)
{
    free(c->ticket);
    free(c->ticket_url);
    hb_kv_free(c->shows, c->nshows);
    cJSON_Delete(c->values);
    memset(c, 0, sizeof *c);
}

/* ---- an event's payload ------------------------------------------------- */

cJSON *hb_payload_shape(const hb_step *s)
{
    cJSON *shape = cJSON_CreateObject();
    for (size_t i = 0; i < s->npayload; i++) {
        char *type = hb_xasprintf("%s%s", s->payload[i].type ? s->payload[i].type : "?",
                                  s->payload[i].optional ? "?" : "");
        cJSON_AddStringToObject(shape, s->payload[i].name, type);
        free(type);
    }
    return shape;
}

static bool has_type(const cJSON *v, const char *type)
{
    if (!strcmp(type, "string"))
        return cJSON_IsString(v);
    if (!strcmp(type, "boolean"))
        return cJSON_IsBool(v);
    if (!strcmp(type, "number"))
        return cJSON_IsNumber(v);
    if (!strcmp(type, "integer"))
        return cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble;
    hb_time_us t;
    return cJSON_IsString(v) && strlen(v->valuestring) == 10 &&
           hb_time_parse(v->valuestring, &t, NULL) == HB_OK; /* date */
}

static const hb_input *payload_field(const hb_step *s, const char *name)
{
    for (size_t i = 0; i < s->npayload; i++)
        if (!strcmp(s->payload[i].name, name))
            return &s->payload[i];
    return NULL;
}

/* What is wrong with one payload against the wait's fields, or NULL. */
static char *payload_problem(const hb_step *s, const cJSON *p)
{
    if (!cJSON_IsObject(p))
        return hb_xstrdup("it must be a JSON object");
    const cJSON *f;
    cJSON_ArrayForEach(f, p)
    {
        const hb_input *in = payload_field(s, f->string);
        if (!in)
            return hb_xasprintf("it has no field '%s'", f->string);
        if (!cJSON_IsNull(f) && in->type && !has_type(f, in->type))
            return hb_xasprintf("'%s' must be %s%s", f->string,
                                !strcmp(in->type, "date") ? "a date YYYY-MM-DD" : "of type ",
                                !strcmp(in->type, "date") ? "" : in->type);
    }
    for (size_t i = 0; i < s->npayload; i++)
        if (!s->payload[i].optional && !cJSON_GetObjectItemCaseSensitive(p, s->payload[i].name))
            return hb_xasprintf("'%s' is missing", s->payload[i].name);
    return NULL;
}

char *hb_payload_check(const hb_step *s, const char *json)
{
    if (!s->npayload)
        return NULL;
    cJSON *p = cJSON_Parse(json ? json : "null");
    char *problem = p ? payload_problem(s, p) : NULL;
    cJSON_Delete(p);
    if (!problem)
        return NULL; /* text that is not JSON is refused with the parser's words */
    cJSON *shape = hb_payload_shape(s);
    char *shape_text = hb_json_print(shape);
    char *msg = hb_xasprintf("the payload of event '%s' does not fit the wait '%s': %s "
                             "(expected %s; ? marks an optional field)",
                             s->event, s->id, problem, shape_text);
    cJSON_Delete(shape);
    free(shape_text);
    free(problem);
    return msg;
}
