/* The markers that make non-idempotent writes exactly-once across crashes
 * (services.h explains the scheme). The bindings put the marker in what
 * they create and, when it is pending, look for it by listing before
 * writing again; this file only names writes and remembers which ones an
 * interrupted execution may already have made. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services_internal.h"

void hb_services_begin_step(hb_services *s, const char *run, const char *step, long visit)
{
    free(s->marker_prefix);
    s->marker_prefix = hb_xasprintf("hb:%s:%s:%ld", run, step, visit);
    s->marker_count = 0;
}

void hb_services_set_pending(hb_services *s, const cJSON *pending)
{
    cJSON_Delete(s->pending);
    s->pending = pending ? cJSON_Duplicate(pending, true) : NULL;
}

void svc_once_intended(hb_services *s, const char *marker)
{
    if (!s->pending)
        s->pending = cJSON_CreateObject();
    if (cJSON_GetObjectItemCaseSensitive(s->pending, marker))
        return;
    char now[32];
    hb_time_format(hb_clock_time(s->cfg.clock), now);
    cJSON_AddStringToObject(s->pending, marker, now);
}

bool hb_services_next_marker(hb_services *s, char *out, size_t cap, const char **pending_since)
{
    *pending_since = NULL;
    if (!s->marker_prefix)
        return false;
    s->marker_count++;
    snprintf(out, cap, "%s:%ld", s->marker_prefix, s->marker_count);
    const cJSON *since = cJSON_GetObjectItemCaseSensitive(s->pending, out);
    if (cJSON_IsString(since))
        *pending_since = since->valuestring;
    return true;
}
