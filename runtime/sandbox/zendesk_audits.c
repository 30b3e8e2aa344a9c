/* Zendesk ticket audits: one per ticket update that changed something,
 * kept with the ticket and listed by GET /api/v2/tickets/{id}/audits
 * (oldest first unless sort_order=desc; cursor or offset paging). An update
 * may carry `ticket.metadata`, an object Zendesk keeps as the audit's
 * `metadata.custom` next to what it records itself (`metadata.system`);
 * an update that changes nothing makes no audit and keeps no metadata.
 * hb's bindings put a write's exactly-once marker there, so the sandbox
 * must keep and return it as Zendesk does. */
#include <stdlib.h>
#include <string.h>

#include "zendesk_internal.h"

cJSON *sb_zd_audit_metadata(const cJSON *update)
{
    cJSON *m = cJSON_CreateObject();
    const cJSON *given = cJSON_GetObjectItemCaseSensitive(update, "metadata");
    cJSON_AddItemToObject(
        m, "custom", cJSON_IsObject(given) ? cJSON_Duplicate(given, true) : cJSON_CreateObject());
    cJSON *system = cJSON_AddObjectToObject(m, "system");
    cJSON_AddStringToObject(system, "client", "hb sandbox");
    cJSON_AddStringToObject(system, "ip_address", "127.0.0.1");
    cJSON_AddStringToObject(system, "location", "Loopback");
    return m;
}

void sb_zd_keep_audit(cJSON *t, const cJSON *audit)
{
    if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(audit, "events")) == 0)
        return;
    sb_ensure_array(t, "audits");
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(t, "audits"),
                         cJSON_Duplicate(audit, true));
}

void sb_h_zd_ticket_audits(sb_ctx *cx)
{
    cJSON *t = sb_zd_find(cx, "tickets");
    if (!t) {
        sb_zendesk_not_found(cx);
        return;
    }
    const cJSON *kept = cJSON_GetObjectItemCaseSensitive(t, "audits");
    cJSON *all = cJSON_IsArray(kept) ? cJSON_Duplicate(kept, true) : cJSON_CreateArray();
    all = sb_zd_sort_order(cx, all);
    char *path = hb_xasprintf("/api/v2/tickets/%s/audits.json", sb_param(cx, "id"));
    sb_zd_reply_page(cx, all, "audits", path);
    free(path);
}
