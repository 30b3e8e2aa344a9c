/* hb audit: read and check the audit trail.
 *   hb audit show RUN [--json]          the events of one run
 *   hb audit show --object KEY [--json] every change hb made to one object
 *   hb audit body DIGEST                a stored request or response body
 *   hb audit head                       SEQ:HASH to record elsewhere
 *   hb audit verify [--head SEQ:HASH]   recompute and check the whole chain */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/audit.h"
#include "hb/canonical_json.h"
#include "hb/cli.h"
#include "hb/service_table.h"
#include "hb/util.h"

static const char SHOW_USAGE[] = "hb audit show RUN [--json]\n"
                                 "       hb audit show --object KEY [--json]";

static int fail(const hb_err *e)
{
    hb_cli_error("%s", e->msg);
    return e->code ? (int)e->code : HB_EINTERNAL;
}

/* Writes one event as a line of JSON, plus the run's workflow and version
 * when given. The data is re-emitted canonically, or as a string when the
 * stored text is no longer JSON (a tampered row). */
static void print_event_json(const hb_audit_event *ev, const char *workflow, const char *version)
{
    hb_buf line;
    hb_buf_init(&line);
    hb_buf_printf(&line, "{\"seq\":%" PRId64 ",\"run\":", ev->seq);
    hb_canonical_json_append_string(&line, ev->run, NULL);
    hb_buf_puts(&line, ",\"ts\":");
    hb_canonical_json_append_string(&line, ev->ts, NULL);
    hb_buf_puts(&line, ",\"type\":");
    hb_canonical_json_append_string(&line, ev->type, NULL);
    hb_buf_puts(&line, ",\"step\":");
    if (ev->step)
        hb_canonical_json_append_string(&line, ev->step, NULL);
    else
        hb_buf_puts(&line, "null");
    hb_buf_puts(&line, ",\"actor\":");
    hb_canonical_json_append_string(&line, ev->actor ? ev->actor : "", NULL);
    hb_buf_puts(&line, ",\"data\":");
    cJSON *data = ev->data ? cJSON_Parse(ev->data) : NULL;
    size_t before = line.len;
    if (!data || hb_canonical_json_append(&line, data, NULL) != HB_OK) {
        line.len = before;
        line.data[before] = '\0';
        hb_canonical_json_append_string(&line, ev->data ? ev->data : "", NULL);
    }
    cJSON_Delete(data);
    hb_buf_printf(&line, ",\"prev\":\"%s\",\"hash\":\"%s\"", ev->prev, ev->hash);
    if (workflow) {
        hb_buf_puts(&line, ",\"workflow\":");
        hb_canonical_json_append_string(&line, workflow, NULL);
        hb_buf_puts(&line, ",\"version\":");
        hb_canonical_json_append_string(&line, version ? version : "", NULL);
    }
    hb_buf_puts(&line, "}\n");
    fwrite(line.data, 1, line.len, stdout);
    hb_buf_free(&line);
}

typedef struct show_ctx {
    hb_store *store;
    bool json;
    bool by_object;
    int64_t count;
    /* --object: the run of the previous event, to look each run up once. */
    char run_id[HB_RUN_ID_LEN + 1];
    hb_run run;
    bool run_known;
} show_ctx;

static void lookup_run(show_ctx *c, const char *id)
{
    if (!strcmp(c->run_id, id))
        return;
    hb_run_free(&c->run);
    snprintf(c->run_id, sizeof c->run_id, "%s", id);
    hb_err ignored;
    c->run_known = c->store->ops->run_get(c->store, id, &c->run, &ignored) == HB_OK;
}

/* The readable listing shows time to the second; seq orders events within
 * one, and --json keeps the microseconds. */
static void readable_time(const char *ts, char out[32])
{
    if (strlen(ts) > 20 && ts[19] == '.')
        snprintf(out, 32, "%.19sZ", ts);
    else
        snprintf(out, 32, "%s", ts);
}

/* Under a write's intent, what it changes, from the request body the trail
 * stored (redacted before it was stored). */
static void print_change(show_ctx *c, const hb_audit_event *ev)
{
    cJSON *d = cJSON_Parse(ev->data);
    const cJSON *digest = cJSON_GetObjectItemCaseSensitive(d, "request_body");
    char *body = NULL, *change = NULL;
    size_t len = 0;
    hb_err ignored;
    if (cJSON_IsString(digest) &&
        c->store->ops->body_get(c->store, digest->valuestring, &body, &len, &ignored) == HB_OK)
        change = hb_audit_change_text(body);
    if (change)
        printf("        change: %s\n", change);
    else if (cJSON_IsString(digest))
        printf("        body: hb audit body %s\n", digest->valuestring);
    free(change);
    free(body);
    cJSON_Delete(d);
}

