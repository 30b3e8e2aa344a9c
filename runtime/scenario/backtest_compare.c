/* The recorded run against its replay under the new version: the path (the
 * transitions, then where each ends), and the writes (each intent: the
 * operation, method, path, object and body). The first step where the
 * paths part is named with the decision each version made there. */
#include <stdlib.h>
#include <string.h>

#include "backtest_internal.h"
#include "hb/util.h"

static const char *str(const cJSON *o, const char *field)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, field);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool same_str(const char *a, const char *b)
{
    return a && b ? !strcmp(a, b) : a == b;
}

/* A run as compared: its transitions and writes (each {from, to, label} and
 * {op, method, path, object, body}), where it ended. */
typedef struct side {
    cJSON *moves;
    cJSON *writes;
    cJSON *write_steps; /* the step of each write */
    const char *status;
    const char *step;
} side;

static void add_event(side *s, const cJSON *rec, const cJSON *ev, const char *type, const cJSON *d)
{
    if (!strcmp(type, "transition")) {
        cJSON_AddItemToArray(s->moves, cJSON_Duplicate(d, true));
    } else if (!strcmp(type, "intent")) {
        cJSON *w = cJSON_CreateObject();
        static const char *const keep[] = {"op", "method", "path", "object", NULL};
        for (const char *const *k = keep; *k; k++)
            if (str(d, *k))
                cJSON_AddStringToObject(w, *k, str(d, *k));
        const char *body =
            hb_backtest_body(rec, cJSON_GetObjectItemCaseSensitive(d, "request_body"));
        cJSON *parsed = body ? cJSON_Parse(body) : NULL;
        if (parsed)
            cJSON_AddItemToObject(w, "body", parsed);
        else if (body)
            cJSON_AddStringToObject(w, "body", body);
        cJSON_AddItemToArray(s->writes, w);
        cJSON_AddItemToArray(s->write_steps,
                             cJSON_CreateString(str(ev, "step") ? str(ev, "step") : ""));
    }
}

static void side_of(side *s, const cJSON *rec)
{
    s->moves = cJSON_CreateArray();
    s->writes = cJSON_CreateArray();
    s->write_steps = cJSON_CreateArray();
    s->status = str(rec, "status");
    s->step = str(rec, "step");
    const cJSON *ev;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(rec, "audit"))
    {
        const char *type = str(ev, "type");
        if (type)
            add_event(s, rec, ev, type, cJSON_GetObjectItemCaseSensitive(ev, "data"));
    }
}

static void side_free(side *s)
{
    cJSON_Delete(s->moves);
    cJSON_Delete(s->writes);
    cJSON_Delete(s->write_steps);
}

/* "label → to", or where the run stopped when it made no move there. */
static char *decision(const side *s, int i)
{
    const cJSON *m = cJSON_GetArrayItem(s->moves, i);
    if (m) {
        const char *label = str(m, "label");
        return label ? hb_xasprintf("%s → %s", label, str(m, "to") ? str(m, "to") : "?")
                     : hb_xasprintf("→ %s", str(m, "to") ? str(m, "to") : "?");
    }
    if (s->status && !strcmp(s->status, "waiting"))
        return hb_xasprintf("waits at %s", s->step ? s->step : "?");
    return hb_xasprintf("ends %s at %s", s->status ? s->status : "?", s->step ? s->step : "?");
}

static bool same_move(const cJSON *a, const cJSON *b)
{
    return same_str(str(a, "from"), str(b, "from")) && same_str(str(a, "to"), str(b, "to")) &&
           same_str(str(a, "label"), str(b, "label"));
}

/* Where the paths part: sets step, old and new in entry; false when they
 * do not part. */
static bool compare_paths(const side *old, const side *new, cJSON *entry)
{
    int n_old = cJSON_GetArraySize(old->moves), n_new = cJSON_GetArraySize(new->moves);
    int i = 0;
    while (i < n_old && i < n_new &&
           same_move(cJSON_GetArrayItem(old->moves, i), cJSON_GetArrayItem(new->moves, i)))
        i++;
    if (i == n_old && i == n_new && same_str(old->status, new->status) &&
        same_str(old->step, new->step))
        return false;
    const cJSON *at = cJSON_GetArrayItem(i < n_old ? old->moves : new->moves, i);
    const char *step = at ? str(at, "from") : old->step;
    cJSON_AddStringToObject(entry, "step", step ? step : "?");
    char *o = decision(old, i), *n = decision(new, i);
    cJSON_AddStringToObject(entry, "old", o);
    cJSON_AddStringToObject(entry, "new", n);
    free(o);
    free(n);
    return true;
}

