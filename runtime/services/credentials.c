/* $HB_HOME/credentials: NAME=value lines behind the environment. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hb/credentials.h"
#include "hb/util.h"

typedef struct credential {
    char *name;
    char *value;
} credential;

struct hb_credentials {
    credential *items;
    size_t n;
};

static void wipe_free(char *s)
{
    if (!s)
        return;
    volatile char *p = s;
    while (*p)
        *p++ = '\0';
    free(s);
}

void hb_credentials_free(hb_credentials *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->items[i].name);
        wipe_free(c->items[i].value);
    }
    free(c->items);
    free(c);
}

static bool valid_name(const char *s, size_t n)
{
    if (n == 0 || isdigit((unsigned char)s[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return false;
    return true;
}

/* Parses one line; false when it is not NAME=value. Blank lines and
 * comments are fine and add nothing. */
static bool parse_line(hb_credentials *c, char *line)
{
    char *p = line;
    while (isspace((unsigned char)*p))
        p++;
    if (!*p || *p == '#')
        return true;
    if (!strncmp(p, "export ", 7))
        p += 7;
    char *eq = strchr(p, '=');
    if (!eq)
        return false;
    char *name_end = eq;
    while (name_end > p && isspace((unsigned char)name_end[-1]))
        name_end--;
    if (!valid_name(p, (size_t)(name_end - p)))
        return false;
    char *v = eq + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t vlen = strlen(v);
    while (vlen > 0 && isspace((unsigned char)v[vlen - 1]))
        vlen--;
    if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0]) {
        v++;
        vlen -= 2;
    }
    c->items = hb_xrealloc(c->items, (c->n + 1) * sizeof *c->items);
    c->items[c->n].name = hb_xstrndup(p, (size_t)(name_end - p));
    c->items[c->n].value = hb_xstrndup(v, vlen);
    c->n++;
    return true;
}

static hb_status parse_text(hb_credentials *c, char *text, const char *path, hb_err *e)
{
    int lineno = 0;
    /* Walked by hand: strtok would merge empty lines and miscount. */
    char *line = text;
    while (line && *line) {
        lineno++;
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (!parse_line(c, line))
            return hb_err_set(e, HB_EUSAGE, "%s:%d: expected NAME=value", path, lineno);
        line = nl ? nl + 1 : NULL;
    }
    return HB_OK;
}

hb_status hb_credentials_load(const char *path, hb_credentials **out, hb_err *e)
{
    *out = NULL;
    char *owned = NULL;
    if (!path) {
        char *home = hb_home_dir();
        owned = hb_path_join(home, "credentials");
        free(home);
        path = owned;
    }
    hb_credentials *c = hb_xcalloc(1, sizeof *c);
    hb_status st = HB_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT)
            st = hb_err_set(e, HB_EUSAGE, "cannot read %s: %s", path, strerror(errno));
        goto done;
    }
    /* fstat on the open file: the mode checked is the mode of what is read. */
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = hb_err_set(e, HB_EUSAGE, "%s is not a regular file", path);
        goto done;
    }
    if (sb.st_mode & 077) {
        st = hb_err_set(e, HB_EUSAGE,
                        "%s is accessible to other users (mode %03o); it holds secrets, so hb "
                        "refuses it: run `chmod 600 %s`",
                        path, (unsigned)(sb.st_mode & 0777), path);
        goto done;
    }
    hb_buf text;
    hb_buf_init(&text);
    char chunk[4096];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        hb_buf_append(&text, chunk, (size_t)n);
    memset(chunk, 0, sizeof chunk);
    if (n < 0) {
        st = hb_err_set(e, HB_EUSAGE, "cannot read %s: %s", path, strerror(errno));
    } else if (text.data) {
        st = parse_text(c, text.data, path, e);
    }
    if (text.data) {
        memset(text.data, 0, text.len);
        hb_buf_free(&text);
    }
done:
    if (fd >= 0)
        close(fd);
    free(owned);
    if (st != HB_OK) {
        hb_credentials_free(c);
        return st;
    }
    *out = c;
    return HB_OK;
}

const char *hb_credentials_getvar(void *ud, const char *name)
{
    const char *env = getenv(name);
    if (env && *env)
        return env;
    const hb_credentials *c = ud;
    if (!c)
        return NULL;
    /* The last definition wins, as in a shell script. */
    for (size_t i = c->n; i-- > 0;)
        if (!strcmp(c->items[i].name, name))
            return *c->items[i].value ? c->items[i].value : NULL;
    return NULL;
}
