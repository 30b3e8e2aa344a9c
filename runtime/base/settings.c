/* The table of every HB_* setting (hb/settings.h explains the rules), and
 * the defaults hb computes when one is unset. Adding a setting is one row
 * here; the README's Environment table gets the same name and default
 * (tests/e2e/test_config.sh compares them). */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb/clock.h"
#include "hb/paths.h"
#include "hb/settings.h"
#include "hb/util.h"

/* $XDG_DATA_HOME/hb, else ~/.local/share/hb. */
static char *default_home(void)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    if (xdg && *xdg)
        return hb_path_join(xdg, "hb");
    const char *home = getenv("HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : "/tmp";
    }
    return hb_xasprintf("%s/.local/share/hb", home);
}

static char *login_name(void)
{
    return hb_xstrdup(hb_login_name());
}

/* A home that exists must be a folder; one that does not is created when a
 * command first needs it (hb_home_dir_ready). */
static hb_status check_home(const char *value, hb_err *e)
{
    if (hb_file_exists(value) || (access(value, F_OK) == 0 && !hb_dir_exists(value)))
        return hb_err_set(e, HB_EUSAGE, "is not a folder");
    return HB_OK;
}

static hb_status check_weekly_hours(const char *value, hb_err *e)
{
    hb_weekly_hours h;
    return hb_weekly_hours_parse(value, &h, e);
}

#define MS_PER_DAY       86400000LL
#define SECONDS_PER_YEAR (86400LL * 365)

