/* What a run prints: the trace on stderr (one line per step), the result on
 * stdout (run id, then status=S step=T, or one JSON object), and for a dry
 * run the plan of every change it would have made. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "hb/lua_json.h"
#include "hb/util.h"

void hb_trace_header(const hb_exec *x, const char *verb)
{
    if (x->req && x->req->quiet)
        return;
    bool sandbox = x->run.target == HB_TARGET_SANDBOX;
    fprintf(stderr, "hb: run %s %s: %s (target: %s%s)\n", x->run.id, verb, x->run.workflow,
            sandbox ? "SANDBOX, no live service is touched" : "live services",
            x->run.dry_run ? ", DRY RUN: no change is sent" : "");
}

void hb_trace_step(const hb_exec *x, const hb_step *s, const char *result, double ms)
{
    if (x->req && x->req->quiet)
        return;
    fprintf(stderr, "  %-30s %-8s %-14s %8.1f ms\n", s->id, hb_step_kind_name(s->kind),
            result ? result : "", ms);
}

void hb_print_result(const hb_exec *x)
{
    if (x->req && x->req->quiet)
        return;
    if (x->req && x->req->json_output) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "run", x->run.id);
        cJSON_AddStringToObject(o, "workflow", x->run.workflow);
        cJSON_AddStringToObject(o, "status", hb_run_status_name(x->run.status));
        cJSON_AddStringToObject(o, "step", x->run.step ? x->run.step : "");
        cJSON_AddStringToObject(o, "target", hb_run_target_name(x->run.target));
        cJSON_AddBoolToObject(o, "dry_run", x->run.dry_run);
        if (x->run.wait_json)
            cJSON_AddItemToObject(o, "waiting_for", cJSON_Parse(x->run.wait_json));
        if (x->run.error)
            cJSON_AddStringToObject(o, "error", x->run.error);
        char *text = hb_json_print(o);
        printf("%s\n", text);
        free(text);
        cJSON_Delete(o);
    } else {
        printf("%s\nstatus=%s step=%s\n", x->run.id, hb_run_status_name(x->run.status),
               x->run.step ? x->run.step : "");
    }
    fflush(stdout);
    if (x->run.status == HB_RUN_WAITING && x->run.wait_json) {
        cJSON *w = cJSON_Parse(x->run.wait_json);
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(w, "kind");
        const cJSON *step = cJSON_GetObjectItemCaseSensitive(w, "step");
        const cJSON *event = cJSON_GetObjectItemCaseSensitive(w, "event");
        const char *sid = cJSON_IsString(step) ? step->valuestring : "STEP";
        if (cJSON_IsString(kind) && !strcmp(kind->valuestring, "ask")) {
            const cJSON *q = cJSON_GetObjectItemCaseSensitive(w, "question");
            const cJSON *opts = cJSON_GetObjectItemCaseSensitive(w, "options");
            fprintf(stderr, "hb: waiting for an answer: %s\n",
                    cJSON_IsString(q) ? q->valuestring : sid);
            if (cJSON_GetArraySize(opts) > 0) {
                fprintf(stderr, "    options:");
                const cJSON *o;
                cJSON_ArrayForEach(o, opts) fprintf(stderr, " %s", o->valuestring);
                fputc('\n', stderr);
            }
            fprintf(stderr, "    continue with: hb resume %s --answer %s=VALUE\n", x->run.id, sid);
        } else if (cJSON_IsString(event)) {
            fprintf(
                stderr,
                "hb: waiting for event '%s'\n    continue with: hb resume %s --event %s[=JSON]\n",
                event->valuestring, x->run.id, event->valuestring);
        } else {
            /* Why the run waits, and until when: the step's own words (a
             * workflow can say there which rule holds it), then the moment
             * it is due or checked again. */
            const cJSON *desc = cJSON_GetObjectItemCaseSensitive(w, "description");
            const cJSON *due = cJSON_GetObjectItemCaseSensitive(w, "due");
            const cJSON *check = cJSON_GetObjectItemCaseSensitive(w, "next_check");
            const cJSON *until = cJSON_GetObjectItemCaseSensitive(w, "until");
            const cJSON *when = cJSON_IsString(due) ? due : cJSON_IsString(check) ? check : until;
            fprintf(stderr, "hb: waiting at %s%s%s: %s\n", sid,
                    cJSON_IsString(when) ? " until " : "",
                    cJSON_IsString(when) ? when->valuestring : "",
                    cJSON_IsString(desc) ? desc->valuestring : "(no description)");
            fprintf(stderr, "    `hb worker` or `hb resume %s` checks again\n", x->run.id);
        }
        cJSON_Delete(w);
    }
}

