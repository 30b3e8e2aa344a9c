/* Variables for getvar that do not come from the environment. */
#include <stdlib.h>
#include <string.h>

#include "hb/services.h"
#include "hb/util.h"

struct hb_service_vars {
    char **names;
    char **values;
    size_t n;
};

hb_service_vars *hb_service_vars_new(void)
{
    return hb_xcalloc(1, sizeof(hb_service_vars));
}

void hb_service_vars_free(hb_service_vars *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        free(v->names[i]);
        hb_wipe_free(v->values[i]);
    }
    free(v->names);
    free(v->values);
    free(v);
}

void hb_service_vars_set(hb_service_vars *v, const char *name, const char *value)
{
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->names[i], name)) {
            hb_wipe_free(v->values[i]);
            v->values[i] = hb_xstrdup(value);
            return;
        }
    v->names = hb_xrealloc(v->names, (v->n + 1) * sizeof *v->names);
    v->values = hb_xrealloc(v->values, (v->n + 1) * sizeof *v->values);
    v->names[v->n] = hb_xstrdup(name);
    v->values[v->n] = hb_xstrdup(value);
    v->n++;
}

void hb_service_vars_set_cb(const char *name, const char *value, void *ud)
{
    hb_service_vars_set(ud, name, value);
}

const char *hb_service_vars_get(void *ud, const char *name)
{
    const hb_service_vars *v = ud;
    for (size_t i = 0; v && i < v->n; i++)
        if (!strcmp(v->names[i], name))
            return v->values[i];
    return NULL;
}
