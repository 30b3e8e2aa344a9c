/* The one table of what hb can ask of each service: the services (their
 * variables, auth, secrets) and every operation the bindings offer (its
 * service, whether it reads or writes, whether a write may be repeated, the
 * HTTP methods it may use, where a write may go and what it may exercise).
 *
 * C decides from this table, never from what the Lua request says: every
 * hbi.request names an operation, and the call is refused unless the
 * operation exists, belongs to the request's service, that service is in
 * the workflow's `uses`, and the method (and a write's path) is the
 * operation's. Whether a call writes (and so is planned in a dry run and
 * carries an intent), may be retried, and which `forbid` entries refuse it
 * all follow from the table, the method and the body.
 *
 * Lint (unknown operations and forbid entries), `hb call`, the editor
 * types' test and the README's lists read the same table. Adding a service
 * or an operation starts here (runtime/README.md, "Adding a service"). */
#ifndef HB_SERVICE_TABLE_H
#define HB_SERVICE_TABLE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum hb_auth_kind {
    HB_AUTH_ZENDESK,            /* email/token basic auth, or an OAuth bearer token */
    HB_AUTH_PRIVATE_TOKEN,      /* GitLab: PRIVATE-TOKEN header */
    HB_AUTH_CLIENT_CREDENTIALS, /* OAuth2 client credentials: a token fetched and cached */
} hb_auth_kind;

typedef struct hb_service_def {
    const char *name;       /* "zendesk": in uses, forbid, audit, the stdlib module */
    const char *url_var;    /* "ZENDESK_URL" */
    const char *api_suffix; /* what the URL must not end with ("/api/v2"), or NULL */
    const char *api_prefix; /* every API path starts with it ("/api/v2/") */
    hb_auth_kind auth;
    const char *token_path; /* OAuth: the token endpoint below the URL, else NULL */
    /* Calls go to the instance URL the token endpoint names (Salesforce),
     * not to the configured URL. */
    bool api_base_from_token;
    /* A version header every call carries (Zuora-Version), the variable
     * that may set it and its default; NULL when none. */
    const char *version_header;
    const char *version_var;
    const char *version_default;
    const char *needs; /* the variables it needs, in words, for messages */
    /* The variables it reads (NULL-terminated): those a configuration
     * usually sets (the URL first; for client credentials the id, then the
     * secret), the ones it may also read, and those whose values are
     * secrets (registered to be scrubbed by value wherever they appear). */
    const char *const *variables;
    const char *const *optional;
    const char *const *secrets;
} hb_service_def;

/* HTTP methods, as a set. */
enum {
    HB_METHOD_GET = 1 << 0,
    HB_METHOD_POST = 1 << 1,
    HB_METHOD_PUT = 1 << 2,
    HB_METHOD_PATCH = 1 << 3,
    HB_METHOD_DELETE = 1 << 4,
};

/* Whether a write may be sent again (a retry after a lost reply or a 5xx,
 * a resumed step): setting fields or tags lands the same way twice;
 * creating something does not. */
typedef enum hb_repeat {
    HB_REPEAT_NEVER,
    HB_REPEAT_SAFE,
    HB_REPEAT_UNLESS_COMMENT, /* a Zendesk ticket write: a comment in it would repeat */
} hb_repeat;

typedef struct hb_operation_def {
    const char *name;    /* "zendesk.tickets.get" */
    const char *service; /* "zendesk" */
    bool write;
    hb_repeat repeat; /* writes */
    unsigned methods; /* HB_METHOD_* */
    /* Where it goes below the service's URL: '*' stands for one or more
     * characters of one path segment. A write's path must match one; a
     * read's must start with the service's api_prefix. NULL-terminated. */
    const char *const *paths;
    /* Capabilities the body can make it exercise ("zendesk.public_reply"),
     * NULL-terminated, or NULL; hb decides from the body whether it does. */
    const char *const *capabilities;
    /* A helper of other operations (the listing exactly-once looks in), not
     * offered to workflows as a function of its own. */
    bool internal;
} hb_operation_def;

extern const hb_service_def hb_service_defs[];
extern const size_t hb_service_count;
extern const hb_operation_def hb_operation_defs[];
extern const size_t hb_operation_count;

/* By name; NULL when hb has no such service or operation. */
const hb_service_def *hb_service_lookup(const char *name);
const hb_operation_def *hb_operation_lookup(const char *name);

/* "zendesk, gitlab, zuora, salesforce", for messages. */
const char *hb_service_names_text(void);

/* The capabilities hb knows: per service "<service>.write" (any change) and
 * "<service>.delete" (an HTTP DELETE), and those the operations name
 * ("zendesk.public_reply"). forbid may list them besides operations. */
bool hb_capability_known(const char *name);
/* Is it "<service>.write" or "<service>.delete", a whole class of requests? */
bool hb_capability_is_class(const char *name);
/* What a forbid entry names: "operation", "capability", or NULL when it
 * names neither (it would forbid nothing). */
const char *hb_forbid_entry_kind(const char *entry);
/* In words, for graph, doc and diff: "an HTTP DELETE on zendesk", "any
 * change to gitlab", "a public reply on Zendesk", "the operation
 * zendesk.tickets.update". NULL for an unknown entry. */
const char *hb_forbid_entry_meaning(const char *entry, char *out, size_t cap);

/* The method's bit, or 0 for a method hb does not send. */
unsigned hb_method_bit(const char *method);
/* Does path (without its query) match the pattern? */
bool hb_path_matches(const char *pattern, const char *path, size_t path_len);
/* No segment of path is "." or ".." (or encoded so), holds a backslash or
 * a '#': nothing a client or server would resolve to another place. */
bool hb_path_plain(const char *path, size_t len);

#endif