static int show_event(const hb_audit_event *ev, void *ud)
{
    show_ctx *c = ud;
    c->count++;
    const char *workflow = NULL, *version = NULL;
    if (c->by_object) {
        lookup_run(c, ev->run);
        workflow = c->run_known && c->run.workflow ? c->run.workflow : "?";
        version = c->run_known ? c->run.version : "";
    }
    if (c->json) {
        print_event_json(ev, workflow, version);
        return 0;
    }
    char *summary = hb_audit_summary(ev);
    char when[32];
    readable_time(ev->ts, when);
    if (c->by_object)
        printf("%4" PRId64 "  %s  run %s  %s@%.12s  %-16s %-10s %-13s %s\n", ev->seq, when, ev->run,
               workflow, version, ev->step ? ev->step : "-", ev->actor, ev->type, summary);
    else
        printf("%4" PRId64 "  %s  %-13s %-20s %-10s %s\n", ev->seq, when, ev->type,
               ev->step ? ev->step : "-", ev->actor, summary);
    free(summary);
    if (c->by_object && !strcmp(ev->type, "intent"))
        print_change(c, ev);
    return 0;
}

/* SERVICE:TYPE:ID with a service hb knows: zendesk:ticket:123,
 * gitlab:issue:group/project#3. */
static bool object_key_ok(const char *key)
{
    const char *a = strchr(key, ':');
    const char *b = a ? strchr(a + 1, ':') : NULL;
    if (!a || !b || b == a + 1 || !b[1])
        return false;
    char service[32];
    snprintf(service, sizeof service, "%.*s", (int)(a - key), key);
    return hb_service_lookup(service) != NULL;
}

