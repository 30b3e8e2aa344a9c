/* The bindings' audit sink over the store (see hb_service_audit_to_store). */
#include "hb/audit.h"
#include "hb/engine.h"

static hb_status store_event(void *ud, const char *type, const cJSON *data, hb_err *e)
{
    const hb_service_store_sink *sink = ud;
    return hb_audit_append_tx(sink->store, sink->run, type, sink->step, sink->actor, data, e);
}

static hb_status store_body(void *ud, const char *content, size_t len, char digest[65], hb_err *e)
{
    const hb_service_store_sink *sink = ud;
    return hb_audit_put_body(sink->store, content, len, digest, e);
}

hb_service_audit hb_service_audit_to_store(hb_service_store_sink *sink)
{
    hb_service_audit a = {.ud = sink, .event = store_event, .body = store_body};
    return a;
}
