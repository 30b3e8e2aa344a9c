#define _XOPEN_SOURCE 700 /* nftw */
/* Allocation, buffers, files and small string helpers. */
#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "hb/util.h"

static void out_of_memory(size_t n)
{
    fprintf(stderr, "hb: out of memory allocating %zu bytes\n", n);
    abort();
}

void *hb_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *hb_xcalloc(size_t count, size_t n)
{
    void *p = calloc(count ? count : 1, n ? n : 1);
    if (!p)
        out_of_memory(count * n);
    return p;
}

void *hb_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

char *hb_xstrdup(const char *s)
{
    return hb_xstrndup(s, strlen(s));
}

char *hb_xstrndup(const char *s, size_t n)
{
    char *p = hb_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *hb_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = hb_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void hb_buf_init(hb_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void hb_buf_free(hb_buf *b)
{
    free(b->data);
    hb_buf_init(b);
}

void hb_buf_reset(hb_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static void buf_reserve(hb_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = hb_xrealloc(b->data, cap);
    b->cap = cap;
}

void hb_buf_append(hb_buf *b, const void *data, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void hb_buf_puts(hb_buf *b, const char *s)
{
    hb_buf_append(b, s, strlen(s));
}

void hb_buf_putc(hb_buf *b, char c)
{
    hb_buf_append(b, &c, 1);
}

void hb_buf_printf(hb_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *hb_buf_take(hb_buf *b)
{
    if (!b->data)
        return hb_xstrdup("");
    char *p = b->data;
    hb_buf_init(b);
    return p;
}

char *hb_read_file(const char *path, size_t *len_out, hb_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        hb_err_set(e, HB_EUSAGE, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    hb_buf b;
    hb_buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        hb_buf_append(&b, chunk, n);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        hb_buf_free(&b);
        hb_err_set(e, HB_EUSAGE, "cannot read %s", path);
        return NULL;
    }
    if (len_out)
        *len_out = b.len;
    return hb_buf_take(&b);
}

hb_status hb_write_file_atomic(const char *path, const void *data, size_t len, int mode, hb_err *e)
{
    char *tmp = hb_xasprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        hb_err_set(e, HB_EUSAGE, "cannot write %s: %s", path, strerror(errno));
        free(tmp);
        return HB_EUSAGE;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            hb_err_set(e, HB_EUSAGE, "cannot write %s: %s", path, strerror(errno));
            close(fd);
            unlink(tmp);
            free(tmp);
            return HB_EUSAGE;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        hb_err_set(e, HB_EUSAGE, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return HB_EUSAGE;
    }
    free(tmp);
    return HB_OK;
}

bool hb_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool hb_dir_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

hb_status hb_mkdirs(const char *path, int mode, hb_err *e)
{
    char *p = hb_xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
            hb_err_set(e, HB_EUSAGE, "cannot create %s: %s", p, strerror(errno));
            free(p);
            return HB_EUSAGE;
        }
        *s = '/';
    }
    if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
        hb_err_set(e, HB_EUSAGE, "cannot create %s: %s", p, strerror(errno));
        free(p);
        return HB_EUSAGE;
    }
    /* EEXIST also means a file of that name: not a folder to put files in. */
    bool is_dir = hb_dir_exists(p);
    free(p);
    if (!is_dir)
        return hb_err_set(e, HB_EUSAGE, "%s exists and is not a folder", path);
    return HB_OK;
}

char *hb_path_join(const char *a, const char *b)
{
    if (!a || !*a)
        return hb_xstrdup(b);
    if (b[0] == '/')
        return hb_xstrdup(b);
    size_t la = strlen(a);
    return hb_xasprintf("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

char *hb_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return hb_xstrdup(".");
    if (slash == path)
        return hb_xstrdup("/");
    return hb_xstrndup(path, (size_t)(slash - path));
}

char *hb_basename_noext(const char *path, const char *suffix)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    if (suffix && hb_str_ends_with(base, suffix))
        n -= strlen(suffix);
    return hb_xstrndup(base, n);
}

const char *hb_login_name(void)
{
    const char *u = getenv("USER");
    if (u && *u)
        return u;
    u = getenv("LOGNAME");
    if (u && *u)
        return u;
    struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_name ? pw->pw_name : "unknown";
}

size_t hb_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *row = hb_xcalloc(lb + 1, sizeof *row);
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[lb];
    free(row);
    return d;
}

const char *hb_closest_name(const char *const *names, size_t n, const char *text,
                            size_t max_distance)
{
    const char *best = NULL;
    size_t best_d = max_distance + 1;
    for (size_t i = 0; i < n; i++) {
        size_t d = hb_edit_distance(names[i], text);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    return best;
}

int hb_name_index(const char *const *names, size_t n, const char *text, bool any_case)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && (any_case ? !strcasecmp(names[i], text) : !strcmp(names[i], text)))
            return (int)i;
    return -1;
}