static char *write_text(const cJSON *w)
{
    const char *object = str(w, "object");
    return hb_xasprintf("%s %s %s%s%s", str(w, "op") ? str(w, "op") : "?",
                        str(w, "method") ? str(w, "method") : "?",
                        str(w, "path") ? str(w, "path") : "?", object ? " " : "",
                        object ? object : "");
}

static bool same_target(const cJSON *a, const cJSON *b)
{
    return same_str(str(a, "op"), str(b, "op")) && same_str(str(a, "method"), str(b, "method")) &&
           same_str(str(a, "path"), str(b, "path"));
}

/* Writes matched one to one: the same request, else the same operation on
 * the same path with another body (changed); the rest added or removed. */
static bool compare_writes(const side *old, const side *new, cJSON *entry, const char **first)
{
    *first = NULL;
    int n_old = cJSON_GetArraySize(old->writes), n_new = cJSON_GetArraySize(new->writes);
    bool *old_used = hb_xcalloc((size_t)n_old + 1, 1), *new_used = hb_xcalloc((size_t)n_new + 1, 1);
    for (int j = 0; j < n_new; j++)
        for (int i = 0; i < n_old && !new_used[j]; i++)
            if (!old_used[i] && cJSON_Compare(cJSON_GetArrayItem(old->writes, i),
                                              cJSON_GetArrayItem(new->writes, j), true))
                old_used[i] = new_used[j] = true;
    cJSON *added = cJSON_CreateArray(), *removed = cJSON_CreateArray(),
          *changed = cJSON_CreateArray();
    for (int j = 0; j < n_new; j++) {
        if (new_used[j])
            continue;
        const cJSON *w = cJSON_GetArrayItem(new->writes, j);
        int pair = -1;
        for (int i = 0; i < n_old && pair < 0; i++)
            if (!old_used[i] && same_target(cJSON_GetArrayItem(old->writes, i), w))
                pair = i;
        char *text = write_text(w);
        if (!*first)
            *first = cJSON_GetStringValue(cJSON_GetArrayItem(new->write_steps, j));
        if (pair >= 0) {
            old_used[pair] = true;
            cJSON *c = cJSON_CreateObject();
            cJSON_AddStringToObject(c, "write", text);
            cJSON *ob =
                cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(old->writes, pair), "body");
            cJSON *nb = cJSON_GetObjectItemCaseSensitive(w, "body");
            cJSON_AddItemToObject(c, "old_body",
                                  ob ? cJSON_Duplicate(ob, true) : cJSON_CreateNull());
            cJSON_AddItemToObject(c, "new_body",
                                  nb ? cJSON_Duplicate(nb, true) : cJSON_CreateNull());
            cJSON_AddItemToArray(changed, c);
        } else {
            cJSON_AddItemToArray(added, cJSON_CreateString(text));
        }
        free(text);
    }
    for (int i = 0; i < n_old; i++)
        if (!old_used[i]) {
            if (!*first)
                *first = cJSON_GetStringValue(cJSON_GetArrayItem(old->write_steps, i));
            char *text = write_text(cJSON_GetArrayItem(old->writes, i));
            cJSON_AddItemToArray(removed, cJSON_CreateString(text));
            free(text);
        }
    free(old_used);
    free(new_used);
    bool differ =
        cJSON_GetArraySize(added) || cJSON_GetArraySize(removed) || cJSON_GetArraySize(changed);
    cJSON *writes = cJSON_AddObjectToObject(entry, "writes");
    cJSON_AddItemToObject(writes, "added", added);
    cJSON_AddItemToObject(writes, "removed", removed);
    cJSON_AddItemToObject(writes, "changed", changed);
    return differ;
}

hb_status hb_backtest_compare(hb_store *store, const cJSON *rec, cJSON *entry, hb_err *e)
{
    hb_run run = {0};
    hb_status st = store->ops->run_get(store, str(rec, "id"), &run, e);
    cJSON *replayed = NULL;
    if (st == HB_OK)
        st = hb_backtest_record(store, &run, &replayed, e);
    if (st == HB_OK && run.error && run.status == HB_RUN_FAILED)
        cJSON_AddStringToObject(entry, "new_error", run.error); /* why the new version fails */
    hb_run_free(&run);
    if (st != HB_OK)
        return st;
    side old, new;
    side_of(&old, rec);
    side_of(&new, replayed);
    cJSON_AddStringToObject(entry, "new_status", new.status ? new.status : "?");
    bool parted = compare_paths(&old, &new, entry);
    const char *first;
    bool writes = compare_writes(&old, &new, entry, &first);
    cJSON_AddStringToObject(entry, "verdict", parted || writes ? "changed" : "same");
    if (writes && !parted) /* the same path, other writes: where the first differs */
        cJSON_AddStringToObject(entry, "step", first ? first : "?");
    side_free(&old);
    side_free(&new);
    cJSON_Delete(replayed);
    return HB_OK;
}
