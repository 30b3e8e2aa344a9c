/* The services and operations hb knows (service_table.h). Each binding in
 * stdlib/<service>.lua sends its requests under these names; a unit test
 * (test_service_table) holds the modules and this table to each other. */
#include <stdio.h>
#include <string.h>

#include "hb/service_table.h"

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})

const hb_service_def hb_service_defs[] = {
    {.name = "zendesk",
     .url_var = "ZENDESK_URL",
     .api_suffix = "/api/v2",
     .api_prefix = "/api/v2/",
     .auth = HB_AUTH_ZENDESK,
     .needs = "ZENDESK_URL with ZENDESK_EMAIL and ZENDESK_API_TOKEN, or with ZENDESK_OAUTH_TOKEN",
     .variables = LIST("ZENDESK_URL", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN"),
     .optional = LIST("ZENDESK_OAUTH_TOKEN"),
     .secrets = LIST("ZENDESK_API_TOKEN", "ZENDESK_OAUTH_TOKEN")},
    {.name = "gitlab",
     .url_var = "GITLAB_URL",
     .api_suffix = "/api/v4",
     .api_prefix = "/api/v4/",
     .auth = HB_AUTH_PRIVATE_TOKEN,
     .needs = "GITLAB_URL and GITLAB_TOKEN",
     .variables = LIST("GITLAB_URL", "GITLAB_TOKEN"),
     .secrets = LIST("GITLAB_TOKEN")},
    {.name = "zuora",
     .url_var = "ZUORA_URL",
     .api_suffix = "/v1",
     .api_prefix = "/v1/",
     .auth = HB_AUTH_CLIENT_CREDENTIALS,
     .token_path = "/oauth/token",
     .version_header = "Zuora-Version",
     .version_var = "ZUORA_API_VERSION",
     .version_default = "2024-05-20",
     .needs = "ZUORA_URL, ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET",
     .variables = LIST("ZUORA_URL", "ZUORA_CLIENT_ID", "ZUORA_CLIENT_SECRET"),
     .optional = LIST("ZUORA_API_VERSION"),
     .secrets = LIST("ZUORA_CLIENT_ID", "ZUORA_CLIENT_SECRET")},
    {.name = "salesforce",
     .url_var = "SALESFORCE_URL",
     .api_prefix = "/services/data/",
     .auth = HB_AUTH_CLIENT_CREDENTIALS,
     .token_path = "/services/oauth2/token",
     .api_base_from_token = true,
     .needs = "SALESFORCE_URL, SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET",
     .variables = LIST("SALESFORCE_URL", "SALESFORCE_CLIENT_ID", "SALESFORCE_CLIENT_SECRET"),
     .secrets = LIST("SALESFORCE_CLIENT_ID", "SALESFORCE_CLIENT_SECRET")},
};
const size_t hb_service_count = sizeof hb_service_defs / sizeof hb_service_defs[0];

#define READ(n, svc, m, ...)                                                                       \
    {                                                                                              \
        .name = n, .service = svc, .methods = m, .paths = LIST(__VA_ARGS__)                        \
    }
#define WRITE(n, svc, rep, m, caps, ...)                                                           \
    {                                                                                              \
        .name = n, .service = svc, .write = true, .repeat = rep, .methods = m,                     \
        .capabilities = caps, .paths = LIST(__VA_ARGS__)                                           \
    }
#define GET          HB_METHOD_GET
#define PUBLIC_REPLY LIST("zendesk.public_reply")
#define TICKET       "/api/v2/tickets/*.json"
#define ORG          "/api/v2/organizations/*.json"
#define ISSUES       "/api/v4/projects/*/issues"
#define ISSUE        "/api/v4/projects/*/issues/*"
#define SOBJECT      "/services/data/*/sobjects/*/*"

const hb_operation_def hb_operation_defs[] = {
    READ("zendesk.tickets.get", "zendesk", GET, TICKET),
    WRITE("zendesk.tickets.update", "zendesk", HB_REPEAT_UNLESS_COMMENT, HB_METHOD_PUT,
          PUBLIC_REPLY, TICKET),
    WRITE("zendesk.tickets.add_tags", "zendesk", HB_REPEAT_SAFE, HB_METHOD_PUT, NULL,
          "/api/v2/tickets/*/tags.json"),
    WRITE("zendesk.tickets.remove_tags", "zendesk", HB_REPEAT_SAFE, HB_METHOD_DELETE, NULL,
          "/api/v2/tickets/*/tags.json"),
    WRITE("zendesk.tickets.comment", "zendesk", HB_REPEAT_NEVER, HB_METHOD_PUT, PUBLIC_REPLY,
          TICKET),
    READ("zendesk.tickets.comments", "zendesk", GET, "/api/v2/tickets/*/comments.json"),
    /* The ticket's audits: where an exactly-once comment's marker is found
     * (its update's metadata, kept as the audit's metadata.custom). */
    READ("zendesk.tickets.audits", "zendesk", GET, "/api/v2/tickets/*/audits.json"),
    WRITE("zendesk.tickets.add_cc", "zendesk", HB_REPEAT_UNLESS_COMMENT, HB_METHOD_PUT,
          PUBLIC_REPLY, TICKET),
    READ("zendesk.organizations.get", "zendesk", GET, ORG),
    WRITE("zendesk.organizations.update", "zendesk", HB_REPEAT_SAFE, HB_METHOD_PUT, NULL, ORG),
    WRITE("zendesk.organizations.add_tags", "zendesk", HB_REPEAT_SAFE, HB_METHOD_PUT, NULL,
          "/api/v2/organizations/*/tags.json"),
    WRITE("zendesk.organizations.remove_tags", "zendesk", HB_REPEAT_SAFE, HB_METHOD_DELETE, NULL,
          "/api/v2/organizations/*/tags.json"),
    /* Status and an optional comment in one update: a reply that sets pending. */
    WRITE("zendesk.tickets.set_status", "zendesk", HB_REPEAT_UNLESS_COMMENT, HB_METHOD_PUT,
          PUBLIC_REPLY, TICKET),
    /* Computed from a ticket the workflow already has; given only an id, it
     * reads that ticket first. */
    READ("zendesk.tickets.agent_url", "zendesk", GET, TICKET),
    /* A link made from the id and ZENDESK_WEB_URL (or ZENDESK_URL): it
     * sends nothing; the path is the ticket it names. */
    READ("zendesk.tickets.web_url", "zendesk", GET, TICKET),
    READ("zendesk.ticket_forms.find", "zendesk", GET, "/api/v2/ticket_forms.json"),
    READ("zendesk.ticket_fields.find", "zendesk", GET, "/api/v2/ticket_fields.json"),
    READ("zendesk.users.get", "zendesk", GET, "/api/v2/users/*.json"),
    READ("zendesk.users.find_by_email", "zendesk", GET, "/api/v2/users/search.json"),
    READ("zendesk.users.requested_tickets", "zendesk", GET,
         "/api/v2/users/*/tickets/requested.json"),
    READ("zendesk.search", "zendesk", GET, "/api/v2/search.json"),

    WRITE("gitlab.issues.create", "gitlab", HB_REPEAT_NEVER, HB_METHOD_POST, NULL, ISSUES),
    READ("gitlab.issues.get", "gitlab", GET, ISSUE),
    /* A link made from the project's path and the iid: it sends nothing. */
    READ("gitlab.issues.web_url", "gitlab", GET, ISSUE),
    WRITE("gitlab.issues.update", "gitlab", HB_REPEAT_SAFE, HB_METHOD_PUT, NULL, ISSUE),
    READ("gitlab.issues.list", "gitlab", GET, ISSUES),
    /* Labels one by one (add_labels / remove_labels fields): the others stay. */
    WRITE("gitlab.issues.add_labels", "gitlab", HB_REPEAT_SAFE, HB_METHOD_PUT, NULL, ISSUE),
    WRITE("gitlab.issues.remove_labels", "gitlab", HB_REPEAT_SAFE, HB_METHOD_PUT, NULL, ISSUE),
    WRITE("gitlab.notes.create", "gitlab", HB_REPEAT_NEVER, HB_METHOD_POST, NULL, ISSUE "/notes"),
    {.name = "gitlab.notes.list",
     .service = "gitlab",
     .methods = GET,
     .paths = LIST(ISSUE "/notes"),
     .internal = true},
    READ("gitlab.templates.issue", "gitlab", GET, "/api/v4/projects/*/templates/issues/*"),
    READ("gitlab.groups.member", "gitlab", GET, "/api/v4/groups/*/members/all/*"),
    READ("gitlab.groups.members", "gitlab", GET, "/api/v4/groups/*/members/all"),
    READ("gitlab.projects.member", "gitlab", GET, "/api/v4/projects/*/members/all/*"),
    READ("gitlab.projects.members", "gitlab", GET, "/api/v4/projects/*/members/all"),
    READ("gitlab.users.find", "gitlab", GET, "/api/v4/users"),

    READ("zuora.subscriptions.get", "zuora", GET, "/v1/subscriptions/*"),
    READ("zuora.subscriptions.by_account", "zuora", GET, "/v1/subscriptions/accounts/*"),
    READ("zuora.accounts.summary", "zuora", GET, "/v1/accounts/*/summary"),
    /* A POST that reads: ZOQL changes nothing. */
    READ("zuora.query", "zuora", HB_METHOD_POST, "/v1/action/query", "/v1/action/queryMore"),

    READ("salesforce.query", "salesforce", GET, "/services/data/*/query",
         "/services/data/*/query/*"),
    READ("salesforce.sobjects.get", "salesforce", GET, SOBJECT),
    WRITE("salesforce.sobjects.update", "salesforce", HB_REPEAT_SAFE, HB_METHOD_PATCH, NULL,
          SOBJECT),
};
const size_t hb_operation_count = sizeof hb_operation_defs / sizeof hb_operation_defs[0];

const hb_service_def *hb_service_lookup(const char *name)
{
    for (size_t i = 0; name && i < hb_service_count; i++)
        if (!strcmp(hb_service_defs[i].name, name))
            return &hb_service_defs[i];
    return NULL;
}

const hb_operation_def *hb_operation_lookup(const char *name)
{
    for (size_t i = 0; name && i < hb_operation_count; i++)
        if (!strcmp(hb_operation_defs[i].name, name))
            return &hb_operation_defs[i];
    return NULL;
}

const char *hb_service_names_text(void)
{
    static char text[256];
    if (!text[0]) {
        size_t at = 0;
        for (size_t i = 0; i < hb_service_count && at < sizeof text; i++)
            at += (size_t)snprintf(text + at, sizeof text - at, "%s%s", i ? ", " : "",
                                   hb_service_defs[i].name);
    }
    return text;
}

/* "<service>.<class>" for a method class, with the service known. */
static const char *method_class(const char *name, const hb_service_def **svc)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return NULL;
    char service[64];
    size_t n = (size_t)(dot - name);
    if (n >= sizeof service)
        return NULL;
    memcpy(service, name, n);
    service[n] = '\0';
    *svc = hb_service_lookup(service);
    if (!*svc || (strcmp(dot + 1, "write") && strcmp(dot + 1, "delete")))
        return NULL;
    return dot + 1;
}