static int cmd_show(int argc, char **argv)
{
    const char *run = NULL, *object = NULL;
    bool json = false;
    const hb_option options[] = {
        HB_ARG_OPTIONAL("RUN", &run, "the run whose events to print"),
        HB_STRING("object", &object, "KEY",
                  "every change hb made to one object (e.g. zendesk:ticket:123)"),
        HB_FLAG("json", &json, "JSON Lines with every field of each event"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "audit show",
        .usage = SHOW_USAGE,
        .about = "Prints a run's events in order, one line each: seq, time (UTC), type, step,\n"
                 "actor and a summary of the event's data. With --object, every change hb made\n"
                 "to one object (e.g. zendesk:ticket:123, gitlab:issue:group/project#3) across\n"
                 "all runs, with the run and its workflow and version, and under each write\n"
                 "what it changes, from the stored request body (`hb audit body DIGEST`). --json "
                 "prints JSON Lines with every field of each event\n"
                 "(seq, run, ts, type, step, actor, data, prev, hash).\n",
        .options = options,
        .more = "Exit codes: 0 ok, 2 unknown run or bad arguments, 4 store locked, 5 store\n"
                "unreadable.\n",
    };
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        return rc;
    if (!!run == !!object)
        return hb_cli_usage_error(&spec, "audit show needs a RUN or --object KEY (not both)");
    if (object && !object_key_ok(object))
        return hb_cli_usage_error(
            &spec,
            "--object '%s' is not an object key: SERVICE:TYPE:ID with a service "
            "of %s (zendesk:ticket:123, zendesk:organization:5, "
            "gitlab:issue:group/project#3, zuora:subscription:A-S00001, "
            "salesforce:Opportunity:006...)",
            object, hb_service_names_text());
    hb_err e;
    hb_err_clear(&e);
    show_ctx c = {.json = json, .by_object = object != NULL};
    hb_status st = hb_store_open_default(&c.store, &e);
    if (st == HB_OK && run) {
        /* An unknown run is a usage error, not an empty trail. */
        st = c.store->ops->run_get(c.store, run, &c.run, &e);
        hb_run_free(&c.run);
        memset(&c.run, 0, sizeof c.run);
        if (st == HB_OK)
            st = c.store->ops->audit_iter(c.store, run, show_event, &c, &e);
    } else if (st == HB_OK) {
        st = c.store->ops->audit_iter_object(c.store, object, show_event, &c, &e);
        if (st == HB_OK && c.count == 0)
            fprintf(stderr, "hb: no changes to %s are recorded in the audit trail\n", object);
    }
    hb_run_free(&c.run);
    hb_store_close(c.store);
    return st == HB_OK ? HB_OK : fail(&e);
}

static int cmd_body(int argc, char **argv)
{
    const char *digest = NULL;
    const hb_option options[] = {
        HB_ARG("DIGEST", &digest, "the sha256 an event names (request_body, response_body)"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "audit body",
        .about = "Prints a request or response body the audit trail stored, by the digest an\n"
                 "event names (its request_body or response_body), as stored: redacted and cut\n"
                 "at HB_AUDIT_BODY_MAX_KB. Exit 2 for a digest that names no stored body.\n",
        .options = options,
    };
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        return rc;
    size_t n = strlen(digest);
    if (n != 64 || strspn(digest, "0123456789abcdef") != n)
        return hb_cli_usage_error(&spec, "'%s' is not a digest: 64 lowercase hex digits", digest);
    hb_err e;
    hb_err_clear(&e);
    hb_store *s = NULL;
    char *body = NULL;
    size_t len = 0;
    hb_status st = hb_store_open_default(&s, &e);
    if (st == HB_OK)
        st = s->ops->body_get(s, digest, &body, &len, &e);
    if (st == HB_OK) {
        fwrite(body, 1, len, stdout);
        if (len && body[len - 1] != '\n')
            putchar('\n');
    }
    free(body);
    hb_store_close(s);
    return st == HB_OK ? HB_OK : fail(&e);
}

/* A command that reads the whole trail: parses, opens the store, runs act
 * on it and closes it; the problem, if any, printed. */
static int with_store(const hb_cli_spec *spec, int argc, char **argv,
                      hb_status (*act)(hb_store *s, const void *ud, hb_err *e), const void *ud)
{
    int rc = hb_cli_parse(spec, argc, argv);
    if (rc != HB_CLI_GO)
        return rc;
    hb_err e;
    hb_err_clear(&e);
    hb_store *s = NULL;
    hb_status st = hb_store_open_default(&s, &e);
    if (st == HB_OK)
        st = act(s, ud, &e);
    hb_store_close(s);
    return st == HB_OK ? HB_OK : fail(&e);
}

static hb_status print_head(hb_store *s, const void *ud, hb_err *e)
{
    (void)ud;
    char head[96];
    hb_status st = hb_audit_head(s, head, e);
    if (st == HB_OK)
        printf("%s\n", head);
    return st;
}

static int cmd_head(int argc, char **argv)
{
    const hb_option options[] = {HB_OPT_END_};
    const hb_cli_spec spec = {
        .command = "audit head",
        .about =
            "Prints SEQ:HASH of the newest audit event (0:000... when there is none). Keep it\n"
            "outside this machine; `hb audit verify --head SEQ:HASH` later proves the chain\n"
            "still holds that event unchanged.\n",
        .options = options,
    };
    return with_store(&spec, argc, argv, print_head, NULL);
}

/* ud points at --head: the event the chain must still hold, or NULL. */
static hb_status print_verified(hb_store *s, const void *ud, hb_err *e)
{
    const char *const *head = ud;
    int64_t checked = 0;
    char verified[96];
    hb_status st = hb_audit_verify_and_head(s, *head, &checked, verified, e);
    if (st == HB_OK)
        printf("ok: %" PRId64 " events, head %s\n", checked, verified);
    return st;
}

static int cmd_verify(int argc, char **argv)
{
    const char *head = NULL;
    const hb_option options[] = {
        HB_STRING("head", &head, "SEQ:HASH", "the chain must still hold that event with that hash"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "audit verify",
        .about =
            "Recomputes every event's hash and checks the links and that seq has no gaps.\n"
            "Prints \"ok: N events, head SEQ:HASH\" and exits 0, or names the first bad event\n"
            "on stderr and exits 1. With --head, the chain must still contain that event\n"
            "with that hash (catches a truncated or rewritten chain).\n",
        .options = options,
    };
    /* head is filled by the parse, before print_verified reads it. */
    return with_store(&spec, argc, argv, print_verified, &head);
}

int hb_cmd_audit(int argc, char **argv)
{
    static const hb_subcommand subs[] = {
        {"show", cmd_show, "a run's events, or every change to one object"},
        {"body", cmd_body, "a stored request or response body, by its digest"},
        {"head", cmd_head, "SEQ:HASH of the newest event, to record somewhere else"},
        {"verify", cmd_verify, "recompute and check the whole chain"},
        {NULL, NULL, NULL},
    };
    static const hb_cli_spec group = {
        .command = "audit",
        .usage = "hb audit show RUN [--json]\n"
                 "       hb audit show --object KEY [--json]\n"
                 "       hb audit body DIGEST\n"
                 "       hb audit head\n"
                 "       hb audit verify [--head SEQ:HASH]",
        .about =
            "The audit trail is one hash chain per store: every event carries the hash of\n"
            "the one before it, so an edited, removed or reordered event shows. Whoever can\n"
            "write the store could rebuild a whole chain, so record `hb audit head` somewhere\n"
            "else; `hb audit verify --head` then also catches a rewrite or a cut-off tail.\n",
        .more = "`hb audit COMMAND --help` describes one command.\n",
    };
    return hb_cli_dispatch(&group, subs, argc, argv);
}
