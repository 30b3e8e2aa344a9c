/* hb backtest's side of a call: the request is put to the replay source
 * (services.h, hb_service_replay) instead of the network. A read answered
 * from the recording goes through the same interpretation as a reply from
 * the wire (so a recorded 404 is the same uniform error); a read with no
 * recording fails; a write is never sent: the recorded reply to the same
 * write answers it (so the created issue has the iid the later steps read),
 * else it is planned as in a dry run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services_internal.h"

/* Where no variable of the recorded run is known, a stand-in: the bindings
 * need a URL and credentials to build a request, and none of them is ever
 * used to reach anything. The port is the discard port, closed on loopback. */
#define STAND_IN_URL    "http://127.0.0.1:9"
#define STAND_IN_SECRET "hb-replay-stand-in"

const char *svc_replay_getvar(void *ud, const char *name)
{
    const hb_service_replay *r = ud;
    const char *v = r->getvar ? r->getvar(r->ud, name) : NULL;
    if (v)
        return v;
    for (size_t i = 0; i < hb_service_count; i++) {
        const hb_service_def *d = &hb_service_defs[i];
        if (!strcmp(name, d->url_var))
            return STAND_IN_URL;
        for (const char *const *n = d->variables; n && *n; n++)
            if (!strcmp(*n, name))
                return STAND_IN_SECRET;
    }
    return NULL;
}

hb_status svc_replay_exchange(hb_services *s, const svc_call *k, hb_http_response *resp,
                              bool *planned)
{
    *planned = false;
    size_t n = 0;
    char *body = k->body ? hb_redact_body(s->secrets, k->body, k->body_len, s->body_max, &n) : NULL;
    hb_replay_query q = {.service = k->conn->name,
                         .op = k->op,
                         .method = k->method,
                         .path = k->audit_path,
                         .body = body,
                         .write = k->write};
    long status = 0;
    char *reply = NULL;
    const hb_service_replay *r = s->cfg.replay;
    hb_status st = r->answer(r->ud, &q, &status, &reply);
    free(body);
    if (st != HB_OK) {
        if (k->write) {
            *planned = true;
            return HB_OK;
        }
        resp->failure = HB_HTTP_NOT_SENT;
        snprintf(resp->error, sizeof resp->error,
                 "replay: the recorded run never made this request (%s %s)", k->method,
                 k->audit_path);
        return HB_EFAILED;
    }
    resp->status = status;
    if (!status) {
        resp->failure = HB_HTTP_BROKEN;
        snprintf(resp->error, sizeof resp->error, "replay: the recorded run was not answered");
    }
    if (reply)
        hb_buf_append(&resp->body, reply, strlen(reply));
    free(reply);
    return status ? HB_OK : HB_EFAILED;
}