const hb_setting hb_settings[] = {
    /* Where things are. */
    {.name = "HB_HOME",
     .type = HB_SETTING_PATH,
     .shown_default = "$XDG_DATA_HOME/hb, else ~/.local/share/hb",
     .help = "where state lives: hb.db, sandbox/, credentials, config",
     .flags = HB_SETTING_ENV_ONLY,
     .computed = default_home,
     .check = check_home},
    {.name = "HB_WORKFLOW_PATH",
     .type = HB_SETTING_STRING,
     .shown_default = "./workflows, then the installed share/hb/workflows",
     .help = "colon-separated folders searched for workflows by name",
     .computed = hb_workflow_path},
    {.name = "HB_STDLIB",
     .type = HB_SETTING_PATH,
     .shown_default = "found next to the binary",
     .help = "the folder of hb's Lua standard library",
     .computed = hb_stdlib_dir},
    {.name = "HB_SHARE_DIR",
     .type = HB_SETTING_PATH,
     .shown_default = "found next to the binary",
     .help = "the folder holding stdlib/ and workflows/",
     .computed = hb_share_dir},

    /* Who and when. */
    {.name = "HB_ACTOR",
     .type = HB_SETTING_STRING,
     .shown_default = "the login name",
     .help = "who acts, recorded in the audit trail (--actor overrides it)",
     .computed = login_name},
    {.name = "HB_NOW",
     .type = HB_SETTING_TIME,
     .shown_default = "the wall clock",
     .help = "an ISO 8601 time that freezes the clock of the engine and the sandbox"},

    /* A step's Lua code. */
    {.name = "HB_STEP_INSTRUCTIONS",
     .type = HB_SETTING_INT,
     .fallback = "100000000",
     .min = 1,
     .max = 1000000000000000LL,
     .unit = "instructions",
     .help = "Lua instructions one step may run"},
    {.name = "HB_STEP_TIMEOUT_MS",
     .type = HB_SETTING_INT,
     .fallback = "30000",
     .min = 1,
     .max = MS_PER_DAY,
     .unit = "ms",
     .help = "wall time of one step's Lua code (waiting on a service not counted)"},
    {.name = "HB_LUA_MEMORY_MB",
     .type = HB_SETTING_INT,
     .fallback = "256",
     .min = 1,
     .max = 1048576,
     .unit = "MiB",
     .help = "memory of a run's Lua state"},

    /* The store. */
    {.name = "HB_BUSY_TIMEOUT_MS",
     .type = HB_SETTING_INT,
     .fallback = "5000",
     .min = 0,
     .max = 3600000,
     .unit = "ms",
     .help = "how long to wait for a store locked by another hb before exit 4"},
    {.name = "HB_ASK_ATTEMPTS",
     .type = HB_SETTING_INT,
     .fallback = "5",
     .min = 1,
     .max = 1000,
     .unit = "answers",
     .help = "answers a person may give one ask at the terminal before the run waits"},
    {.name = "HB_LEASE_SECONDS",
     .type = HB_SETTING_INT,
     .fallback = "600",
     .min = 1,
     .max = SECONDS_PER_YEAR,
     .unit = "seconds",
     .help = "how long a run's lease lasts when its holder is on another host"},
    {.name = "HB_DURABILITY",
     .type = HB_SETTING_ENUM,
     .fallback = "normal",
     .choices = "normal|full",
     .help = "full makes every commit survive power loss"},

    /* Calls to services. */
    {.name = "HB_HTTP_CONNECT_TIMEOUT_MS",
     .type = HB_SETTING_INT,
     .fallback = "10000",
     .min = 1,
     .max = MS_PER_DAY,
     .unit = "ms",
     .help = "connecting to a service"},
    {.name = "HB_HTTP_TIMEOUT_MS",
     .type = HB_SETTING_INT,
     .fallback = "60000",
     .min = 1,
     .max = MS_PER_DAY,
     .unit = "ms",
     .help = "one whole request to a service"},
    {.name = "HB_HTTP_MAX_RESPONSE_MB",
     .type = HB_SETTING_INT,
     .fallback = "32",
     .min = 1,
     .max = 4096,
     .unit = "MiB",
     .help = "the largest response accepted"},
    {.name = "HB_HTTP_MAX_ATTEMPTS",
     .type = HB_SETTING_INT,
     .fallback = "5",
     .min = 1,
     .max = 100,
     .unit = "attempts",
     .help = "attempts of one call (429, 5xx, connection failures)"},
    {.name = "HB_HTTP_MAX_WAIT_MS",
     .type = HB_SETTING_INT,
     .fallback = "120000",
     .min = 1,
     .max = MS_PER_DAY,
     .unit = "ms",
     .help = "total time one call may wait between attempts"},
    {.name = "HB_HTTP_BACKOFF_BASE_MS",
     .type = HB_SETTING_INT,
     .fallback = "500",
     .min = 1,
     .max = 3600000,
     .unit = "ms",
     .help = "first backoff of the exponential backoff with jitter"},
    {.name = "HB_AUDIT_BODY_MAX_KB",
     .type = HB_SETTING_INT,
     .fallback = "64",
     .min = 1,
     .max = 1048576,
     .unit = "KiB",
     .help = "request/response bodies are redacted and stored up to this size"},

    /* The sandbox. */
    {.name = "HB_SANDBOX_SEED",
     .type = HB_SETTING_PATH,
     .shown_default = "the shipped workflows/sandbox/seed.json",
     .help = "the sandbox's seed data"},
    {.name = "HB_SANDBOX_WEB_URL",
     .type = HB_SETTING_STRING,
     .fallback = "http://127.0.0.1:8080",
     .help = "where the sandbox's links point (a ticket's agent page, an issue's web_url): "
             "the same for every run, unlike an in-process sandbox's port"},
    {.name = "HB_SANDBOX_TOKEN_TTL",
     .type = HB_SETTING_INT,
     .fallback = "3599",
     .min = 1,
     .max = SECONDS_PER_YEAR,
     .unit = "seconds",
     .help = "lifetime of the sandbox's Zuora and Salesforce tokens"},
    {.name = "HB_SANDBOX_QUERY_BATCH",
     .type = HB_SETTING_INT,
     .fallback = "2",
     .min = 1,
     .max = 2000,
     .unit = "records",
     .help = "ZOQL/SOQL records per page in the sandbox"},
    {.name = "HB_SANDBOX_ZENDESK_WEBHOOK_URL",
     .type = HB_SETTING_STRING,
     .shown_default = "none",
     .help = "where the sandbox POSTs Zendesk's ticket event webhooks (a loopback http:// "
             "URL, e.g. hb serve's /hooks/zendesk); unset: none are sent"},
    {.name = "HB_SANDBOX_ZENDESK_WEBHOOK_SECRET",
     .type = HB_SETTING_STRING,
     .shown_default = "none",
     .help = "the signing secret of the sandbox's Zendesk webhooks (needed with the URL)",
     .flags = HB_SETTING_SECRET},
    {.name = "HB_SANDBOX_GITLAB_WEBHOOK_URL",
     .type = HB_SETTING_STRING,
     .shown_default = "none",
     .help = "where the sandbox POSTs GitLab's Issue and Note Hooks (a loopback http:// "
             "URL, e.g. hb serve's /hooks/gitlab); unset: none are sent"},
    {.name = "HB_SANDBOX_GITLAB_WEBHOOK_TOKEN",
     .type = HB_SETTING_STRING,
     .shown_default = "none",
     .help = "the secret token the sandbox's GitLab webhooks carry in X-Gitlab-Token "
             "(needed with the URL)",
     .flags = HB_SETTING_SECRET},
    {.name = "HB_SANDBOX_WEBHOOK_QUEUE",
     .type = HB_SETTING_INT,
     .fallback = "1000",
     .min = 1,
     .max = 1000000,
     .unit = "deliveries",
     .help = "webhook deliveries the sandbox holds while its receiver is slow; one more "
             "is dropped (and logged)"},
    {.name = "HB_SANDBOX_WEBHOOK_ATTEMPTS",
     .type = HB_SETTING_INT,
     .fallback = "4",
     .min = 1,
     .max = 100,
     .unit = "attempts",
     .help = "how often the sandbox tries a webhook that got no answer, a 429 or a 5xx"},
    {.name = "HB_SANDBOX_WEBHOOK_RETRY_DELAY",
     .type = HB_SETTING_DURATION,
     .fallback = "1s",
     .min = 0,
     .max = 3600,
     .help = "the wait before a webhook's second attempt, doubled for each further one"},
    {.name = "HB_SANDBOX_WEBHOOK_TIMEOUT",
     .type = HB_SETTING_DURATION,
     .fallback = "10s",
     .min = 1,
     .max = 600,
     .help = "how long one webhook attempt may take; also how long a stopping sandbox "
             "gives what is still queued"},

    /* What the handbook workflows rely on. */
    {.name = "HB_SUPPORT_HOURS",
     .type = HB_SETTING_STRING,
     .fallback = "Mon-Fri 00:00-24:00 UTC",
     .help = "Global Support Hours, as DAYS HH:MM-HH:MM UTC[+-HH:MM]: when "
             "#support-operations is staffed (support-ops-incident)",
     .flags = HB_SETTING_STDLIB,
     .check = check_weekly_hours},
    {.name = "HB_OUTAGE_RETRY_ATTEMPTS",
     .type = HB_SETTING_INT,
     .fallback = "3",
     .min = 1,
     .max = 100,
     .unit = "attempts",
     .help = "how often a handbook task that calls a service is tried before it fails "
             "(support.outage_retry; 1: never again)",
     .flags = HB_SETTING_STDLIB},
    {.name = "HB_OUTAGE_RETRY_BACKOFF",
     .type = HB_SETTING_DURATION,
     .fallback = "2s",
     .min = 0,
     .max = 3600,
     .help = "the wait before a handbook task's second attempt, doubled for each "
             "further one (support.outage_retry)",
     .flags = HB_SETTING_STDLIB},

    /* Knobs for tests. */
    {.name = "HB_SANDBOX_FAULTS",
     .type = HB_SETTING_STRING,
     .shown_default = "none",
     .help = "fault rules of the in-process sandbox (as hb sandbox --faults)"},
    {.name = "HB_FAULT_ABORT_AFTER_COMMITS",
     .type = HB_SETTING_INT,
     .fallback = "0",
     .min = 0,
     .max = INT32_MAX,
     .unit = "commits",
     .help = "abort the process right after its N-th store commit (0: never)"},

    {.name = NULL},
};

char *hb_home_dir(void)
{
    char *h = hb_setting_text("HB_HOME");
    return h ? h : default_home();
}

hb_status hb_home_dir_ready(char **out, hb_err *e)
{
    *out = NULL;
    char *home = NULL;
    hb_status st = hb_setting_string("HB_HOME", &home, e);
    if (st != HB_OK)
        return st;
    if (!home)
        home = default_home();
    st = hb_mkdirs(home, 0700, e);
    if (st == HB_OK && access(home, R_OK | W_OK | X_OK) != 0)
        st = hb_err_set(e, HB_EUSAGE, "%s: %s", home, strerror(errno));
    if (st != HB_OK) {
        free(home);
        return hb_err_wrap(e, "HB_HOME (where hb keeps its state) is not usable");
    }
    *out = home;
    return HB_OK;
}

char *hb_default_actor(void)
{
    char *actor = hb_setting_text("HB_ACTOR");
    return actor ? actor : login_name();
}
