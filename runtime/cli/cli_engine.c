/* The engine as the command line configures it: everything the engine would
 * otherwise read from the process (the store under $HB_HOME, HB_NOW's
 * clock, the Lua limits, HB_LEASE_SECONDS, HB_STDLIB, HB_SANDBOX_FAULTS) is
 * read here, once, from the settings; and the terminal prompt that answers
 * an ask when a person is there to type. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb/cli.h"
#include "hb/engine.h"
#include "hb/paths.h"
#include "hb/settings.h"
#include "hb/util.h"

hb_status hb_cli_engine_init(hb_cli_engine *c, bool open_store, hb_err *e)
{
    memset(c, 0, sizeof *c);
    c->clock = hb_clock_from_settings();
    c->eng.clock = &c->clock;
    hb_status st = hb_lua_limits_from_env(&c->eng.lua_limits, e);
    if (st == HB_OK)
        st = hb_setting_int("HB_LEASE_SECONDS", &c->eng.lease_seconds, e);
    if (st == HB_OK)
        st = hb_setting_int("HB_ASK_ATTEMPTS", &c->eng.ask_attempts, e);
    if (st != HB_OK)
        return st;
    c->stdlib_dir = hb_stdlib_dir();
    c->home = hb_home_dir();
    c->faults = hb_setting_text("HB_SANDBOX_FAULTS");
    c->eng.stdlib_dir = c->stdlib_dir;
    c->eng.home = c->home;
    c->eng.sandbox_faults = c->faults;
    return open_store ? hb_store_open_default(&c->eng.store, e) : HB_OK;
}

void hb_cli_engine_free(hb_cli_engine *c)
{
    hb_store_close(c->eng.store);
    free(c->stdlib_dir);
    free(c->home);
    free(c->faults);
    memset(c, 0, sizeof *c);
}

hb_status hb_cli_engine_go(hb_cli_engine_fn fn, hb_run_request *req, bool json, hb_err *e)
{
    hb_cli_engine ce;
    hb_status st = hb_cli_engine_init(&ce, true, e);
    hb_cli_report report = {.json = json};
    hb_engine_reporter reporter = hb_cli_reporter(&report);
    req->reporter = &reporter;
    if (st == HB_OK)
        st = fn(&ce.eng, req, e);
    req->reporter = NULL;
    hb_cli_engine_free(&ce);
    return st;
}

/* What a free answer must look like, in the words the check uses. */
static const char *value_hint(const char *type)
{
    if (!type || !strcmp(type, "string"))
        return "any text";
    if (!strcmp(type, "date"))
        return "a date, YYYY-MM-DD";
    if (!strcmp(type, "integer"))
        return "a whole number";
    return type;
}

/* The question on stderr (stdout carries results), the answer from stdin;
 * an empty line or the end of input is no answer: the run waits. Before
 * the question, what it is about: the run and step, the ticket with its
 * agent page, and the values the ask names in `shows`; asked again, why
 * the last answer was refused. */
static char *prompt(void *ud, const hb_engine_question *q)
{
    (void)ud;
    if (q->problem) {
        fprintf(stderr, "  ! %s; try again\n> ", q->problem);
    } else {
        fprintf(stderr, "\n? %s\n", q->text);
        fprintf(stderr, "  run %s (%s), step %s\n", q->run, q->workflow ? q->workflow : "",
                q->step);
        if (q->ticket)
            fprintf(stderr, "  ticket %s%s%s\n", q->ticket, q->ticket_url ? ": " : "",
                    q->ticket_url ? q->ticket_url : "");
        for (size_t k = 0; k < q->nshows; k++)
            fprintf(stderr, "  %s = %s\n", q->shows[k].key, q->shows[k].value);
        if (q->options) {
            for (size_t k = 0; q->options[k]; k++)
                fprintf(stderr, "  - %s\n", q->options[k]);
            fprintf(stderr, "  (in any case, or the start of one)\n");
        } else {
            fprintf(stderr, "  (%s)\n", value_hint(q->value_type));
        }
        fprintf(stderr, "> ");
    }
    fflush(stderr);
    char line[1024];
    if (!fgets(line, sizeof line, stdin))
        return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    return line[0] ? hb_xstrdup(line) : NULL;
}

hb_engine_ask hb_cli_terminal_ask(bool no_input)
{
    const char *ci = getenv("CI");
    bool person = !no_input && isatty(STDIN_FILENO) && !(ci && *ci);
    return (hb_engine_ask){.fn = person ? prompt : NULL};
}
