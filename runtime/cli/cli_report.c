/* How the command line shows what the engine reports (hb/engine.h): the
 * trace on stderr (one line per step), the result on stdout (run id, then
 * status=S step=T, or one JSON object) with a hint on stderr of how to
 * continue a waiting run, a dry run's plan, and hb call's value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb/cli.h"
#include "hb/engine.h"
#include "hb/json_print.h"
#include "hb/util.h"

static void begin(void *ud, const hb_run *run, const char *verb)
{
    (void)ud;
    if (!strcmp(verb, "call")) {
        fprintf(stderr, "hb: run %s (hb audit show %s)\n", run->id, run->id);
        return;
    }
    bool sandbox = run->target == HB_TARGET_SANDBOX;
    fprintf(stderr, "hb: run %s %s: %s (target: %s%s)\n", run->id, verb, run->workflow,
            sandbox ? "SANDBOX, no live service is touched" : "live services",
            run->dry_run ? ", DRY RUN: no change is sent" : "");
}

static void step(void *ud, const hb_run *run, const char *id, const char *kind, const char *outcome,
                 double ms)
{
    (void)ud;
    (void)run;
    fprintf(stderr, "  %-30s %-8s %-14s %8.1f ms\n", id, kind, outcome, ms);
}

static void note(void *ud, const hb_run *run, const char *id, const char *message)
{
    (void)ud;
    (void)run;
    fprintf(stderr, "  %s: %s\n", id, message);
}

/* A call waiting to try again: only for a person at a terminal, since the
 * attempts are in the audit trail and a log wants no countdown. */
static void progress(void *ud, const hb_run *run, const char *id, const char *message)
{
    (void)ud;
    (void)run;
    if (isatty(STDERR_FILENO)) {
        fprintf(stderr, "  %s: %s\n", id ? id : "", message);
        fflush(stderr);
    }
}

static const char *str_field(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool same_field(const cJSON *a, const cJSON *b, const char *name)
{
    const char *x = str_field(a, name), *y = str_field(b, name);
    return !strcmp(x ? x : "", y ? y : "");
}

/* The changes grouped per service and object, in the order they would
 * happen. */
static void print_plan_text(const cJSON *changes)
{
    int n = cJSON_GetArraySize(changes);
    printf("plan: %d change%s (dry run: nothing was sent)\n", n, n == 1 ? "" : "s");
    bool *done = hb_xcalloc((size_t)n + 1, sizeof(bool));
    for (int i = 0; i < n; i++) {
        if (done[i])
            continue;
        const cJSON *ci = cJSON_GetArrayItem(changes, i);
        const char *svc = str_field(ci, "service"), *obj = str_field(ci, "object");
        printf("  %s %s\n", svc ? svc : "?", obj ? obj : "");
        for (int j = i; j < n; j++) {
            const cJSON *cj = cJSON_GetArrayItem(changes, j);
            if (done[j] || !same_field(ci, cj, "service") || !same_field(ci, cj, "object"))
                continue;
            done[j] = true;
            const char *op = str_field(cj, "op"), *method = str_field(cj, "method");
            const char *path = str_field(cj, "path");
            printf("    %-26s %s %s (step %s)\n", op ? op : "?", method ? method : "",
                   path ? path : "", str_field(cj, "step"));
            const cJSON *b = cJSON_GetObjectItemCaseSensitive(cj, "body");
            if (b) {
                char *body = hb_json_print(b);
                printf("      %s\n", body);
                free(body);
            }
        }
    }
    free(done);
}

static void plan(void *ud, const hb_run *run, const cJSON *changes)
{
    (void)run;
    const hb_cli_report *r = ud;
    if (r->json) {
        char *text = hb_json_print(changes);
        printf("%s\n", text);
        free(text);
        return;
    }
    print_plan_text(changes);
}

cJSON *hb_cli_run_json(const hb_run *run)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "run", run->id);
    cJSON_AddStringToObject(o, "workflow", run->workflow);
    cJSON_AddStringToObject(o, "status", hb_run_status_name(run->status));
    cJSON_AddStringToObject(o, "step", run->step ? run->step : "");
    cJSON_AddStringToObject(o, "target", hb_run_target_name(run->target));
    return o;
}

static void print_result_json(const hb_run *run)
{
    cJSON *o = hb_cli_run_json(run);
    cJSON_AddBoolToObject(o, "dry_run", run->dry_run);
    if (run->wait_json)
        cJSON_AddItemToObject(o, "waiting_for", cJSON_Parse(run->wait_json));
    if (run->error)
        cJSON_AddStringToObject(o, "error", run->error);
    char *text = hb_json_print(o);
    printf("%s\n", text);
    free(text);
    cJSON_Delete(o);
}

/* What the paused step is about: the ticket (and its agent page) and the
 * facts the step names in `shows`, as the engine recorded them. */
