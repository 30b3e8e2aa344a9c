/* The built-in sandbox: one loopback HTTP server that speaks the Zendesk,
 * GitLab, Zuora, Salesforce, Slack and PagerDuty APIs over seeded data,
 * with fault injection,
 * so workflows and their bindings run exactly as they would against the
 * real services without touching them. `hb sandbox` serves it from the
 * command line; `--sandbox` on other commands starts it in-process.
 *
 * Several processes may run a sandbox on the same state file: requests are
 * serialised with flock on "<state>.lock", and each request first reloads
 * the state when another process changed the file. */
#ifndef HB_SANDBOX_H
#define HB_SANDBOX_H

#include "hb/clock.h"
#include "hb/error.h"

typedef struct hb_sandbox hb_sandbox;

typedef struct hb_sandbox_config {
    const char *bind;       /* loopback address; NULL = "127.0.0.1" */
    int port;               /* 0 = ephemeral */
    const char *data_path;  /* seed JSON; NULL = hb_sandbox_default_seed() */
    const char *state_path; /* NULL = in memory only; else load if present, save after writes */
    const char *faults;     /* fault spec (workflows/sandbox/README.md) or NULL */
    /* "now" for the seed's relative dates and the times it stamps on
     * objects (hb test moves it between actions); NULL: HB_NOW, else the
     * wall clock. Must outlive the sandbox. */
    const hb_clock *clock;
} hb_sandbox_config;

/* Loads the state (or the seed), binds the port and serves on its own
 * threads until hb_sandbox_stop. HB_EUSAGE for a bad seed, state, fault spec
 * or address, or a bad HB_SANDBOX_*_WEBHOOK_* setting; HB_EFAILED when the
 * port cannot be bound.
 *
 * With HB_SANDBOX_ZENDESK_WEBHOOK_URL or HB_SANDBOX_GITLAB_WEBHOOK_URL set,
 * every change to a ticket or an issue (an API write, POST /__sandbox/patch,
 * hb_sandbox_patch) is sent as the services' webhook, signed, from a thread
 * of its own with bounded retries; each attempt joins the request log as an
 * "outgoing" entry (workflows/sandbox/README.md, "Webhooks"). */
hb_status hb_sandbox_start(const hb_sandbox_config *cfg, hb_sandbox **out, hb_err *e);

/* The bound port (the ephemeral one when the config said 0). */
int hb_sandbox_port(const hb_sandbox *sb);

/* "http://127.0.0.1:PORT", owned by the sandbox. */
const char *hb_sandbox_url(const hb_sandbox *sb);

/* Calls cb once for each variable the bindings read, pointing at this
 * sandbox: ZENDESK_URL ZENDESK_EMAIL ZENDESK_API_TOKEN GITLAB_URL
 * GITLAB_TOKEN ZUORA_URL ZUORA_CLIENT_ID ZUORA_CLIENT_SECRET SALESFORCE_URL
 * SALESFORCE_CLIENT_ID SALESFORCE_CLIENT_SECRET SLACK_URL SLACK_BOT_TOKEN
 * PAGERDUTY_URL PAGERDUTY_TOKEN PAGERDUTY_FROM PAGERDUTY_EVENTS_URL
 * PAGERDUTY_ROUTING_KEY, and ZENDESK_WEB_URL and GITLAB_WEB_URL
 * (HB_SANDBOX_WEB_URL, where links point). URLs carry no API suffix;
 * Slack's and PagerDuty's carry the path prefix standing for their hosts
 * ("/slack", "/pagerduty", "/pagerduty-events"), so a binding appends the
 * real path.
 * The credentials are random per state, so every process sharing a state
 * file sees the same ones. */
void hb_sandbox_each_var(const hb_sandbox *sb,
                         void (*cb)(const char *name, const char *value, void *ud), void *ud);

/* In-process equivalents of the /__sandbox endpoints, for `hb test`.
 * The returned strings are JSON, newly allocated. */
char *hb_sandbox_state_json(hb_sandbox *sb);
char *hb_sandbox_requests_json(hb_sandbox *sb);
/* Applies a patch in the format of POST /__sandbox/patch. HB_EUSAGE when
 * the patch is not valid. */
hb_status hb_sandbox_patch(hb_sandbox *sb, const char *patch_json, hb_err *e);
/* Back to the seed data (credentials and issued tokens stay valid). */
hb_status hb_sandbox_reset(hb_sandbox *sb, hb_err *e);
/* Replaces the fault rules (NULL or "" clears them). */
hb_status hb_sandbox_set_faults(hb_sandbox *sb, const char *spec, hb_err *e);

/* Stops serving (closing open connections) and frees everything, after
 * giving queued webhooks one attempt each (HB_SANDBOX_WEBHOOK_TIMEOUT in
 * all). NULL is ok. */
void hb_sandbox_stop(hb_sandbox *sb);

/* The shipped seed: $HB_SANDBOX_SEED when set, else
 * HB_INSTALL_DATADIR/workflows/sandbox/seed.json, else the source tree's
 * copy. Newly allocated, or NULL when none exists. */
char *hb_sandbox_default_seed(void);

#endif