bool hb_capability_is_class(const char *name)
{
    const hb_service_def *svc;
    return name && method_class(name, &svc) != NULL;
}

bool hb_capability_known(const char *name)
{
    const hb_service_def *svc;
    if (!name || method_class(name, &svc))
        return name != NULL;
    for (size_t i = 0; i < hb_operation_count; i++)
        for (const char *const *c = hb_operation_defs[i].capabilities; c && *c; c++)
            if (!strcmp(*c, name))
                return true;
    return false;
}

const char *hb_forbid_entry_kind(const char *entry)
{
    const hb_operation_def *op = hb_operation_lookup(entry);
    if (op && !op->internal)
        return "operation";
    return hb_capability_known(entry) ? "capability" : NULL;
}

const char *hb_forbid_entry_meaning(const char *entry, char *out, size_t cap)
{
    const hb_service_def *svc;
    const char *cls = entry ? method_class(entry, &svc) : NULL;
    if (cls && !strcmp(cls, "delete"))
        snprintf(out, cap, "any HTTP DELETE to %s", svc->name);
    else if (cls)
        snprintf(out, cap, "any change to %s", svc->name);
    else if (entry && !strcmp(entry, "zendesk.public_reply"))
        snprintf(out, cap, "a comment the customer sees on a Zendesk ticket");
    else if (hb_forbid_entry_kind(entry))
        snprintf(out, cap, "%s %s",
                 !strcmp(hb_forbid_entry_kind(entry), "operation") ? "the operation"
                                                                   : "the capability",
                 entry);
    else
        return NULL;
    return out;
}