static void print_context(const cJSON *w)
{
    const char *ticket = str_field(w, "ticket"), *url = str_field(w, "ticket_url");
    if (ticket)
        fprintf(stderr, "    ticket %s%s%s\n", ticket, url ? ": " : "", url ? url : "");
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(w, "shows"))
    {
        char *text = cJSON_IsString(v) ? hb_xstrdup(v->valuestring) : hb_json_print(v);
        fprintf(stderr, "    %s = %s\n", v->string, text);
        free(text);
    }
}

/* A wait's clock: until when it waits at most and where it goes then, and
 * when it is checked again. */
static void print_wait_times(const cJSON *w)
{
    const char *until = str_field(w, "until"), *on_timeout = str_field(w, "on_timeout");
    const char *due = str_field(w, "due"), *next = str_field(w, "next_check");
    const char *every = str_field(w, "every");
    if (until)
        fprintf(stderr, "    times out at %s%s%s\n", until, on_timeout ? ", then goes to " : "",
                on_timeout ? on_timeout : "");
    if (due)
        fprintf(stderr, "    due at %s\n", due);
    if (next)
        fprintf(stderr, "    next check at %s%s%s\n", next, every ? " (every " : "",
                every ? every : "");
    if (next && every)
        fputs(")\n", stderr);
}

/* How to continue a waiting run, for the person who started it. */
static void print_waiting_hint(const hb_run *run)
{
    cJSON *w = cJSON_Parse(run->wait_json);
    const char *kind = str_field(w, "kind"), *event = str_field(w, "event");
    const char *sid = str_field(w, "step") ? str_field(w, "step") : "STEP";
    if (kind && !strcmp(kind, "ask")) {
        const char *q = str_field(w, "question");
        const cJSON *opts = cJSON_GetObjectItemCaseSensitive(w, "options");
        fprintf(stderr, "hb: waiting for an answer: %s (step %s)\n", q ? q : sid, sid);
        print_context(w);
        if (cJSON_GetArraySize(opts) > 0) {
            fprintf(stderr, "    options:");
            const cJSON *o;
            cJSON_ArrayForEach(o, opts) fprintf(stderr, " %s", o->valuestring);
            fputc('\n', stderr);
        }
        fprintf(stderr, "    continue with: hb resume %s --answer %s=VALUE\n", run->id, sid);
    } else if (event) {
        const char *desc = str_field(w, "description");
        fprintf(stderr, "hb: waiting for event '%s' at step %s%s%s\n", event, sid, desc ? ": " : "",
                desc ? desc : "");
        print_context(w);
        const cJSON *payload = cJSON_GetObjectItemCaseSensitive(w, "payload");
        char *shape = payload ? hb_json_print(payload) : NULL;
        if (shape)
            fprintf(stderr, "    payload: %s (? marks an optional field)\n", shape);
        free(shape);
        print_wait_times(w);
        fprintf(stderr, "    continue with: hb resume %s --event %s%s\n", run->id, event,
                payload ? "='{...}'" : "[=JSON]");
    } else {
        /* Why the run waits, and until when: the step's own words (a
         * workflow can say there which rule holds it), then the moment it
         * is due or checked again. */
        const char *desc = str_field(w, "description");
        const char *when = str_field(w, "due")          ? str_field(w, "due")
                           : str_field(w, "next_check") ? str_field(w, "next_check")
                                                        : str_field(w, "until");
        fprintf(stderr, "hb: waiting at %s%s%s: %s\n", sid, when ? " until " : "", when ? when : "",
                desc ? desc : "(no description)");
        print_context(w);
        print_wait_times(w);
        fprintf(stderr, "    `hb worker` or `hb resume %s` checks again\n", run->id);
    }
    cJSON_Delete(w);
}

static void result(void *ud, const hb_run *run)
{
    const hb_cli_report *r = ud;
    if (r->json)
        print_result_json(run);
    else
        printf("%s\nstatus=%s step=%s\n", run->id, hb_run_status_name(run->status),
               run->step ? run->step : "");
    fflush(stdout);
    if (run->status == HB_RUN_WAITING && run->wait_json)
        print_waiting_hint(run);
}

/* hb call: indented as jq prints it, or one line (r->json: not a terminal, or
 * --compact). */
static void value(void *ud, const hb_run *run, const cJSON *v, bool is_error)
{
    (void)run;
    (void)is_error; /* the uniform error prints as any value; the exit code tells */
    const hb_cli_report *r = ud;
    char *text = r->json ? hb_json_print(v) : hb_json_print_pretty(v);
    printf("%s\n", text);
    free(text);
}

hb_engine_reporter hb_cli_reporter(hb_cli_report *r)
{
    if (r->call)
        return (hb_engine_reporter){.ud = r, .begin = begin, .progress = progress, .value = value};
    return (hb_engine_reporter){.ud = r,
                                .begin = begin,
                                .step = step,
                                .note = note,
                                .progress = progress,
                                .plan = plan,
                                .result = result};
}