int hb_choice_index(const char *choices, const char *text, bool any_case)
{
    size_t len = strlen(text);
    int i = 0;
    for (const char *p = choices; *p; i++) {
        size_t n = strcspn(p, "|");
        if (n == len && (any_case ? !strncasecmp(p, text, n) : !strncmp(p, text, n)))
            return i;
        p += n + (p[n] == '|');
    }
    return -1;
}

char *hb_choices_text(const char *choices)
{
    hb_buf b;
    hb_buf_init(&b);
    for (const char *p = choices; *p;) {
        size_t n = strcspn(p, "|");
        const char *sep = !b.len ? "" : p[n] ? ", " : " or ";
        hb_buf_printf(&b, "%s%.*s", sep, (int)n, p);
        p += n + (p[n] == '|');
    }
    return hb_buf_take(&b);
}

hb_int_result hb_parse_int(const char *text, int64_t min, int64_t max, int64_t *out)
{
    const char *p = text;
    bool negative = *p == '-';
    if (negative)
        p++;
    if (!isdigit((unsigned char)*p))
        return HB_INT_NOT_A_NUMBER;
    /* Accumulated negatively: INT64_MIN has no positive counterpart. */
    int64_t v = 0;
    bool overflow = false;
    for (; isdigit((unsigned char)*p); p++) {
        int digit = *p - '0';
        if (v < (INT64_MIN + digit) / 10)
            overflow = true;
        else
            v = v * 10 - digit;
    }
    if (*p)
        return HB_INT_NOT_A_NUMBER;
    if (!negative && v == INT64_MIN)
        overflow = true;
    if (overflow)
        return HB_INT_OUT_OF_RANGE;
    v = negative ? v : -v;
    if (v < min || v > max)
        return HB_INT_OUT_OF_RANGE;
    *out = v;
    return HB_INT_OK;
}

void hb_wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

void hb_wipe_free(char *s)
{
    if (!s)
        return;
    hb_wipe(s, strlen(s));
    free(s);
}

void hb_new_run_id(char out[27])
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    struct timeval tv;
    gettimeofday(&tv, NULL);
    uint64_t ms = (uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u;
    unsigned char rnd[10];
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
        for (size_t i = 0; i < sizeof rnd; i++)
            rnd[i] = (unsigned char)(rand() ^ getpid());
    }
    /* 10 characters of time (48 bits, top 2 bits zero), 16 of randomness. */
    for (int i = 9; i >= 0; i--) {
        out[i] = alphabet[ms & 31u];
        ms >>= 5;
    }
    uint64_t hi = 0, lo = 0;
    for (int i = 0; i < 5; i++)
        hi = (hi << 8) | rnd[i];
    for (int i = 5; i < 10; i++)
        lo = (lo << 8) | rnd[i];
    for (int i = 17; i >= 10; i--) {
        out[i] = alphabet[hi & 31u];
        hi >>= 5;
    }
    for (int i = 25; i >= 18; i--) {
        out[i] = alphabet[lo & 31u];
        lo >>= 5;
    }
    out[26] = '\0';
}

bool hb_str_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool hb_str_ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void hb_rmtree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
