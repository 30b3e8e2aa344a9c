/* Command-line inputs (k=v) checked against the workflow's typed inputs. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "hb/canonical_json.h"
#include "hb/clock.h"
#include "hb/engine.h"
#include "hb/util.h"
#include "hb/workflow.h"

hb_status hb_kv_parse(const char *arg, hb_kv *out, hb_err *e)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return hb_err_set(e, HB_EUSAGE, "'%s' is not NAME=VALUE", arg);
    out->key = hb_xstrndup(arg, (size_t)(eq - arg));
    out->value = hb_xstrdup(eq + 1);
    return HB_OK;
}

void hb_kv_free(hb_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

static cJSON *typed_value(const hb_input *in, const char *text, hb_err *e)
{
    if (!strcmp(in->type, "integer")) {
        char *end = NULL;
        long long v = strtoll(text, &end, 10);
        if (!*text || *end || v > (1LL << 53) || v < -(1LL << 53)) {
            hb_err_set(e, HB_EUSAGE, "input '%s' must be an integer, not '%s'", in->name, text);
            return NULL;
        }
        return cJSON_CreateNumber((double)v);
    }
    if (!strcmp(in->type, "number")) {
        char *end = NULL;
        double v = strtod(text, &end);
        if (!*text || *end) {
            hb_err_set(e, HB_EUSAGE, "input '%s' must be a number, not '%s'", in->name, text);
            return NULL;
        }
        return cJSON_CreateNumber(v);
    }
    if (!strcmp(in->type, "boolean")) {
        if (!strcmp(text, "true") || !strcmp(text, "yes"))
            return cJSON_CreateTrue();
        if (!strcmp(text, "false") || !strcmp(text, "no"))
            return cJSON_CreateFalse();
        hb_err_set(e, HB_EUSAGE, "input '%s' must be true or false, not '%s'", in->name, text);
        return NULL;
    }
    if (!strcmp(in->type, "date")) {
        hb_time_us t;
        if (strlen(text) != 10 || hb_time_parse(text, &t, NULL) != HB_OK) {
            hb_err_set(e, HB_EUSAGE, "input '%s' must be a date YYYY-MM-DD, not '%s'", in->name,
                       text);
            return NULL;
        }
    }
    return cJSON_CreateString(text);
}

/* Builds the canonical JSON of the inputs; HB_EUSAGE naming the input that
 * is unknown, missing or of the wrong type. */
hb_status hb_inputs_build(const hb_workflow *wf, const hb_kv *kv, size_t n, char **json_out,
                          hb_err *e)
{
    cJSON *obj = cJSON_CreateObject();
    for (size_t i = 0; i < n; i++) {
        const hb_input *in = NULL;
        for (size_t k = 0; k < wf->ninputs && !in; k++)
            if (!strcmp(wf->inputs[k].name, kv[i].key))
                in = &wf->inputs[k];
        if (!in) {
            hb_buf names;
            hb_buf_init(&names);
            for (size_t k = 0; k < wf->ninputs; k++)
                hb_buf_printf(&names, "%s%s", k ? ", " : "", wf->inputs[k].name);
            hb_err_set(e, HB_EUSAGE, "workflow '%s' has no input '%s' (its inputs: %s)", wf->name,
                       kv[i].key, names.len ? names.data : "none");
            hb_buf_free(&names);
            cJSON_Delete(obj);
            return HB_EUSAGE;
        }
        if (cJSON_GetObjectItemCaseSensitive(obj, in->name)) {
            cJSON_Delete(obj);
            return hb_err_set(e, HB_EUSAGE, "input '%s' is given twice", in->name);
        }
        cJSON *v = typed_value(in, kv[i].value, e);
        if (!v) {
            cJSON_Delete(obj);
            return HB_EUSAGE;
        }
        cJSON_AddItemToObject(obj, in->name, v);
    }
    for (size_t k = 0; k < wf->ninputs; k++) {
        const hb_input *in = &wf->inputs[k];
        if (!in->optional && !cJSON_GetObjectItemCaseSensitive(obj, in->name)) {
            cJSON_Delete(obj);
            return hb_err_set(e, HB_EUSAGE, "missing input '%s' (%s): hb run %s %s=...", in->name,
                              in->type, wf->name, in->name);
        }
    }
    char *text = hb_canonical_json(obj, e);
    cJSON_Delete(obj);
    if (!text)
        return HB_EUSAGE;
    *json_out = text;
    return HB_OK;
}
