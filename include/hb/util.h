/* Small helpers every module uses: checked allocation, a growable byte
 * buffer, whole-file reading and writing, path joins. */
#ifndef HB_UTIL_H
#define HB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hb/error.h"

/* Allocation failure is not recoverable in a CLI process: these abort with a
 * message instead of returning NULL. */
void *hb_xmalloc(size_t n);
void *hb_xcalloc(size_t count, size_t n);
void *hb_xrealloc(void *p, size_t n);
char *hb_xstrdup(const char *s);
char *hb_xstrndup(const char *s, size_t n);
char *hb_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

typedef struct hb_buf {
    char *data; /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
} hb_buf;

void hb_buf_init(hb_buf *b);
void hb_buf_free(hb_buf *b);
void hb_buf_reset(hb_buf *b);
void hb_buf_append(hb_buf *b, const void *data, size_t n);
void hb_buf_puts(hb_buf *b, const char *s);
void hb_buf_putc(hb_buf *b, char c);
void hb_buf_printf(hb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the buffer's memory to the caller (never NULL) and resets b. */
char *hb_buf_take(hb_buf *b);

/* Reads a whole file. On failure sets e (HB_EUSAGE for a missing or
 * unreadable file) and returns NULL. */
char *hb_read_file(const char *path, size_t *len_out, hb_err *e);
/* Writes atomically: a temporary file in the same folder, then rename. */
hb_status hb_write_file_atomic(const char *path, const void *data, size_t len, int mode, hb_err *e);
bool hb_file_exists(const char *path);
bool hb_dir_exists(const char *path);
/* mkdir -p with the given mode for created folders. */
hb_status hb_mkdirs(const char *path, int mode, hb_err *e);
/* Removes a folder and everything below it (links are not followed). */
void hb_rmtree(const char *path);
char *hb_path_join(const char *a, const char *b);
/* The folder part of a path ("." when there is none), newly allocated. */
char *hb_dirname(const char *path);
/* The file name without folder and without the given suffix (may be NULL). */
char *hb_basename_noext(const char *path, const char *suffix);

/* HB_HOME, else $XDG_DATA_HOME/hb, else ~/.local/share/hb. Newly allocated. */
char *hb_home_dir(void);
/* hb_home_dir(), created (0700) when missing. HB_EUSAGE naming HB_HOME when
 * it is not a folder or this user cannot write it; *out is then NULL. */
hb_status hb_home_dir_ready(char **out, hb_err *e);
/* The login name ($USER, $LOGNAME, the password database, else "unknown"). */
const char *hb_login_name(void);
/* Who acts, for the audit trail: HB_ACTOR, else the login name. The one
 * default of every command (`--actor` overrides it). Newly allocated. */
char *hb_default_actor(void);

/* Levenshtein distance, for "did you mean" suggestions. */
size_t hb_edit_distance(const char *a, const char *b);
/* The name of names[0..n) nearest to text, when at most max_distance edits
 * away (ties: the first), else NULL. */
const char *hb_closest_name(const char *const *names, size_t n, const char *text,
                            size_t max_distance);
/* The index of text in names[0..n) (case-insensitive when asked), or -1. */
int hb_name_index(const char *const *names, size_t n, const char *text, bool any_case);

/* Choices written "a|b|c" (settings' enums, options' words): the index of
 * text among them (case-insensitive when asked), or -1; and the list as a
 * person reads it, "a, b or c", newly allocated. */
int hb_choice_index(const char *choices, const char *text, bool any_case);
char *hb_choices_text(const char *choices);

/* A whole number: an optional '-' and decimal digits, nothing else (no
 * blanks, no '+', no trailing unit). */
typedef enum hb_int_result {
    HB_INT_OK,
    HB_INT_NOT_A_NUMBER,
    HB_INT_OUT_OF_RANGE, /* a number, outside [min, max] (overflow included) */
} hb_int_result;
hb_int_result hb_parse_int(const char *text, int64_t min, int64_t max, int64_t *out);

/* Secrets: overwritten in a way the compiler keeps, so a credential does not
 * linger in freed memory. hb_wipe_free wipes a string and frees it (NULL is
 * fine). */
void hb_wipe(void *p, size_t n);
void hb_wipe_free(char *s);

/* Base64 (RFC 4648, standard alphabet, padded) of n bytes, newly allocated. */
char *hb_base64_encode(const void *data, size_t n);
/* The bytes of padded base64 text, NUL-terminated (*n_out excludes the NUL),
 * newly allocated; NULL when text is not base64. */
unsigned char *hb_base64_decode(const char *text, size_t len, size_t *n_out);

/* A run id: 26 Crockford base32 characters, sortable by creation time
 * (48 bits of milliseconds, then 80 random bits). */
void hb_new_run_id(char out[27]);

bool hb_str_starts_with(const char *s, const char *prefix);
bool hb_str_ends_with(const char *s, const char *suffix);

#endif
