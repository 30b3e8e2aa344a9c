/* Status codes and error values shared by every module.
 *
 * The numeric values are the command-line exit codes of the README's table, so a
 * status can travel from the deepest layer to main() unchanged. */
#ifndef HB_ERROR_H
#define HB_ERROR_H

typedef enum hb_status {
    HB_OK = 0,        /* ok / succeeded */
    HB_EFAILED = 1,   /* the workflow or operation failed, or a check found problems */
    HB_EUSAGE = 2,    /* usage, configuration or input error */
    HB_EPAUSED = 3,   /* waiting for an answer, event or time */
    HB_EBUSY = 4,     /* the run is held by another process or the store is locked */
    HB_EINTERNAL = 5, /* store corrupted or internal error */
} hb_status;

/* An error carries its status and a message written for the person reading
 * it: what went wrong and, where it helps, what to do. Never a secret. */
typedef struct hb_err {
    hb_status code;
    char msg[2048];
} hb_err;

/* Sets *e (when e is not NULL) and returns code, so callers can write
 * `return hb_err_set(e, HB_EUSAGE, "...")`. */
hb_status hb_err_set(hb_err *e, hb_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with more context ("opening store: ..."). */
hb_status hb_err_wrap(hb_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void hb_err_clear(hb_err *e);

#endif
