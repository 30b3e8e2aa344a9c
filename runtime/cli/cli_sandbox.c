/* hb sandbox: serve the built-in stand-in for Zendesk, GitLab, Zuora,
 * Salesforce, Slack and PagerDuty on a loopback port until SIGINT or SIGTERM. stdout carries
 * only `export NAME=value` lines, flushed at once, so
 * `hb sandbox --port 8080 > env.sh &` then `. ./env.sh` points a shell,
 * hb or any client at it. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/cli.h"
#include "hb/error.h"
#include "hb/sandbox.h"
#include "hb/util.h"

static const char ABOUT[] =
    "Serves Zendesk (/api/v2), GitLab (/api/v4), Zuora (/oauth/token, /v1),\n"
    "Salesforce (/services), Slack (/slack/api) and PagerDuty (/pagerduty, and\n"
    "/pagerduty-events for its Events API) on one loopback port over seeded data,\n"
    "until SIGINT or SIGTERM. Prints one `export NAME=value` line per variable the\n"
    "bindings read (ZENDESK_URL … PAGERDUTY_ROUTING_KEY, then ZENDESK_WEB_URL and\n"
    "GITLAB_WEB_URL: HB_SANDBOX_WEB_URL, where links point), flushed at once, so\n"
    "`hb sandbox > env.sh &` and then `. ./env.sh` point a shell at it.\n";

static const char MORE[] =
    "Fault spec: rules separated by ';', each EFFECT[@TARGET][,OPTION...]\n"
    "  EFFECT  403 | 429 | 500 | drop | drop-after-write | 500-after-write |\n"
    "          latency=MS\n"
    "  TARGET  all (default) | zendesk | gitlab | zuora | salesforce | slack |\n"
    "          pagerduty | [METHOD ]PATH, PATH a route pattern or a concrete path\n"
    "  OPTION  next=N (only the next N matching requests), after=N (let N pass\n"
    "          first), share=P (P percent of them, from a seeded generator),\n"
    "          seed=N, retry-after=S (the Retry-After of a 429, default 1)\n"
    "drop closes the connection without an answer; drop-after-write applies the\n"
    "request first; 500-after-write applies it, then answers 500. POST /__sandbox/faults replaces "
    "the rules at run time.\n"
    "\n"
    "Test endpoints: GET /__sandbox/state, GET /__sandbox/requests,\n"
    "POST /__sandbox/reset, POST /__sandbox/patch, POST /__sandbox/revoke-tokens,\n"
    "GET|POST /__sandbox/faults. HB_NOW freezes the clock (relative seed dates).\n"
    "Environment: HB_SANDBOX_SEED, HB_SANDBOX_TOKEN_TTL (seconds, default 3599),\n"
    "HB_SANDBOX_QUERY_BATCH (ZOQL/SOQL records per page, default 2).\n"
    "Webhooks: HB_SANDBOX_ZENDESK_WEBHOOK_URL and _SECRET, HB_SANDBOX_GITLAB_WEBHOOK_URL\n"
    "and _TOKEN make every change to a ticket or issue (API write or patch) a signed\n"
    "webhook POSTed there (a loopback URL, e.g. hb serve's /hooks/zendesk); a patch\n"
    "to /__sandbox/patch stands for the customer or Support Ops.\n"
    "See workflows/sandbox/README.md for the seed schema and patch format.\n";

static void print_export(const char *name, const char *value, void *ud)
{
    (void)ud;
    bool plain = true;
    for (const char *p = value; *p; p++) {
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                    "@%+=:,./_-[]",
                    *p))
            plain = false;
    }
    if (plain && *value) {
        printf("export %s=%s\n", name, value);
        return;
    }
    printf("export %s='", name);
    for (const char *p = value; *p; p++) {
        if (*p == '\'')
            fputs("'\\''", stdout);
        else
            putchar(*p);
    }
    fputs("'\n", stdout);
}

int hb_cmd_sandbox(int argc, char **argv)
{
    hb_sandbox_config cfg = {0};
    int64_t port = 0;
    const char *patch_file = NULL;
    const hb_option options[] = {
        HB_INT("port", &port, "N", 0, 65535, "port to listen on (default 0: any free port)"),
        HB_STRING("bind", &cfg.bind, "ADDR", "loopback address (default 127.0.0.1; ::1 works too)"),
        HB_STRING("data", &cfg.data_path, "FILE",
                  "seed data (default: the shipped workflows/sandbox/seed.json,\n"
                  "or $HB_SANDBOX_SEED)"),
        HB_STRING("state", &cfg.state_path, "FILE",
                  "keep the state in FILE across restarts (default: memory\n"
                  "only); several processes may share one state file"),
        HB_STRING("faults", &cfg.faults, "SPEC",
                  "inject faults, e.g. '429@zendesk,next=2;drop-after-write@PUT\n"
                  "/api/v2/tickets/{id},next=1;latency=200@all'"),
        HB_STRING("patch", &patch_file, "FILE",
                  "apply this patch (JSON, the format of POST /__sandbox/patch)\n"
                  "to the data before serving: test data without editing the seed;\n"
                  "with --state it is kept there"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "sandbox", .about = ABOUT, .options = options, .more = MORE};
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        return rc;
    cfg.port = (int)port;

    /* Block the stop signals before the server's threads start, so they
     * inherit the mask and only sigwait below receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    hb_sandbox *sb;
    hb_err e = {0};
    /* The patch is read before the port is bound, so a missing file stops
     * hb with nothing started. */
    char *patch = patch_file ? hb_read_file(patch_file, NULL, &e) : NULL;
    if (patch_file && !patch) {
        hb_cli_error("sandbox: --patch: %s", e.msg);
        return e.code;
    }
    hb_status st = hb_sandbox_start(&cfg, &sb, &e);
    if (st == HB_OK && patch && (st = hb_sandbox_patch(sb, patch, &e)) != HB_OK)
        hb_sandbox_stop(sb);
    free(patch);
    if (st != HB_OK) {
        hb_cli_error("sandbox: %s%s", patch_file && st == HB_EUSAGE ? "--patch: " : "", e.msg);
        return e.code;
    }
    hb_sandbox_each_var(sb, print_export, NULL);
    fflush(stdout);
    fprintf(stderr,
            "hb: sandbox serving Zendesk, GitLab, Zuora, Salesforce, Slack and PagerDuty on %s "
            "(%s); Ctrl-C stops it\n",
            hb_sandbox_url(sb), cfg.state_path ? cfg.state_path : "state in memory");
    int sig = 0;
    sigwait(&stop, &sig);
    hb_sandbox_stop(sb);
    fprintf(stderr, "hb: sandbox stopped\n");
    return HB_OK;
}