unsigned hb_method_bit(const char *method)
{
    static const struct {
        const char *name;
        unsigned bit;
    } methods[] = {{"GET", HB_METHOD_GET},
                   {"POST", HB_METHOD_POST},
                   {"PUT", HB_METHOD_PUT},
                   {"PATCH", HB_METHOD_PATCH},
                   {"DELETE", HB_METHOD_DELETE}};
    for (size_t i = 0; method && i < sizeof methods / sizeof methods[0]; i++)
        if (!strcmp(methods[i].name, method))
            return methods[i].bit;
    return 0;
}

/* A segment a wildcard may stand for: never "." or "..", which clients and
 * servers resolve to another place, nor their encoded forms, a backslash
 * or a fragment. */
static bool plain_segment(const char *s, size_t n)
{
    if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' || s[i] == '#')
            return false;
        if (s[i] == '%' && i + 2 < n && s[i + 1] == '2' && (s[i + 2] == 'e' || s[i + 2] == 'E'))
            return false;
    }
    return true;
}

static bool match_from(const char *pat, const char *s, const char *end, const char *seg_start)
{
    if (!*pat)
        return s == end;
    if (*pat == '*') {
        /* One or more characters of this segment, then the rest. */
        const char *seg_end = s;
        while (seg_end < end && *seg_end != '/')
            seg_end++;
        for (const char *stop = s + 1; stop <= seg_end; stop++) {
            if (!match_from(pat + 1, stop, end, seg_start))
                continue;
            /* The whole segment the wildcard is part of must be plain. */
            const char *a = seg_start, *b = seg_end;
            return plain_segment(a, (size_t)(b - a));
        }
        return false;
    }
    if (s >= end || *pat != *s)
        return false;
    return match_from(pat + 1, s + 1, end, *s == '/' ? s + 1 : seg_start);
}

bool hb_path_plain(const char *path, size_t len)
{
    const char *end = path + len;
    for (const char *seg = path; seg < end;) {
        const char *slash = memchr(seg, '/', (size_t)(end - seg));
        const char *seg_end = slash ? slash : end;
        if (!plain_segment(seg, (size_t)(seg_end - seg)))
            return false;
        seg = seg_end + 1;
    }
    return true;
}

bool hb_path_matches(const char *pattern, const char *path, size_t path_len)
{
    return match_from(pattern, path, path + path_len, path);
}
