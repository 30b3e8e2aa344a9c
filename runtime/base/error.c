/* Error values: a status plus a message for people. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hb/error.h"
#include "hb/secrets.h"

hb_status hb_err_set(hb_err *e, hb_status code, const char *fmt, ...)
{
    if (e) {
        /* Through a copy: the arguments may point into e->msg itself
         * (hb_err_set(e, st, "%s", e->msg) re-codes an error). */
        char text[sizeof e->msg];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
        memcpy(e->msg, text, sizeof text);
        /* No message carries a secret, whatever put it there. */
        hb_secret_scrub_buffer(e->msg, sizeof e->msg);
        e->code = code;
    }
    return code;
}

hb_status hb_err_wrap(hb_err *e, const char *fmt, ...)
{
    if (!e)
        return HB_EINTERNAL;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    size_t plen = strlen(prefix);
    if (plen + 2 >= sizeof e->msg)
        plen = sizeof e->msg - 3;
    size_t olen = strnlen(e->msg, sizeof e->msg - 1);
    if (plen + 2 + olen >= sizeof e->msg)
        olen = sizeof e->msg - 1 - plen - 2;
    memmove(e->msg + plen + 2, e->msg, olen);
    memcpy(e->msg, prefix, plen);
    e->msg[plen] = ':';
    e->msg[plen + 1] = ' ';
    e->msg[plen + 2 + olen] = '\0';
    hb_secret_scrub_buffer(e->msg, sizeof e->msg);
    return e->code;
}

void hb_err_clear(hb_err *e)
{
    if (e) {
        e->code = HB_OK;
        e->msg[0] = '\0';
    }
}
