/* A service-bindings fixture for cmocka tests: a scripted peer, variables
 * served through getvar (never the environment), and an in-memory audit
 * sink that keeps every event and stored body for assertions. */
#ifndef HB_TEST_SERVICES_FIXTURE_H
#define HB_TEST_SERVICES_FIXTURE_H

#include <stdbool.h>

#include "hb/services.h"
#include "http_peer.h"

typedef struct hbt_services {
    hbt_peer *peer;
    const char *names[32];
    char *values[32];
    int nvars;
    cJSON *events; /* [{type, data}] in order */
    cJSON *bodies; /* {digest: content} */
    const char *forbid[8];
    const char *uses[8]; /* empty: every service */
    bool dry_run;
    hb_services *svc;
} hbt_services;

/* Starts a peer; shrinks the retry waits (HB_HTTP_BACKOFF_BASE_MS=1,
 * HB_HTTP_MAX_ATTEMPTS=3). */
hbt_services *hbt_services_setup(void);
void hbt_services_teardown(hbt_services *f);
void hbt_services_var(hbt_services *f, const char *name, const char *value);
/* Sets every service's variables to point at the peer. */
void hbt_services_all_vars(hbt_services *f);
/* The hb_services, created on first use from the fixture's settings. */
hb_services *hbt_services_get(hbt_services *f);

/* Runs one request; the response is freed unless out is given. */
hb_status hbt_call(hbt_services *f, const hb_service_request *req, hb_service_response *out,
                   hb_err *e);

size_t hbt_events(hbt_services *f, const char *type);
/* The i-th event of a type (0-based), its data object. */
const cJSON *hbt_event(hbt_services *f, const char *type, size_t i);
/* The stored body for a digest, or NULL. */
const char *hbt_body(hbt_services *f, const char *digest);
/* Fails the test when needle occurs in any event or stored body. */
void hbt_assert_not_in_audit(hbt_services *f, const char *needle);
const char *hbt_str(const cJSON *o, const char *name);
/* A read operation of the service, for tests of the transport that only
 * need some GET the operation table allows. */
const char *hbt_read_op(const char *service);
double hbt_num(const cJSON *o, const char *name);

#endif