typedef struct plan_ctx {
    hb_exec *x;
    cJSON *changes;
} plan_ctx;

static const char *str_field(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int collect_intent(const hb_audit_event *ev, void *ud)
{
    plan_ctx *p = ud;
    if (strcmp(ev->type, "intent") != 0)
        return 0;
    cJSON *d = cJSON_Parse(ev->data);
    if (!d)
        return 0;
    cJSON *c = cJSON_CreateObject();
    static const char *const fields[] = {"service", "op", "method", "path", "object"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *v = str_field(d, fields[i]);
        if (v)
            cJSON_AddStringToObject(c, fields[i], v);
    }
    cJSON_AddStringToObject(c, "step", ev->step ? ev->step : "");
    const char *digest = str_field(d, "request_body");
    if (!digest)
        digest = str_field(d, "body");
    if (digest) {
        char *content = NULL;
        size_t len = 0;
        hb_err e;
        if (p->x->store->ops->body_get(p->x->store, digest, &content, &len, &e) == HB_OK) {
            cJSON *body = cJSON_ParseWithLength(content, len);
            cJSON_AddItemToObject(c, "body", body ? body : cJSON_CreateString(content));
            free(content);
        }
    }
    cJSON_AddItemToArray(p->changes, c);
    cJSON_Delete(d);
    return 0;
}

void hb_print_plan(hb_exec *x)
{
    if (x->req->quiet)
        return;
    plan_ctx p = {.x = x, .changes = cJSON_CreateArray()};
    hb_err e;
    x->store->ops->audit_iter(x->store, x->run.id, collect_intent, &p, &e);
    if (x->req->json_output) {
        char *text = hb_json_print(p.changes);
        printf("%s\n", text);
        free(text);
        cJSON_Delete(p.changes);
        return;
    }
    int n = cJSON_GetArraySize(p.changes);
    printf("plan: %d change%s (dry run: nothing was sent)\n", n, n == 1 ? "" : "s");
    /* Grouped per service and object, in the order they would happen. */
    bool *done = hb_xcalloc((size_t)n + 1, sizeof(bool));
    for (int i = 0; i < n; i++) {
        if (done[i])
            continue;
        cJSON *ci = cJSON_GetArrayItem(p.changes, i);
        const char *svc = str_field(ci, "service");
        const char *obj = str_field(ci, "object");
        printf("  %s %s\n", svc ? svc : "?", obj ? obj : "");
        for (int j = i; j < n; j++) {
            cJSON *cj = cJSON_GetArrayItem(p.changes, j);
            const char *sj = str_field(cj, "service");
            const char *oj = str_field(cj, "object");
            if (done[j] || strcmp(sj ? sj : "", svc ? svc : "") ||
                strcmp(oj ? oj : "", obj ? obj : ""))
                continue;
            done[j] = true;
            char *body = NULL;
            const cJSON *b = cJSON_GetObjectItemCaseSensitive(cj, "body");
            if (b)
                body = hb_json_print(b);
            printf("    %-26s %s %s (step %s)\n", str_field(cj, "op") ? str_field(cj, "op") : "?",
                   str_field(cj, "method") ? str_field(cj, "method") : "",
                   str_field(cj, "path") ? str_field(cj, "path") : "", str_field(cj, "step"));
            if (body)
                printf("      %s\n", body);
            free(body);
        }
    }
    free(done);
    cJSON_Delete(p.changes);
}
