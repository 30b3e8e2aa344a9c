/* Wiring a run to the services its workflow declares in `uses`. */
#include "engine_internal.h"

hb_status hb_exec_services_open(hb_exec *x, hb_err *e)
{
    if (x->wf->nuses == 0)
        return HB_OK;
    return hb_err_set(e, HB_EINTERNAL, "service bindings are not built into this hb yet");
}

void hb_exec_services_close(hb_exec *x)
{
    (void)x;
}
